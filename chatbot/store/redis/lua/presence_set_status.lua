-- ARGV: P, agent, status
if redis.call('ZCARD', P .. 'presence:a:' .. ARGV[2]) > 0 then
  redis.call('HSET', P .. 'presence:status', ARGV[2], ARGV[3])
end
