-- Records a batch of succeeded jobs of one queue (the finish.lua step with state 'succeeded', for many jobs):
-- status, result and expiry of each, then one XACK and one XDEL for all their stream entries.
-- One HSET per job clears what an earlier attempt may have left by writing it empty, which reads as absent: the
-- error of a failed attempt ('error') and a result. A running job holds no 'scheduled' field (promote.lua removed
-- it), and a 'cancel' flag that came too late to stop the handler is left to expire with the hash: nothing reads
-- it once the job has succeeded.
-- KEYS[1] work stream
-- KEYS[2..n+1] job status hashes, in the order of the ARGV pairs
-- ARGV[1] consumer group
-- ARGV[2] now, unix ms
-- ARGV[3] retention in ms
-- ARGV[4 + 2(i-1)] stream entry id of job i; ARGV[5 + 2(i-1)] its result JSON, or ''
-- Returns the number of jobs recorded.
local ids = {}
for i = 2, #KEYS do
  local a = 4 + 2 * (i - 2)
  local hash = KEYS[i]
  redis.call('HSET', hash, 'state', 'succeeded', 'completed', ARGV[2], 'error', '', 'result', ARGV[a + 1])
  redis.call('PEXPIRE', hash, ARGV[3])
  ids[#ids + 1] = ARGV[a]
end
if #ids > 0 then
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
  redis.call('XDEL', KEYS[1], unpack(ids))
end
return #ids
