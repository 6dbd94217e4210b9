-- Cancels a job: one that waits (queued, scheduled, failed) is marked cancelled and is dropped when it
-- comes up; a running one gets a cancel flag (the caller then tells the workers over Pub/Sub).
-- KEYS[1] job status hash
-- ARGV[1] now, unix ms
-- ARGV[2] retention in ms
-- Returns 0 = unknown or finished, 1 = cancelled, 2 = running (cancel requested).
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'scheduled' or state == 'failed' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'completed', ARGV[1])
  redis.call('HDEL', KEYS[1], 'scheduled')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if state == 'running' then
  redis.call('HSET', KEYS[1], 'cancel', '1')
  return 2
end
return 0
