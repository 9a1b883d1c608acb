-- Accept a platform event once: mark its delivery id seen and append it to the inbox.
-- KEYS[1] seen marker, KEYS[2] inbox stream; ARGV[1] ttl s, ARGV[2] envelope json,
-- ARGV[3] inbox maxlen
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
return 1
