-- Finds the queued jobs that wait longest in a queue: the first entries of the work stream that no worker has read
-- yet (after the consumer group's last-delivered id) whose job is still queued (a cancelled job's entry stays until a
-- worker drops it). The caller takes the earliest EnqueuedAt among them.
-- KEYS[1] work stream
-- ARGV[1] consumer group
-- ARGV[2] status hash key prefix ('...{queue}:job:')
-- ARGV[3] most entries to look at
-- ARGV[4] most envelopes to return
-- Returns the envelope JSON of up to ARGV[4] such jobs, oldest entry first.
local groups = redis.pcall('XINFO', 'GROUPS', KEYS[1])
if type(groups) == 'table' and groups.err then return {} end
local from = '-'
for _, g in ipairs(groups) do
  local name, last = nil, nil
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
  end
  if name == ARGV[1] and last then from = '(' .. last end
end
local out = {}
local entries = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', tonumber(ARGV[3]))
for _, entry in ipairs(entries) do
  local fields = entry[2]
  local envelope, id = nil, nil
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then envelope = fields[i + 1] elseif fields[i] == 'i' then id = fields[i + 1] end
  end
  if envelope and id and redis.call('HGET', ARGV[2] .. id, 'state') == 'queued' then
    out[#out + 1] = envelope
    if #out >= tonumber(ARGV[4]) then break end
  end
end
return out
