-- Accept platform events once each: mark each delivery id seen and append the new ones to
-- the inbox, all in one call (every key shares the program's hash tag: one cluster slot).
-- KEYS[1..n] each event's seen marker, KEYS[n+1] the inbox stream
-- ARGV[1] seen ttl s, ARGV[2] inbox maxlen, then per event: its count of field/value
-- strings, then those strings (the envelope, its sealed name and e-mail, a chat's decision)
-- Returns per event 1 (new, appended) or 0 (a delivery already seen).
local inbox = KEYS[#KEYS]
local out = {}
local at = 3
for i = 1, #KEYS - 1 do
  local count = tonumber(ARGV[at])
  local fields = {}
  for j = 1, count do
    fields[j] = ARGV[at + j]
  end
  at = at + count + 1
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', inbox, 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
