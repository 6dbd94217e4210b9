--[[
Strata rate limiting: decides one request against one or more limits of one partition, all or
nothing (nothing is counted unless every limit admits the request). One call, one round trip.

KEYS[i]  state of limit i: {prefix}:{policy}:{partition-tag}[:i]. All keys of one call carry the
         same {partition} hash tag, so the call runs on Redis Cluster.
ARGV[1]  time offset in microseconds added to the server's TIME (0 in production; tests move time)
ARGV[2]  cost: permits asked for; 0 asks whether one permit is available without taking it
ARGV[3]  lease id: member name of concurrency permits (empty when the request has no concurrency limit)
ARGV[4 + 4(i-1)] .. ARGV[7 + 4(i-1)], for limit i:
         algorithm (0 GCRA, 1 token bucket, 2 fixed window, 3 sliding window, 4 concurrency),
         limit, period in microseconds (window, permit lifetime), tokens per period (token bucket)

Returns { all_allowed, then per limit: allowed, remaining, reset_us, retry_us } as integers.
Time comes from the server (TIME), never from a node's clock. Every key written gets a TTL.
The arithmetic matches Store/Algorithms.cs of Strata.RateLimiting.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local probe = cost == 0
if probe then cost = 1 end
local lease = ARGV[3]
local eps = 1e-6

local function up(x)
  if x <= 0 then return 0 end
  return math.ceil(x - eps)
end

local function num(x)
  return string.format('%.17g', x)
end

local function ttl(us)
  local ms = math.ceil(us / 1000) + 1
  if ms < 1 then ms = 1 end
  return ms
end

-- Writes wait until every limit has admitted the request (all or nothing). With one limit there is nothing to
-- wait for: the write happens at once, without queueing it.
local direct = #KEYS == 1 and not probe
local writes = {}
local function later(f, key, a, b, c)
  if direct then f(key, a, b, c) else writes[#writes + 1] = { f, key, a, b, c } end
end

local function set_tat(key, tat, ms)
  redis.call('SET', key, num(tat), 'PX', ms)
end

local function set_bucket(key, tokens, at, ms)
  redis.call('HSET', key, 't', num(tokens), 'ts', num(at))
  redis.call('PEXPIRE', key, ms)
end

local function set_window(key, window, count, ms)
  redis.call('HSET', key, 'w', num(window), 'c', num(count))
  redis.call('PEXPIRE', key, ms)
end

local function set_sliding(key, window, counts, ms)
  redis.call('HSET', key, 'w', num(window), 'c', num(counts[1]), 'p', num(counts[2]))
  redis.call('PEXPIRE', key, ms)
end

local function add_permit(key, expires, member, ms)
  redis.call('ZADD', key, num(expires), member)
  redis.call('PEXPIRE', key, ms)
end

local all = true
local out = { 0 }
local limits = {}

for i = 1, #KEYS do
  local b = 4 + (i - 1) * 4
  local alg = tonumber(ARGV[b])
  local limit = tonumber(ARGV[b + 1])
  local period = tonumber(ARGV[b + 2])
  local per = tonumber(ARGV[b + 3])
  local key = KEYS[i]
  local ok, remaining, reset, retry = false, 0, 0, 0

  if alg == 0 then
    -- GCRA: one theoretical arrival time.
    local interval = period / limit
    local stored = redis.call('GET', key)
    local tat = now
    if stored then tat = math.max(tonumber(stored), now) end
    local newtat = tat + cost * interval
    local allowat = newtat - period
    if now + eps < allowat then
      remaining = math.max(0, math.floor((period - (tat - now)) / interval + eps))
      reset = up(tat - now)
      retry = up(allowat - now)
    else
      ok = true
      remaining = math.max(0, math.floor((period - (newtat - now)) / interval + eps))
      reset = up(newtat - now)
      later(set_tat, key, newtat, ttl(newtat - now))
    end
  elseif alg == 1 then
    -- Token bucket: tokens and the time of the last refill.
    local rate = per / period
    local h = redis.call('HMGET', key, 't', 'ts')
    local tokens = limit
    if h[1] and h[2] then tokens = math.min(limit, tonumber(h[1]) + math.max(0, now - tonumber(h[2])) * rate) end
    if tokens + eps < cost then
      remaining = math.floor(tokens + eps)
      reset = up((limit - tokens) / rate)
      retry = up((cost - tokens) / rate)
    else
      ok = true
      local left = math.max(0, tokens - cost)
      local tofull = (limit - left) / rate
      remaining = math.floor(left + eps)
      reset = up(tofull)
      later(set_bucket, key, left, now, ttl(tofull))
    end
  elseif alg == 2 then
    -- Fixed window: window index and count.
    local window = math.floor(now / period)
    local h = redis.call('HMGET', key, 'w', 'c')
    local count = 0
    if h[1] and tonumber(h[1]) == window then count = tonumber(h[2]) end
    local finish = (window + 1) * period
    reset = up(finish - now)
    if count + cost > limit then
      remaining = math.max(0, limit - count)
      retry = reset
    else
      ok = true
      count = count + cost
      remaining = limit - count
      later(set_window, key, window, count, ttl(finish - now))
    end
  elseif alg == 3 then
    -- Approximated sliding window: current and previous counts, the previous weighted by overlap.
    local window = math.floor(now / period)
    local h = redis.call('HMGET', key, 'w', 'c', 'p')
    local previous, current = 0, 0
    if h[1] then
      local w = tonumber(h[1])
      if w == window then
        current = tonumber(h[2]); previous = tonumber(h[3])
      elseif w == window - 1 then
        previous = tonumber(h[2])
      end
    end
    local elapsed = now - window * period
    local estimate = previous * (1 - elapsed / period) + current
    local towindowend = period - elapsed
    reset = up(towindowend)
    if estimate + cost > limit + eps then
      local wait
      if current + cost <= limit and previous > 0 then
        wait = math.max(0, period * (1 - (limit - current - cost) / previous) - elapsed)
      else
        local at = 0
        if current > 0 then at = math.max(0, period * (1 - (limit - cost) / current)) end
        wait = towindowend + at
      end
      remaining = math.max(0, math.floor(limit - estimate + eps))
      retry = math.max(1, up(wait))
    else
      ok = true
      remaining = math.max(0, math.floor(limit - estimate - cost + eps))
      local c = current + cost
      later(set_sliding, key, window, { c, previous }, ttl(towindowend + period))
    end
  elseif alg == 4 then
    -- Concurrency: a sorted set of permits scored by expiry; members are lease#cost.
    redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now))
    local used = 0
    for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
      used = used + (tonumber(string.match(member, '#(%d+)$')) or 1)
    end
    if used + cost <= limit then
      ok = true
      remaining = limit - used - cost
      later(add_permit, key, now + period, lease .. '#' .. cost, ttl(period))
    else
      remaining = math.max(0, limit - used)
    end
  else
    return redis.error_reply('unknown algorithm ' .. tostring(ARGV[b]))
  end

  if not ok then all = false end
  limits[i] = limit
  out[#out + 1] = ok and 1 or 0
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
end

if all and not probe then
  for _, w in ipairs(writes) do w[1](w[2], w[3], w[4], w[5]) end
elseif not direct then
  -- Nothing was taken: limits that would have admitted the request report what they still have.
  for i = 1, #KEYS do
    local at = 2 + (i - 1) * 4
    if out[at] == 1 then out[at + 1] = math.min(limits[i], out[at + 1] + cost) end
  end
end

if all then out[1] = 1 end
return out
