-- Release a claimed job to fire again at ARGV[4] (next ladder step, retry, or timeout).
-- A signal that arrived while it was claimed (wake changed) makes it fire now instead.
-- KEYS[1] due zset, KEYS[2] job hash
-- ARGV[1] key, ARGV[2] epoch, ARGV[3] owner, ARGV[4] due ms, ARGV[5] data json ('' = keep
-- what the handler last recorded with touch; '{}': none),
-- ARGV[6] attempts, ARGV[7] wake seen at claim, ARGV[8] now ms ('' = Redis TIME)
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[2] or redis.call('HGET', KEYS[2], 'owner') ~= ARGV[3]
  or redis.call('HGET', KEYS[2], 'state') ~= 'leased' then
  return 0
end
local due = ARGV[4]
local now = tonumber(ARGV[8])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
if (redis.call('HGET', KEYS[2], 'wake') or '0') ~= ARGV[7] and now < tonumber(due) then
  due = string.format('%d', now)
end
redis.call('HSET', KEYS[2], 'state', 'pending', 't', due)
redis.call('HDEL', KEYS[2], 'owner')
if ARGV[6] == '0' then
  redis.call('HDEL', KEYS[2], 'n')
else
  redis.call('HSET', KEYS[2], 'n', ARGV[6])
end
if ARGV[5] == '{}' then
  redis.call('HDEL', KEYS[2], 'd')
elseif ARGV[5] ~= '' then
  redis.call('HSET', KEYS[2], 'd', ARGV[5])
end
redis.call('ZADD', KEYS[1], due, ARGV[1])
return 1
