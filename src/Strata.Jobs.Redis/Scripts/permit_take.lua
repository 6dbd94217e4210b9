-- Takes one permit of a sliding-window limit: a log of the times permits were taken (unix microseconds, Redis
-- TIME). Times that have left the window are dropped first; a permit is taken only while the log holds fewer than
-- the limit, so no window of that length ever holds more. The key expires one window after the last permit.
-- KEYS[1] permit log (sorted set: score = time taken, member = a unique id)
-- ARGV[1] most permits in a window
-- ARGV[2] window in microseconds
-- ARGV[3] a unique member for this permit
-- Returns 0 when taken, else the microseconds until the oldest permit leaves the window (at least 1).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
-- Numbers go to Redis as '%.0f' strings: Lua's own conversion keeps only 14 digits.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil(window / 1000) + 1))
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
