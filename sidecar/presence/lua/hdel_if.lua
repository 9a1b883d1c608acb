-- Delete a hash field only while it still holds the expected value.
-- KEYS[1] hash; ARGV[1] field, ARGV[2] expected value
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
