-- Settles a delivery that a fleet-wide limit held back, without running it: acknowledges and deletes its stream
-- entry and puts the job in the delayed set for its run time, with its attempt unchanged: the envelope is the same
-- attempt's, and the status shows the attempts spent before this delivery (ARGV[8]). Promotion later appends a fresh
-- entry, so the wait counts as no redelivery. If cancellation was
-- requested meanwhile, the job ends cancelled instead (entered in the expiry set, as in finish.lua).
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- KEYS[3] delayed set
-- ARGV[1] stream entry id
-- ARGV[2] consumer group
-- ARGV[3] run time, unix ms
-- ARGV[4] envelope JSON (EnqueuedAt = run time)
-- ARGV[5] now, unix ms
-- ARGV[6] retention in ms
-- ARGV[7] index key prefix ('...{queue}:ix:')
-- ARGV[8] attempts spent before this delivery (the envelope's attempt minus one)
-- Returns 1 when deferred, 0 when the job ended cancelled.
redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
local f = redis.call('HMGET', KEYS[1], 'state', 'ix', 'type', 'owner', 'cancel')
local ixp = ARGV[7]
local to = 'scheduled'
if f[5] == '1' then
  to = 'cancelled'
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'completed', ARGV[5])
  redis.call('HDEL', KEYS[1], 'cancel', 'scheduled')
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
else
  redis.call('HSET', KEYS[1], 'state', 'scheduled', 'scheduled', ARGV[3], 'redeliveries', '0', 'attempt', ARGV[8])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
end
if f[2] and f[1] ~= to then
  if f[1] then redis.call('ZREM', ixp .. 's:' .. f[1], f[2]) end
  redis.call('ZADD', ixp .. 's:' .. to, 0, f[2])
end
if to == 'cancelled' then
  if f[2] then
    local t = redis.call('TIME')
    local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
    redis.call('ZADD', ixp .. 'exp', string.format('%.0f', expires), f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
  end
  return 0
end
return 1
