-- Walks one queue's search index newest first and, for each job that matches the filter, returns its status
-- ('search'), requeues it ('requeue', dead jobs) or forgets it ('delete', finished jobs). Index members
-- are '<creation time in .NET ticks, 19 digits>:<job id>' in sorted sets of score 0, so ZREVRANGEBYLEX orders them by
-- creation time, then id, both descending, and a member is an exact cursor. Of the candidate indexes (each filter's
-- own index, all holding only matching jobs of their filter) the smallest is walked and the other filters are
-- checked on the status hash. A walk stops after ARGV[10] matches or ARGV[11] index entries, so one call never
-- holds the server for long; the caller goes on from the last member looked at.
-- KEYS[1] work stream (for 'requeue')
-- KEYS[2..n] candidate indexes, e.g. {queue}:ix:s:dead, {queue}:ix:o:<owner>, or {queue}:ix:all
-- ARGV[1] 'search', 'requeue' or 'delete'
-- ARGV[2] status hash key prefix ('...{queue}:job:')
-- ARGV[3] index key prefix ('...{queue}:ix:')
-- ARGV[4] upper bound, exclusive '(<member>' or '+'
-- ARGV[5] lower bound, inclusive '[<member>' or '-'
-- ARGV[6] state, or '' for any
-- ARGV[7] job type, or '' for any
-- ARGV[8] owner, or '' for any
-- ARGV[9] finished before, unix ms, or '' for no such filter
-- ARGV[10] most matches
-- ARGV[11] most index entries to look at
-- ARGV[12] for 'requeue': the new EnqueuedAt as the envelope writes it (ISO 8601)
-- ARGV[13] for 'requeue': wake channel
-- A forgotten job's hash is deleted; one cancelled while it waited leaves a tombstone (state 'cancelled', 'gone' set)
-- until its status would have expired, so its entry, if still queued or delayed, is dropped and never runs.
-- Returns {matches touched, last member looked at or '', 1 when the index has no more entries else 0, then for
-- 'search' per match: member followed by the 15 status fields in the order of 'fields' below}.
local fields = { 'type', 'queue', 'state', 'attempt', 'max', 'redeliveries', 'created', 'scheduled', 'started',
  'completed', 'progress', 'pmsg', 'result', 'error', 'owner' }
local op, jp, ixp = ARGV[1], ARGV[2], ARGV[3]
local wantState, wantType, wantOwner = ARGV[6], ARGV[7], ARGV[8]
local finishedBefore = ARGV[9] ~= '' and tonumber(ARGV[9]) or nil
local maxMatches, budget = tonumber(ARGV[10]), tonumber(ARGV[11])
local finished = { succeeded = true, dead = true, cancelled = true }

local index, size = KEYS[2], redis.call('ZCARD', KEYS[2])
for i = 3, #KEYS do
  local n = redis.call('ZCARD', KEYS[i])
  if n < size then index, size = KEYS[i], n end
end

local function matches(f)
  local state = f[3]
  if not state then return false end
  if wantState ~= '' and state ~= wantState then return false end
  if wantType ~= '' and f[1] ~= wantType then return false end
  if wantOwner ~= '' and f[15] ~= wantOwner then return false end
  if finishedBefore then
    if not finished[state] or not f[10] or tonumber(f[10]) >= finishedBefore then return false end
  end
  if op == 'requeue' then return state == 'dead' end
  if op == 'delete' then return finished[state] == true end
  return true
end

local function requeue(member, hash, id, f)
  local env = redis.call('HGET', hash, 'env')
  if not env then return false end
  local envelope = cjson.decode(env)
  envelope['Attempt'] = 1
  envelope['EnqueuedAt'] = ARGV[12]
  redis.call('XADD', KEYS[1], '*', 'e', cjson.encode(envelope), 'i', id, 'a', '1')
  redis.call('HSET', hash, 'state', 'queued', 'attempt', '0', 'redeliveries', '0')
  redis.call('HDEL', hash, 'completed', 'env', 'cancel')
  redis.call('PERSIST', hash)
  redis.call('ZREM', ixp .. 's:' .. f[3], member)
  redis.call('ZADD', ixp .. 's:queued', 0, member)
  redis.call('ZREM', ixp .. 'exp', member .. '\0' .. (f[1] or '') .. '\0' .. (f[15] or ''))
  return true
end

local function forget(member, hash, id, f)
  redis.call('ZREM', ixp .. 'all', member)
  redis.call('ZREM', ixp .. 's:' .. f[3], member)
  redis.call('ZREM', ixp .. 't:' .. (f[1] or ''), member)
  if f[15] and f[15] ~= '' then redis.call('ZREM', ixp .. 'o:' .. f[15], member) end
  redis.call('ZREM', ixp .. 'exp', member .. '\0' .. (f[1] or '') .. '\0' .. (f[15] or ''))
  local idem = redis.call('HGET', hash, 'idem')
  if idem and redis.call('GET', idem) == id then redis.call('DEL', idem) end
  local ttl = redis.call('PTTL', hash)
  redis.call('DEL', hash)
  if f[3] == 'cancelled' and ttl > 0 then
    -- Cancelled while it waited, its entry may still be in the stream or the delayed set: a tombstone ('gone',
    -- read as unknown) keeps it from running when it comes up, and expires when the status would have.
    redis.call('HSET', hash, 'state', 'cancelled', 'gone', '1')
    redis.call('PEXPIRE', hash, ttl)
  end
  return true
end

local out = { 0, '', 0 }
local touched, scanned, last, upper = 0, 0, '', ARGV[4]
local exhausted = 0
while touched < maxMatches and scanned < budget do
  local want = math.min(budget - scanned, math.max(maxMatches - touched, 1) * 2, 500)
  local chunk = redis.call('ZREVRANGEBYLEX', index, upper, ARGV[5], 'LIMIT', 0, want)
  for _, member in ipairs(chunk) do
    scanned = scanned + 1
    last = member
    local id = string.sub(member, 21)
    local hash = jp .. id
    local f = redis.call('HMGET', hash, unpack(fields))
    if matches(f) then
      local done = true
      if op == 'search' then
        out[#out + 1] = member
        for i = 1, #fields do out[#out + 1] = f[i] end
      elseif op == 'requeue' then
        done = requeue(member, hash, id, f)
      else
        done = forget(member, hash, id, f)
      end
      if done then touched = touched + 1 end
      if touched >= maxMatches then break end
    end
  end
  if #chunk < want and last == (chunk[#chunk] or last) and touched < maxMatches then
    exhausted = 1
    break
  end
  upper = '(' .. last
end
if op == 'requeue' and touched > 0 then redis.call('PUBLISH', ARGV[13], 'queued') end
out[1], out[2], out[3] = touched, last, exhausted
return out
