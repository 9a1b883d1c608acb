-- Many jobs' state and outcome in one round trip (read-only; run inside a WATCH of them).
-- KEYS: the job hashes
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('HMGET', key, 'state', 'outcome')
end
return out
