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
redis.call('XADD', KEYS[2], '*', 'e', ARGV[3], 'i', ARGV[5], 'a', ARGV[6])
redis.call('XACK', KEYS[2], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'state') == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'queued')
end
redis.call('PUBLISH', ARGV[4], 'queued')
return 1
