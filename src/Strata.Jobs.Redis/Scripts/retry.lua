-- Records a failed attempt and schedules the next one in the delayed set, acknowledging and deleting
-- the current stream entry in the same step (so the job is never both pending and scheduled).
-- If cancellation was requested meanwhile, the job ends cancelled instead.
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- KEYS[3] delayed set
-- ARGV[1] stream entry id
-- ARGV[2] consumer group
-- ARGV[3] next attempt time, unix ms
-- ARGV[4] next attempt's envelope JSON
-- ARGV[5] error summary
-- ARGV[6] now, unix ms
-- ARGV[7] retention in ms
redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'cancel') == '1' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'completed', ARGV[6], 'error', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[5], 'scheduled', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
