--[[
Strata rate limiting: gives back the concurrency permits of one lease.

KEYS[i]  a concurrency limit's sorted set: {prefix}:{policy}:{partition-tag}[:i]
ARGV[1]  the permit's member name: lease id, '#', cost

Returns the number of permits removed. Keys keep the TTL set when the permit was taken.
]]
local removed = 0
for i = 1, #KEYS do
  removed = removed + redis.call('ZREM', KEYS[i], ARGV[1])
end
return removed
