-- Records a batch of succeeded jobs of one queue (the finish.lua step with state 'succeeded', for many jobs):
-- status, result and expiry of each, then one XACK and one XDEL for all their stream entries.
-- One HSET per job clears what an earlier attempt may have left by writing it empty, which reads as absent: the
-- error of a failed attempt ('error') and a result. A running job holds no 'scheduled' field (promote.lua removed
-- it), and a 'cancel' flag that came too late to stop the handler is left to expire with the hash: nothing reads
-- it once the job has succeeded. Each job moves to ix:s:succeeded and enters the expiry set, as in finish.lua.
-- KEYS[1] work stream
-- KEYS[2..n+1] job status hashes, in the order of the ARGV pairs
-- ARGV[1] consumer group
-- ARGV[2] now, unix ms
-- ARGV[3] retention in ms
-- ARGV[4] index key prefix ('...{queue}:ix:')
-- ARGV[5 + 2(i-1)] stream entry id of job i; ARGV[6 + 2(i-1)] its result JSON, or ''
-- Returns the number of jobs recorded.
local ids = {}
local ixp = ARGV[4]
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
for i = 2, #KEYS do
  local a = 5 + 2 * (i - 2)
  local hash = KEYS[i]
  local f = redis.call('HMGET', hash, 'state', 'ix', 'type', 'owner')
  redis.call('HSET', hash, 'state', 'succeeded', 'completed', ARGV[2], 'error', '', 'result', ARGV[a + 1])
  redis.call('PEXPIRE', hash, ARGV[3])
  if f[2] then
    if f[1] and f[1] ~= 'succeeded' then redis.call('ZREM', ixp .. 's:' .. f[1], f[2]) end
    redis.call('ZADD', ixp .. 's:succeeded', 0, f[2])
    redis.call('ZADD', ixp .. 'exp', string.format('%.0f', expires), f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
  end
  ids[#ids + 1] = ARGV[a]
end
if #ids > 0 then
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
  redis.call('XDEL', KEYS[1], unpack(ids))
end
return #ids
