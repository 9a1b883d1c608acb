-- Record an outside signal on a job (a call's status) and make a waiting job fire now.
-- KEYS[1] due zset, KEYS[2] job hash; ARGV[1] key, ARGV[2] field, ARGV[3] value,
-- ARGV[4] now ms ('' = Redis TIME)
local state = redis.call('HGET', KEYS[2], 'state')
if not state then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HINCRBY', KEYS[2], 'wake', 1)
if state == 'pending' then
  local now = ARGV[4]
  if now == '' then
    local t = redis.call('TIME')
    now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  end
  local score = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
  if score and tonumber(now) < score then
    redis.call('ZADD', KEYS[1], now, ARGV[1])
  end
end
return 1
