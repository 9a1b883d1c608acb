-- Renew a lease and optionally record the handler's progress, if still the owner.
-- KEYS[1] due zset, KEYS[2] job hash
-- ARGV[1] key, ARGV[2] epoch, ARGV[3] owner, ARGV[4] lease ms, ARGV[5] data json ('' = keep;
-- '{}': none), ARGV[6] now ms ('' = Redis TIME)
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[2] or redis.call('HGET', KEYS[2], 'owner') ~= ARGV[3]
  or redis.call('HGET', KEYS[2], 'state') ~= 'leased' then
  return 0
end
local now = tonumber(ARGV[6])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local lease_until = string.format('%d', now + tonumber(ARGV[4]))
if ARGV[5] == '{}' then
  redis.call('HDEL', KEYS[2], 'd')
elseif ARGV[5] ~= '' then
  redis.call('HSET', KEYS[2], 'd', ARGV[5])
end
redis.call('ZADD', KEYS[1], lease_until, ARGV[1])
return 1
