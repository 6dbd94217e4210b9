-- Adds a batch of jobs of one queue (the enqueues that arrived while the previous call was on the wire). For each
-- job: with an idempotency key, the key is taken with SET NX PX first, and if it is already taken nothing is added
-- and the existing job id is returned; otherwise its status hash is created and it is either appended to the work
-- stream or, when it has a run time, added to the delayed set. Stream entries carry the job id ('i') and attempt
-- ('a') beside the envelope ('e'), so the worker's read_start.lua need not decode the JSON.
-- KEYS[1] work stream        {queue}:stream
-- KEYS[2] delayed set        {queue}:delayed   (score = run time, unix ms; member = envelope JSON)
-- KEYS[3] idle readers       {queue}:idle      (score = until when, unix ms; member = consumer name)
-- KEYS[2 + 2i] status hash of job i (i = 1..n)          {queue}:job:<id>
-- KEYS[3 + 2i] idempotency key of job i                 {queue}:idem:<key> (ignored when its flag is '0')
-- ARGV[1] wake channel (Pub/Sub) of the queue
-- ARGV[2] idempotency key lifetime in ms
-- ARGV[3] queue name
-- ARGV[4] now, unix ms
-- ARGV[5] index key prefix  {queue}:ix:  (search indexes: lexicographic sorted sets, score 0, member = index member)
-- ARGV[6 + 9(i-1)] .. ARGV[14 + 9(i-1)], for job i: job id, envelope JSON, run time in unix ms or '' to queue at
--   once, '1' when an idempotency key is given else '0', job type name, max attempts, owner tag or '', creation
--   time in unix ms, index member (creation time in .NET ticks, 19 digits, ':', job id)
-- Each added job enters the indexes ix:all, ix:s:<state>, ix:t:<type> and, with an owner, ix:o:<owner>; its hash
-- keeps the index member ('ix') and the idempotency key's name ('idem'), so later scripts can move or free them, and
-- the envelope as enqueued ('enq': payload and trace context for an operator's job detail; 'env' is another field,
-- the dead job's envelope that a requeue takes back).
-- Returns a flat list of pairs, one per job in order: {1, id} when added, {0, existing id} for a duplicate.
-- The wake-up PUBLISH (one per batch) goes out when a job was scheduled, or when some worker said it is about to
-- wait (a member of the idle set whose time has not passed): a worker announces itself there before its last read
-- of the stream, so a job added after that read always finds it; busy workers read on by themselves and cost no
-- Pub/Sub message.
local out = {}
local queued, scheduled = false, false
local n = (#KEYS - 3) / 2
local ixp = ARGV[5]
for i = 1, n do
  local a = 6 + 9 * (i - 1)
  local id = ARGV[a]
  local hash = KEYS[2 + 2 * i]
  local duplicate = nil
  if ARGV[a + 3] == '1' then
    local idem = KEYS[3 + 2 * i]
    if not redis.call('SET', idem, id, 'NX', 'PX', ARGV[2]) then
      duplicate = redis.call('GET', idem)
    end
  end
  if duplicate then
    out[#out + 1] = 0
    out[#out + 1] = duplicate
  else
    local at = ARGV[a + 2]
    local member, owner = ARGV[a + 8], ARGV[a + 6]
    redis.call('ZADD', ixp .. 'all', 0, member)
    redis.call('ZADD', ixp .. 't:' .. ARGV[a + 4], 0, member)
    if owner ~= '' then redis.call('ZADD', ixp .. 'o:' .. owner, 0, member) end
    if ARGV[a + 3] == '1' then redis.call('HSET', hash, 'idem', KEYS[3 + 2 * i]) end
    if at ~= '' then
      redis.call('ZADD', ixp .. 's:scheduled', 0, member)
      redis.call('HSET', hash, 'type', ARGV[a + 4], 'queue', ARGV[3], 'state', 'scheduled', 'max', ARGV[a + 5],
        'created', ARGV[a + 7], 'owner', ARGV[a + 6], 'scheduled', at, 'ix', member, 'enq', ARGV[a + 1])
      redis.call('ZADD', KEYS[2], at, ARGV[a + 1])
      scheduled = true
    else
      redis.call('ZADD', ixp .. 's:queued', 0, member)
      redis.call('HSET', hash, 'type', ARGV[a + 4], 'queue', ARGV[3], 'state', 'queued', 'max', ARGV[a + 5],
        'created', ARGV[a + 7], 'owner', ARGV[a + 6], 'ix', member, 'enq', ARGV[a + 1])
      redis.call('XADD', KEYS[1], '*', 'e', ARGV[a + 1], 'i', id, 'a', '1')
      queued = true
    end
    out[#out + 1] = 1
    out[#out + 1] = id
  end
end
if scheduled then
  redis.call('PUBLISH', ARGV[1], 'scheduled')
elseif queued and redis.call('ZCOUNT', KEYS[3], ARGV[4], '+inf') > 0 then
  redis.call('PUBLISH', ARGV[1], 'queued')
end
return out
