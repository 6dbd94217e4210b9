-- Cancels a job: one that waits (queued, scheduled, failed) is marked cancelled and is dropped when it
-- comes up; a running one gets a cancel flag (the caller then tells the workers over Pub/Sub). A job cancelled
-- here moves to ix:s:cancelled and enters the expiry set, as in finish.lua.
-- KEYS[1] job status hash
-- ARGV[1] now, unix ms
-- ARGV[2] retention in ms
-- ARGV[3] index key prefix ('...{queue}:ix:')
-- Returns 0 = unknown or finished, 1 = cancelled, 2 = running (cancel requested).
local f = redis.call('HMGET', KEYS[1], 'state', 'ix', 'type', 'owner')
local state = f[1]
if state == 'queued' or state == 'scheduled' or state == 'failed' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'completed', ARGV[1])
  redis.call('HDEL', KEYS[1], 'scheduled')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  if f[2] then
    local ixp = ARGV[3]
    redis.call('ZREM', ixp .. 's:' .. state, f[2])
    redis.call('ZADD', ixp .. 's:cancelled', 0, f[2])
    local t = redis.call('TIME')
    local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
    redis.call('ZADD', ixp .. 'exp', string.format('%.0f', expires), f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
  end
  return 1
end
if state == 'running' then
  redis.call('HSET', KEYS[1], 'cancel', '1')
  return 2
end
return 0
