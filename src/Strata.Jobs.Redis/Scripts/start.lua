-- Marks a delivered job running, unless it was cancelled or already finished, or its status is gone (expired after
-- it finished or was cancelled, or forgotten: then the delivery is acknowledged and dropped), or delivered more often than allowed (then the caller dead-letters it).
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- ARGV[1] stream entry id
-- ARGV[2] consumer group
-- ARGV[3] now, unix ms
-- ARGV[4] attempt number
-- ARGV[5] delivery count of this entry
-- ARGV[6] max deliveries
-- ARGV[7] index key prefix ('...{queue}:ix:'); a started job leaves ix:s:<its state> for ix:s:running
-- Returns 1 = run, 0 = skip, 2 = too many deliveries.
local f = redis.call('HMGET', KEYS[1], 'state', 'ix')
local state = f[1]
if not state or state == 'cancelled' or state == 'succeeded' or state == 'dead' then
  redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
  redis.call('XDEL', KEYS[2], ARGV[1])
  return 0
end
local deliveries = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'redeliveries', tostring(deliveries - 1))
if deliveries > tonumber(ARGV[6]) then
  return 2
end
redis.call('HSET', KEYS[1], 'state', 'running', 'attempt', ARGV[4], 'started', ARGV[3])
redis.call('HDEL', KEYS[1], 'scheduled')
if f[2] and state ~= 'running' then
  if state then redis.call('ZREM', ARGV[7] .. 's:' .. state, f[2]) end
  redis.call('ZADD', ARGV[7] .. 's:running', 0, f[2])
end
return 1
