-- Drops jobs whose status hash has expired from every search index of their queue. The expiry set holds one entry
-- per finished job: score = when its hash expires (unix ms, Redis TIME), member = index member, job type and owner
-- joined by NUL, which name the indexes to clean even though the hash is gone. An entry that is due while its hash
-- still lives (a later finish extended it) is moved to the hash's new expiry. One whose hash no longer expires is
-- dropped: when the hash is the job's own (it holds the job's index member: requeued) its indexes are kept; when it is
-- not (a write that came after the status expired, such as a late redelivery marking it running, re-created the
-- hash with that one field and no expiry), the remnant is deleted and the job leaves every index, as if it had
-- expired, so nothing in the indexes outlives retention.
-- KEYS[1] expiry set   {queue}:ix:exp
-- ARGV[1] status hash key prefix ('...{queue}:job:')
-- ARGV[2] index key prefix ('...{queue}:ix:')
-- ARGV[3] most entries to look at
-- Returns {jobs dropped from the indexes, entries looked at}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local ixp = ARGV[2]
local states = { 'queued', 'scheduled', 'running', 'succeeded', 'failed', 'dead', 'cancelled' }
local dropped = 0
for _, entry in ipairs(due) do
  local z1 = string.find(entry, '\0', 1, true)
  local z2 = z1 and string.find(entry, '\0', z1 + 1, true)
  if not z2 then
    redis.call('ZREM', KEYS[1], entry)
  else
    local member = string.sub(entry, 1, z1 - 1)
    local jobType = string.sub(entry, z1 + 1, z2 - 1)
    local owner = string.sub(entry, z2 + 1)
    local hash = ARGV[1] .. string.sub(member, 21)
    local ttl = redis.call('PTTL', hash)
    if ttl == -1 and redis.call('HGET', hash, 'ix') ~= member then
      redis.call('DEL', hash)
      ttl = -2
    end
    if ttl > 0 then
      redis.call('ZADD', KEYS[1], string.format('%.0f', now + ttl), entry)
    else
      if ttl == -2 then
        redis.call('ZREM', ixp .. 'all', member)
        for _, state in ipairs(states) do redis.call('ZREM', ixp .. 's:' .. state, member) end
        redis.call('ZREM', ixp .. 't:' .. jobType, member)
        if owner ~= '' then redis.call('ZREM', ixp .. 'o:' .. owner, member) end
        dropped = dropped + 1
      end
      redis.call('ZREM', KEYS[1], entry)
    end
  end
end
return { dropped, #due }
