-- Records a final state (succeeded, dead or cancelled), acknowledges and deletes the stream entry, and
-- lets the status hash expire after the retention period. A dead job's envelope is kept in its hash
-- (for requeue) and appended to the dead-letter stream, which alone is trimmed. The job moves to
-- the index of its final state and is entered in the expiry set (ix:exp, score = when its hash expires by Redis
-- TIME, member = index member, type and owner joined by NUL), from which sweep.lua drops it from every index.
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- KEYS[3] dead-letter stream
-- ARGV[1] stream entry id, or '' when the job holds no entry
-- ARGV[2] consumer group
-- ARGV[3] final state: 'succeeded', 'dead' or 'cancelled'
-- ARGV[4] now, unix ms
-- ARGV[5] retention in ms
-- ARGV[6] result JSON, or ''
-- ARGV[7] error summary, or ''
-- ARGV[8] envelope JSON (used for 'dead')
-- ARGV[9] job id
-- ARGV[10] dead-letter stream approximate max length
-- ARGV[11] index key prefix ('...{queue}:ix:')
local f = redis.call('HMGET', KEYS[1], 'state', 'ix', 'type', 'owner')
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'completed', ARGV[4])
redis.call('HDEL', KEYS[1], 'scheduled', 'cancel')
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[7]) elseif ARGV[3] == 'succeeded' then redis.call('HDEL', KEYS[1], 'error') end
if ARGV[3] == 'dead' then
  redis.call('HSET', KEYS[1], 'env', ARGV[8])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[10], '*', 'id', ARGV[9], 'error', ARGV[7], 'e', ARGV[8])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if f[2] then
  local ixp = ARGV[11]
  if f[1] and f[1] ~= ARGV[3] then redis.call('ZREM', ixp .. 's:' .. f[1], f[2]) end
  redis.call('ZADD', ixp .. 's:' .. ARGV[3], 0, f[2])
  local t = redis.call('TIME')
  local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[5])
  redis.call('ZADD', ixp .. 'exp', string.format('%.0f', expires), f[2] .. '\0' .. (f[3] or '') .. '\0' .. (f[4] or ''))
end
if ARGV[1] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
  redis.call('XDEL', KEYS[2], ARGV[1])
end
return 1
