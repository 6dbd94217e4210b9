-- Records a failed attempt and schedules the next one in the delayed set, acknowledging and deleting
-- the current stream entry in the same step (so the job is never both pending and scheduled).
-- If cancellation was requested meanwhile, the job ends cancelled instead (and enters the expiry set, as in
-- finish.lua). The job moves from ix:s:<its state> to the index of its new state.
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
-- ARGV[8] index key prefix ('...{queue}:ix:')
redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
local f = redis.call('HMGET', KEYS[1], 'state', 'ix', 'type', 'owner', 'cancel')
local ixp = ARGV[8]
if f[5] == '1' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'completed', ARGV[6], 'error', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
  if f[2] then
    if f[1] then redis.call('ZREM', ixp .. 's:' .. f[1], f[2]) end
    redis.call('ZADD', ixp .. 's:cancelled', 0, f[2])
    local t = redis.call('TIME')
    local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[7])
    redis.call('ZADD', ixp .. 'exp', string.format('%.0f', expires), f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
  end
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[5], 'scheduled', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
if f[2] and f[1] ~= 'failed' then
  if f[1] then redis.call('ZREM', ixp .. 's:' .. f[1], f[2]) end
  redis.call('ZADD', ixp .. 's:failed', 0, f[2])
end
return 1
