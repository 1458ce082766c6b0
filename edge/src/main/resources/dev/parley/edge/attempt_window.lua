-- Fixed-window attempt counter. KEYS[1] count STRING; ARGV limit, window (ms), count (1: add this
-- attempt, 0: only look). Returns 0 if the attempt may go ahead, else the ms until the window ends.
-- A blocked attempt is not counted, so the window is never extended by retries.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= limit then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], window)
    ttl = window
  end
  return ttl
end
if ARGV[3] == '1' then
  if redis.call('INCR', KEYS[1]) == 1 then
    redis.call('PEXPIRE', KEYS[1], window)
  end
end
return 0
