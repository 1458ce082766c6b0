-- Fixed-window attempt counter. KEYS[1] count STRING; ARGV limit, window (ms), mode (1: count this
-- attempt, -1: give back one counted attempt that turned out not to count, e.g. a login that
-- succeeded). Returns 0 if the attempt may go ahead, else the ms until the window ends.
-- A blocked attempt is not counted, so the window is never extended by retries. Counting before the
-- attempt is made, in one script, is what keeps parallel attempts within the limit.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[3] == '-1' then
  if count > 0 then
    redis.call('DECR', KEYS[1])
  end
  return 0
end
if count >= limit then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], window)
    ttl = window
  end
  return ttl
end
if redis.call('INCR', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], window)
end
return 0
