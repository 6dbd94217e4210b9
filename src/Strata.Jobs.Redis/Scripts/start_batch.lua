-- Marks a batch of just-delivered jobs running in one call (the start.lua step for many entries of one queue):
-- a job that was cancelled or already finished, or whose status is gone, is acknowledged and dropped; one delivered
-- more often than allowed is left for the caller to dead-letter.
-- KEYS[1] work stream
-- KEYS[2..n+1] job status hashes, one per entry, in the order of the ARGV triples
-- ARGV[1] consumer group
-- ARGV[2] now, unix ms
-- ARGV[3] max deliveries
-- ARGV[4] index key prefix ('...{queue}:ix:'); a started job leaves ix:s:<its state> for ix:s:running
-- ARGV[5 + 3(i-1)] stream entry id of job i; ARGV[6 + 3(i-1)] its attempt; ARGV[7 + 3(i-1)] its delivery count
-- Returns one outcome per job: 1 = run, 0 = skip, 2 = too many deliveries.
local outcomes = {}
local max = tonumber(ARGV[3])
for i = 2, #KEYS do
  local a = 5 + 3 * (i - 2)
  local hash = KEYS[i]
  local f = redis.call('HMGET', hash, 'state', 'ix')
  local state = f[1]
  if not state or state == 'cancelled' or state == 'succeeded' or state == 'dead' then
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[a])
    redis.call('XDEL', KEYS[1], ARGV[a])
    outcomes[i - 1] = 0
  else
    local deliveries = tonumber(ARGV[a + 2])
    if deliveries > max then
      redis.call('HSET', hash, 'redeliveries', tostring(deliveries - 1))
      outcomes[i - 1] = 2
    else
      redis.call('HSET', hash, 'state', 'running', 'attempt', ARGV[a + 1], 'started', ARGV[2], 'redeliveries', tostring(deliveries - 1))
      redis.call('HDEL', hash, 'scheduled')
      if f[2] and state ~= 'running' then
        if state then redis.call('ZREM', ARGV[4] .. 's:' .. state, f[2]) end
        redis.call('ZADD', ARGV[4] .. 's:running', 0, f[2])
      end
      outcomes[i - 1] = 1
    end
  end
end
return outcomes
