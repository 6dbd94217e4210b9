-- Gives back a delivery that did not run to an end (its worker is shutting down): appends the envelope
-- as a new entry, acknowledges and deletes the old one, and wakes the workers.
-- KEYS[1] job status hash
-- KEYS[2] work stream
-- ARGV[1] stream entry id
-- ARGV[2] consumer group
-- ARGV[3] envelope JSON
-- ARGV[4] wake channel
-- ARGV[5] job id
-- ARGV[6] attempt of the envelope
-- ARGV[7] index key prefix ('...{queue}:ix:'); a running job moves from ix:s:running to ix:s:queued
redis.call('XADD', KEYS[2], '*', 'e', ARGV[3], 'i', ARGV[5], 'a', ARGV[6])
redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
local f = redis.call('HMGET', KEYS[1], 'state', 'ix')
if f[1] == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'queued')
  if f[2] then
    redis.call('ZREM', ARGV[7] .. 's:running', f[2])
    redis.call('ZADD', ARGV[7] .. 's:queued', 0, f[2])
  end
end
redis.call('PUBLISH', ARGV[4], 'queued')
return 1
