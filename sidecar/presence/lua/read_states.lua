-- Many meetings' state hashes in one round trip (read-only; run inside a WATCH of them),
-- each with the milliseconds left before its state and its timeline expire.
-- KEYS: state hash, timeline stream, for each meeting in turn
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = {redis.call('HGETALL', KEYS[i]), redis.call('PTTL', KEYS[i]),
                   redis.call('PTTL', KEYS[i + 1])}
end
return out
