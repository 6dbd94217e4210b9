-- Puts a dead job back on its queue with a fresh set of attempts. The job leaves the expiry set (its hash no longer expires) and moves to ix:s:queued.
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- ARGV[1] envelope JSON (attempt 1)
-- ARGV[2] wake channel
-- ARGV[3] job id
-- ARGV[4] index key prefix ('...{queue}:ix:')
-- Returns 1 when requeued, 0 when the job is not dead.
local f = redis.call('HMGET', KEYS[1], 'state', 'ix', 'type', 'owner', 'env')
if f[1] ~= 'dead' or not f[5] then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'e', ARGV[1], 'i', ARGV[3], 'a', '1')
redis.call('HSET', KEYS[1], 'state', 'queued', 'attempt', '0', 'redeliveries', '0')
redis.call('HDEL', KEYS[1], 'completed', 'env', 'cancel')
redis.call('PERSIST', KEYS[1])
if f[2] then
  local ixp = ARGV[4]
  redis.call('ZREM', ixp .. 's:' .. f[1], f[2])
  redis.call('ZADD', ixp .. 's:queued', 0, f[2])
  redis.call('ZREM', ixp .. 'exp', f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
end
redis.call('PUBLISH', ARGV[2], 'queued')
return 1
