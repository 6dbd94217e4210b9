-- Writes a recurring-job schedule if its stored version is the one the caller read (compare-and-set). The hash
-- holds one field per schedule: name -> '<version>:<data>'.
-- KEYS[1] schedules hash
-- ARGV[1] schedule name
-- ARGV[2] data
-- ARGV[3] expected version (0: only when no schedule has the name)
-- Returns 1 when written (the new version is the expected one plus one), 0 when the stored version differs.
local current = redis.call('HGET', KEYS[1], ARGV[1])
local version = 0
if current then version = tonumber(string.match(current, '^(%d+):')) or -1 end
if version ~= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], tostring(version + 1) .. ':' .. ARGV[2])
return 1
