-- Puts a dead job back on its queue with a fresh set of attempts.
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- ARGV[1] envelope JSON (attempt 1)
-- ARGV[2] wake channel
-- ARGV[3] job id
-- Returns 1 when requeued, 0 when the job is not dead.
if redis.call('HGET', KEYS[1], 'state') ~= 'dead' then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'e', ARGV[1], 'i', ARGV[3], 'a', '1')
redis.call('HSET', KEYS[1], 'state', 'queued', 'attempt', '0', 'redeliveries', '0')
redis.call('HDEL', KEYS[1], 'completed', 'env')
redis.call('PERSIST', KEYS[1])
redis.call('PUBLISH', ARGV[2], 'queued')
return 1
