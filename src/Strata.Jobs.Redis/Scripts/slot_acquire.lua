-- Takes or renews one of a scope's concurrency slots. The set holds the holders, scored by when their lease ends
-- (unix ms, Redis TIME); holders whose lease has ended are dropped first. The key expires with its last lease.
-- KEYS[1] slot set
-- ARGV[1] most holders
-- ARGV[2] holder
-- ARGV[3] lease in ms
-- Returns 1 when the holder holds a slot now, 0 when all are taken.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[3])), ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(1, tonumber(last[2]) - now)))
return 1
