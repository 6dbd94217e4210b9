-- Records a running job's progress. Nothing is written unless the job is running: a report that arrives after the
-- job finished (a handler that kept its context past its end) must not re-create a status hash that expired, which
-- would then never expire.
-- KEYS[1] job status hash
-- ARGV[1] percent
-- ARGV[2] message, or ''
-- Returns 1 when recorded, 0 when the job is not running.
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
redis.call('HSET', KEYS[1], 'progress', ARGV[1], 'pmsg', ARGV[2])
return 1
