-- ARGV: P, now, limit, leased until
local due = P .. 'outbox:due'
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])) do
  local okey = P .. 'o:' .. tostring(tonumber(m))
  out[#out + 1] = redis.call('HGETALL', okey)
  redis.call('HSET', okey, 'due_at', ARGV[4])
  redis.call('ZADD', due, ARGV[4], m)
end
return out
