-- Cancel a pending or claimed job; the epoch bump fences out a handler still running.
-- KEYS[1] due zset, KEYS[2] job hash; ARGV[1] key, ARGV[2] reason, ARGV[3] ttl s
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= 'pending' and state ~= 'leased' then
  return 0
end
redis.call('HINCRBY', KEYS[2], 'epoch', 1)
redis.call('HSET', KEYS[2], 'state', 'cancelled', 'outcome', ARGV[2])
redis.call('HDEL', KEYS[2], 'owner')
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
