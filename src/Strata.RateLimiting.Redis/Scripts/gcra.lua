--[[
Strata rate limiting, lean GCRA: decides one request of a policy with a single GCRA limit (the
default), in one round trip with three Redis calls (TIME, GET, SET PX). The arithmetic and the
answers are those of decide.lua's GCRA branch; decide.lua still serves every other policy
(several limits, other algorithms, concurrency).

KEYS[1]  theoretical arrival time (TAT) of the limit: {prefix}:{policy}:{partition-tag}
ARGV[1]  cost: permits asked for; 0 asks whether one permit is available without taking it
ARGV[2]  limit: permits per period
ARGV[3]  period in microseconds
ARGV[4]  optional: time offset in microseconds added to the server's TIME (absent in production; tests move time)

Returns { allowed, remaining, reset_us, retry_us } as integers; an admission returns one integer instead,
reset_us * (limit + 1) + remaining, when (limit + 1) * (period + 1) < 2^53 (exact in a Lua number): one
integer reply is cheaper to build, send and read than an array of four (retry_us of an admission is 0).
Time comes from the server (TIME), never from a node's clock. The key written gets a TTL.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if ARGV[4] then now = now + tonumber(ARGV[4]) end
local cost = tonumber(ARGV[1])
local probe = cost == 0
if probe then cost = 1 end
local limit = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local eps = 1e-6
local interval = period / limit

local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  tat = tonumber(stored)
  if tat < now then tat = now end
end

local newtat = tat + cost * interval
local allowat = newtat - period
if now + eps < allowat then
  local remaining = math.floor((period - (tat - now)) / interval + eps)
  if remaining < 0 then remaining = 0 end
  local reset, retry = tat - now, allowat - now
  reset = reset > 0 and math.ceil(reset - eps) or 0
  retry = retry > 0 and math.ceil(retry - eps) or 0
  return { 0, remaining, reset, retry }
end

local d = newtat - now
local remaining = math.floor((period - d) / interval + eps)
if remaining < 0 then remaining = 0 end
local reset = d > 0 and math.ceil(d - eps) or 0
if probe then
  -- Nothing is taken: report what is left before the permit that was asked about.
  remaining = remaining + cost
  if remaining > limit then remaining = limit end
else
  local ms = math.ceil(d / 1000) + 1
  if ms < 1 then ms = 1 end
  redis.call('SET', KEYS[1], string.format('%.17g', newtat), 'PX', ms)
end
if (limit + 1) * (period + 1) < 9007199254740992 then
  return reset * (limit + 1) + remaining
end
return { 1, remaining, reset, 0 }
