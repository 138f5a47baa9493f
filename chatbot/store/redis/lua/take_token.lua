-- ARGV: P, bucket, burst, rate, now, cost: as chatbot.rate_limit.RateLimiter._take
local key = P .. 'bucket:' .. ARGV[2]
local burst, rate, now, cost = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6])
local b = redis.call('HMGET', key, 'tokens', 'updated')
local tokens, updated = burst, now
if b[1] then tokens, updated = tonumber(b[1]), tonumber(b[2]) end
tokens = math.min(burst, tokens + (now - updated) * rate)
local wait = 0
if tokens >= 1.0 then
  tokens = tokens - cost
elseif rate > 0 then
  wait = (1.0 - tokens) / rate
else
  wait = 60.0
end
redis.call('HSET', key, 'tokens', fmt(tokens), 'updated', fmt(now))
-- A bucket left alone until it would be full again is the same as no bucket.
local keep = 86400000
if rate > 0 then keep = math.min(keep, math.ceil(((burst - tokens) / rate + 1) * 1000)) end
redis.call('PEXPIRE', key, keep)
return fmt(wait)
