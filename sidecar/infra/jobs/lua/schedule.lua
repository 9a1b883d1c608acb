-- Schedule a job once: a second schedule under the same key is a no-op.
-- KEYS[1] due zset, KEYS[2] job hash
-- ARGV[1] key, ARGV[2] due ms, ARGV[3] kind, ARGV[4] payload json, ARGV[5] data json,
-- ARGV[6] wake channel
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[2], 'kind', ARGV[3], 'payload', ARGV[4], 'data', ARGV[5],
  'state', 'pending', 'due', ARGV[2], 'epoch', 0, 'owner', '', 'attempts', 0, 'wake', 0,
  'created', ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PUBLISH', ARGV[6], ARGV[2])
return 1
