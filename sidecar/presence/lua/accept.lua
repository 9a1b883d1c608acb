-- Accept a platform event once: mark its delivery id seen and append it to the inbox.
-- KEYS[1] seen marker, KEYS[2] inbox stream; ARGV[1] ttl s, ARGV[2] inbox maxlen,
-- ARGV[3..] the entry's field/value pairs (the envelope, its sealed name and text)
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
