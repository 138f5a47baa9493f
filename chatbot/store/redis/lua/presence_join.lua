-- ARGV: P, agent, sid, now, expires at
local owners, agent, sid = P .. 'presence:owner', ARGV[2], ARGV[3]
local previous = redis.call('HGET', owners, sid)
if previous then redis.call('ZREM', P .. 'presence:a:' .. previous, sid) end
local mine = P .. 'presence:a:' .. agent
if redis.call('ZCOUNT', mine, '(' .. ARGV[4], '+inf') == 0 then
  redis.call('HSET', P .. 'presence:status', agent, 'online')
end
redis.call('ZADD', P .. 'presence:sockets', ARGV[5], sid)
redis.call('ZADD', mine, ARGV[5], sid)
redis.call('HSET', owners, sid, agent)
