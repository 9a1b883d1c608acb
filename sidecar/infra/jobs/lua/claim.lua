-- Claim up to ARGV[4] due jobs with a fenced lease. A claimed job stays in the zset,
-- re-scored to its lease deadline: if its owner dies, it simply becomes due again.
-- A job hash of the earlier layout (it has 'created') is rewritten to the current one.
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
local renamed = {kind = 'k', data = 'd', due = 't', attempts = 'n'}
local empty = {d = '{}', n = '0'}
local function upgrade(h)
  for old, new in pairs(renamed) do
    local v = redis.call('HGET', h, old)
    if v and v ~= empty[new] then
      redis.call('HSET', h, new, v)
    end
  end
  redis.call('HDEL', h, 'kind', 'data', 'due', 'attempts', 'created', 'lease_until')
  if redis.call('HGET', h, 'outcome') == '' then
    redis.call('HDEL', h, 'outcome')
  end
end
local out = {now}
for _, key in ipairs(due) do
  local h = ARGV[5] .. key
  local state = redis.call('HGET', h, 'state')
  if state == 'pending' or state == 'leased' then
    if redis.call('HEXISTS', h, 'created') == 1 then
      upgrade(h)
    end
    redis.call('HINCRBY', h, 'epoch', 1)
    redis.call('HSET', h, 'state', 'leased', 'owner', ARGV[2])
    redis.call('ZADD', KEYS[1], lease_until, key)
    table.insert(out, key)
    table.insert(out, redis.call('HGETALL', h))
  else
    redis.call('ZREM', KEYS[1], key)
  end
end
return out
