-- Schedule a job once: a second schedule under the same key is a no-op.
-- KEYS[1] due zset, KEYS[2] job hash
-- ARGV[1] key, ARGV[2] due ms, ARGV[3] wake channel, ARGV[4..] the job's fields, as
-- name, value pairs (model.new_fields: kind, payload entries, data, state, due)
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
