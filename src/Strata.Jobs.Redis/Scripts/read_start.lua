-- Reads new entries of the work stream for this consumer (XREADGROUP, COUNT = the worker's free slots) and marks
-- their jobs running in the same call, so a batch costs one round trip instead of two (read, then start_batch).
-- The status hashes are named from ARGV[5] and the entry's job id (field 'i'; for an entry without it, the
-- envelope's Id); they carry the same {queue} hash tag as the stream, so they live in the same cluster slot.
-- Creates the consumer group when it is missing (a new queue, or a server that lost its data).
-- KEYS[1] work stream
-- ARGV[1] consumer group
-- ARGV[2] consumer name
-- ARGV[3] most entries to read
-- ARGV[4] now, unix ms
-- ARGV[5] status hash key prefix ('...{queue}:job:')
-- ARGV[6] index key prefix ('...{queue}:ix:'); a started job leaves ix:s:<its state> for ix:s:running
-- Returns a flat list of triples {entry id, envelope JSON or false, outcome}: 1 = run, 0 = skip (cancelled,
-- finished, or its status gone: acknowledged and deleted), -1 = not an envelope this library wrote (left to the caller).
local function read()
  return redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
end
local reply = read()
if type(reply) == 'table' and reply.err then
  if string.find(reply.err, 'NOGROUP', 1, true) then
    redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
    reply = read()
  end
  if type(reply) == 'table' and reply.err then return reply end
end
local out = {}
if not reply or not reply[1] then return out end
for _, entry in ipairs(reply[1][2]) do
  local id = entry[1]
  local fields = entry[2]
  local envelope, jobId, attempt = false, nil, nil
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 'e' then envelope = fields[i + 1]
    elseif name == 'i' then jobId = fields[i + 1]
    elseif name == 'a' then attempt = fields[i + 1] end
  end
  local outcome = -1
  if envelope and not jobId then
    -- An entry without the id beside the envelope (written by an older version): read it from the JSON.
    local ok, decoded = pcall(cjson.decode, envelope)
    if ok and type(decoded) == 'table' and type(decoded['Id']) == 'string' then
      jobId = decoded['Id']
      attempt = tostring(decoded['Attempt'] or 1)
    end
  end
  if envelope and jobId then
    local hash = ARGV[5] .. jobId
    local f = redis.call('HMGET', hash, 'state', 'ix')
    local state = f[1]
    if not state or state == 'cancelled' or state == 'succeeded' or state == 'dead' then
      redis.call('XACK', KEYS[1], ARGV[1], id)
      redis.call('XDEL', KEYS[1], id)
      outcome = 0
    else
      -- No 'scheduled' field to clear: promote.lua removed it when it moved the job to the stream.
      redis.call('HSET', hash, 'state', 'running', 'attempt', attempt or '1', 'started', ARGV[4], 'redeliveries', '0')
      if f[2] and state ~= 'running' then
        if state then redis.call('ZREM', ARGV[6] .. 's:' .. state, f[2]) end
        redis.call('ZADD', ARGV[6] .. 's:running', 0, f[2])
      end
      outcome = 1
    end
  end
  out[#out + 1] = id
  out[#out + 1] = envelope
  out[#out + 1] = outcome
end
return out
