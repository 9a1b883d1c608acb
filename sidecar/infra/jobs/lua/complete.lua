-- Finish a claimed job, if still the owner. KEYS[1] due zset, KEYS[2] job hash
-- ARGV[1] key, ARGV[2] epoch, ARGV[3] owner, ARGV[4] outcome, ARGV[5] ttl s, ARGV[6] data
-- json ('{}': none)
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[2] or redis.call('HGET', KEYS[2], 'owner') ~= ARGV[3]
  or redis.call('HGET', KEYS[2], 'state') ~= 'leased' then
  return 0
end
redis.call('HSET', KEYS[2], 'state', 'done', 'outcome', ARGV[4])
redis.call('HDEL', KEYS[2], 'owner')
if ARGV[6] == '{}' then
  redis.call('HDEL', KEYS[2], 'd')
else
  redis.call('HSET', KEYS[2], 'd', ARGV[6])
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
