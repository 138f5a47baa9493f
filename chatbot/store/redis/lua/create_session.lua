-- ARGV: P, token hash, agent, created at, expires at, seconds to keep
local skey, sessions = P .. 's:' .. ARGV[2], P .. 'a:' .. ARGV[3] .. ':sessions'
redis.call('HSET', skey, 'agent_id', ARGV[3], 'created_at', ARGV[4], 'expires_at', ARGV[5])
redis.call('EXPIRE', skey, ARGV[6])
redis.call('ZREMRANGEBYSCORE', sessions, '-inf', '(' .. ARGV[4])
redis.call('ZADD', sessions, ARGV[5], ARGV[2])
if redis.call('TTL', sessions) < tonumber(ARGV[6]) then
  redis.call('EXPIRE', sessions, ARGV[6])
end
