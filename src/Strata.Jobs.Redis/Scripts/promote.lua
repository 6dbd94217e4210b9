-- Moves delayed jobs whose time has come from the delayed set to the work stream. A job cancelled while
-- it waited is dropped, and so is one whose status is gone (it expired after the job was cancelled, or was
-- forgotten). The status hashes are named from ARGV[4] and the indexes from ARGV[5]; they carry the same {queue}
-- hash tag as the keys, so they live in the same
-- cluster slot.
-- KEYS[1] delayed set
-- KEYS[2] work stream
-- ARGV[1] now, unix ms
-- ARGV[2] most jobs to move in one call
-- ARGV[3] wake channel
-- ARGV[4] status hash key prefix ('...{queue}:job:')
-- ARGV[5] index key prefix ('...{queue}:ix:'); a moved job leaves ix:s:<its state> for ix:s:queued
-- Returns {jobs moved, score of the next delayed job or -1}.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
for _, envelope in ipairs(due) do
  redis.call('ZREM', KEYS[1], envelope)
  local decoded = cjson.decode(envelope)
  local id = decoded['Id']
  local hash = ARGV[4] .. id
  local f = redis.call('HMGET', hash, 'state', 'ix')
  local state = f[1]
  if state and state ~= 'cancelled' and state ~= 'succeeded' and state ~= 'dead' then
    redis.call('XADD', KEYS[2], '*', 'e', envelope, 'i', id, 'a', tostring(decoded['Attempt'] or 1))
    redis.call('HSET', hash, 'state', 'queued')
    redis.call('HDEL', hash, 'scheduled')
    if f[2] then
      redis.call('ZREM', ARGV[5] .. 's:' .. state, f[2])
      redis.call('ZADD', ARGV[5] .. 's:queued', 0, f[2])
    end
    moved = moved + 1
  end
end
if moved > 0 then redis.call('PUBLISH', ARGV[3], 'queued') end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if next[2] then return {moved, next[2]} end
return {moved, '-1'}
