-- Before a job is scheduled again under its key: forget the earlier run's fields but
-- the counters that fence its handlers out (epoch, wake) and its signals.
-- KEYS[1] job hash
local gone = {}
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if name ~= 'epoch' and name ~= 'wake' and string.sub(name, 1, 4) ~= 'sig:' then
    table.insert(gone, name)
  end
end
if #gone > 0 then
  redis.call('HDEL', KEYS[1], unpack(gone))
end
return #gone
