--[[
Strata rate limiting, coalesced: decides several requests in one call, one after the other in the
order given (the order they reached the node). Redis runs one script at a time, so each request gets
exactly the answer decide.lua (or gcra.lua, for a request with one GCRA limit) would give it alone
at the same instant, and a later request of the same partition sees what an earlier one took.
Every request is all or nothing on its own limits; one request's rejection never touches another's.
All keys of one call live on one Redis node (on a Cluster: one hash slot, as the client groups them).

KEYS     the keys of every request, request after request; request j's keys are those decide.lua
         (or gcra.lua) would get for it alone: {prefix}{policy}:{partition-tag}[:i]
ARGV[1]  time offset in microseconds added to the server's TIME (0 in production; tests move time)
then, per request, one of two shapes:
         one GCRA limit and no lease (the common policy), as gcra.lua takes it:
           0, cost (0 asks without taking), limit, period in microseconds
         any other: n (its number of limits, at least 1), cost, lease id (empty without a
           concurrency limit), then per limit: algorithm (0 GCRA, 1 token bucket, 2 fixed window,
           3 sliding window, 4 concurrency), limit, period in microseconds, tokens per period

Returns one reply per request, in order: what gcra.lua returns for the first shape (an admission
packed into one integer, reset_us * (limit + 1) + remaining, when (limit + 1) * (period + 1) < 2^53,
else { allowed, remaining, reset_us, retry_us }); what decide.lua returns for the other ({ all_allowed,
then per limit: allowed, remaining, reset_us, retry_us }). The time is read once: all requests of a
call are decided at one instant, and the GCRA keys of the first shape are read with one MGET
(later requests of the call see what earlier ones wrote). Every key written gets a TTL. The arithmetic is that of decide.lua
and gcra.lua (Store/Algorithms.cs of Strata.RateLimiting).
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
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

-- GCRA state, read for every lean request of the call with one MGET before the first decision; later reads of a key
-- see what earlier requests of the call wrote (arrival order), as they would one by one.
local tats = {}

local function get_tat(key)
  local v = tats[key]
  if v == nil then
    v = redis.call('GET', key)
    tats[key] = v
  end
  return v
end

local function set_tat(key, tat, us)
  redis.call('SET', key, num(tat), 'PX', ttl(us))
  tats[key] = tat
end

-- One limit: returns ok, remaining, reset, retry and, when ok, the write that takes the permits (not yet done).
local function limit_of(key, alg, limit, period, per, cost, lease)
  if alg == 0 then
    local interval = period / limit
    local stored = get_tat(key)
    local tat = now
    if stored then tat = math.max(tonumber(stored), now) end
    local newtat = tat + cost * interval
    local allowat = newtat - period
    if now + eps < allowat then
      return false, math.max(0, math.floor((period - (tat - now)) / interval + eps)), up(tat - now), up(allowat - now)
    end
    return true, math.max(0, math.floor((period - (newtat - now)) / interval + eps)), up(newtat - now), 0,
      function() set_tat(key, newtat, newtat - now) end
  elseif alg == 1 then
    local rate = per / period
    local h = redis.call('HMGET', key, 't', 'ts')
    local tokens = limit
    if h[1] and h[2] then tokens = math.min(limit, tonumber(h[1]) + math.max(0, now - tonumber(h[2])) * rate) end
    if tokens + eps < cost then
      return false, math.floor(tokens + eps), up((limit - tokens) / rate), up((cost - tokens) / rate)
    end
    local left = math.max(0, tokens - cost)
    local tofull = (limit - left) / rate
    return true, math.floor(left + eps), up(tofull), 0,
      function()
        redis.call('HSET', key, 't', num(left), 'ts', num(now))
        redis.call('PEXPIRE', key, ttl(tofull))
      end
  elseif alg == 2 then
    local window = math.floor(now / period)
    local h = redis.call('HMGET', key, 'w', 'c')
    local count = 0
    if h[1] and tonumber(h[1]) == window then count = tonumber(h[2]) end
    local finish = (window + 1) * period
    local reset = up(finish - now)
    if count + cost > limit then
      return false, math.max(0, limit - count), reset, reset
    end
    count = count + cost
    return true, limit - count, reset, 0,
      function()
        redis.call('HSET', key, 'w', num(window), 'c', num(count))
        redis.call('PEXPIRE', key, ttl(finish - now))
      end
  elseif alg == 3 then
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
    local reset = up(towindowend)
    if estimate + cost > limit + eps then
      local wait
      if current + cost <= limit and previous > 0 then
        wait = math.max(0, period * (1 - (limit - current - cost) / previous) - elapsed)
      else
        local at = 0
        if current > 0 then at = math.max(0, period * (1 - (limit - cost) / current)) end
        wait = towindowend + at
      end
      return false, math.max(0, math.floor(limit - estimate + eps)), reset, math.max(1, up(wait))
    end
    local c = current + cost
    return true, math.max(0, math.floor(limit - estimate - cost + eps)), reset, 0,
      function()
        redis.call('HSET', key, 'w', num(window), 'c', num(c), 'p', num(previous))
        redis.call('PEXPIRE', key, ttl(towindowend + period))
      end
  elseif alg == 4 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now))
    local used = 0
    for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
      used = used + (tonumber(string.match(member, '#(%d+)$')) or 1)
    end
    if used + cost <= limit then
      return true, limit - used - cost, 0, 0,
        function()
          redis.call('ZADD', key, num(now + period), lease .. '#' .. cost)
          redis.call('PEXPIRE', key, ttl(period))
        end
    end
    return false, math.max(0, limit - used), 0, 0
  end
  return nil
end

-- One GCRA limit: gcra.lua's answer.
local function gcra(key, cost, limit, period)
  local probe = cost == 0
  if probe then cost = 1 end
  local interval = period / limit
  local tat = now
  local stored = get_tat(key)
  if stored then
    tat = tonumber(stored)
    if tat < now then tat = now end
  end
  local newtat = tat + cost * interval
  local allowat = newtat - period
  if now + eps < allowat then
    return { 0, math.max(0, math.floor((period - (tat - now)) / interval + eps)), up(tat - now), up(allowat - now) }
  end
  local d = newtat - now
  local remaining = math.max(0, math.floor((period - d) / interval + eps))
  local reset = up(d)
  if probe then
    remaining = math.min(limit, remaining + cost)
  else
    set_tat(key, newtat, d)
  end
  if (limit + 1) * (period + 1) < 9007199254740992 then
    return reset * (limit + 1) + remaining
  end
  return { 1, remaining, reset, 0 }
end

-- Any request: decide.lua's answer.
local function decide(k, a, n, cost, lease)
  local probe = cost == 0
  if probe then cost = 1 end
  local reply = { 0 }
  local all = true
  local writes = {}
  for i = 0, n - 1 do
    local b = a + i * 4
    local limit = tonumber(ARGV[b + 1])
    local ok, remaining, reset, retry, write =
      limit_of(KEYS[k + i], tonumber(ARGV[b]), limit, tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), cost, lease)
    if ok == nil then return nil, 'unknown algorithm ' .. tostring(ARGV[b]) end
    if ok then
      writes[#writes + 1] = write
      -- A limit that admits but whose permits are not taken (a probe, or another limit rejects) reports what it still has.
      if probe then remaining = math.min(limit, remaining + cost) end
    else
      all = false
    end
    reply[#reply + 1] = ok and 1 or 0
    reply[#reply + 1] = remaining
    reply[#reply + 1] = reset
    reply[#reply + 1] = retry
  end

  if all then
    reply[1] = 1
    if not probe then
      for _, w in ipairs(writes) do w() end
    end
  elseif not probe then
    for i = 0, n - 1 do
      local at = 2 + i * 4
      if reply[at] == 1 then reply[at + 1] = math.min(tonumber(ARGV[a + 1 + i * 4]), reply[at + 1] + cost) end
    end
  end
  return reply
end

-- The keys of the lean requests, read at once.
local lean = {}
do
  local k, a = 1, 2
  while a <= #ARGV do
    local n = tonumber(ARGV[a])
    if n == 0 then
      lean[#lean + 1] = KEYS[k]
      k = k + 1
      a = a + 4
    else
      k = k + n
      a = a + 3 + n * 4
    end
  end
end
if #lean > 0 then
  local values = redis.call('MGET', unpack(lean))
  for i = 1, #lean do tats[lean[i]] = values[i] end
end

local out = {}
local k = 1
local a = 2
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  if n == 0 then
    out[#out + 1] = gcra(KEYS[k], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]))
    k = k + 1
    a = a + 4
  else
    local reply, err = decide(k, a + 3, n, tonumber(ARGV[a + 1]), ARGV[a + 2])
    if reply == nil then return redis.error_reply(err) end
    out[#out + 1] = reply
    k = k + n
    a = a + 3 + n * 4
  end
end

return out
