-- Claim up to ARGV[4] due jobs with a fenced lease. A claimed job stays in the zset,
-- re-scored to its lease deadline: if its owner dies, it simply becomes due again.
-- KEYS[1] due zset
-- ARGV[1] now ms ('' = Redis TIME), ARGV[2] owner, ARGV[3] lease ms, ARGV[4] limit,
-- ARGV[5] job hash prefix
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local lease_until = string.format('%d', now + tonumber(ARGV[3]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now),
  'LIMIT', 0, tonumber(ARGV[4]))
local out = {now}
for _, key in ipairs(due) do
  local h = ARGV[5] .. key
  local state = redis.call('HGET', h, 'state')
  if state == 'pending' or state == 'leased' then
    redis.call('HINCRBY', h, 'epoch', 1)
    redis.call('HSET', h, 'state', 'leased', 'owner', ARGV[2], 'lease_until', lease_until)
    redis.call('ZADD', KEYS[1], lease_until, key)
    table.insert(out, key)
    table.insert(out, redis.call('HGETALL', h))
  else
    redis.call('ZREM', KEYS[1], key)
  end
end
return out
