-- Adds a job: creates its status hash, then either appends it to the work stream or, when it has a
-- run time, adds it to the delayed set. With an idempotency key the key is taken with SET NX PX first;
-- if it is already taken, nothing is added and the existing job id is returned.
-- KEYS[1] work stream        {queue}:stream
-- KEYS[2] delayed set        {queue}:delayed   (score = run time, unix ms; member = envelope JSON)
-- KEYS[3] job status hash    {queue}:job:<id>
-- KEYS[4] idempotency key    {queue}:idem:<key> (ignored when ARGV[5] is '0')
-- KEYS[5] idle readers       {queue}:idle      (score = until when, unix ms; member = consumer name)
-- ARGV[1] job id
-- ARGV[2] envelope JSON
-- ARGV[3] run time in unix ms, or '' to queue at once
-- ARGV[4] idempotency key lifetime in ms
-- ARGV[5] '1' when an idempotency key is given, else '0'
-- ARGV[6] wake channel (Pub/Sub) of the queue
-- ARGV[7] job type name
-- ARGV[8] queue name
-- ARGV[9] creation time in unix ms
-- ARGV[10] max attempts
-- ARGV[11] owner tag, or ''
-- Returns {1, id} when added, {0, existing id} for a duplicate.
-- The wake-up PUBLISH goes out only when some worker said it is about to wait (a member of the idle set whose
-- time has not passed): a worker announces itself there before its last read of the stream, so a job added
-- after that read always finds it; busy workers read on by themselves and cost no Pub/Sub message per job.
if ARGV[5] == '1' then
  if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'PX', ARGV[4]) then
    return {0, redis.call('GET', KEYS[4])}
  end
end
local state = 'queued'
if ARGV[3] ~= '' then state = 'scheduled' end
redis.call('HSET', KEYS[3], 'type', ARGV[7], 'queue', ARGV[8], 'state', state, 'attempt', '0',
  'max', ARGV[10], 'created', ARGV[9], 'owner', ARGV[11], 'redeliveries', '0')
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], 'scheduled', ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
else
  redis.call('XADD', KEYS[1], '*', 'e', ARGV[2])
end
if state == 'scheduled' or redis.call('ZCOUNT', KEYS[5], ARGV[9], '+inf') > 0 then
  redis.call('PUBLISH', ARGV[6], state)
end
return {1, ARGV[1]}
