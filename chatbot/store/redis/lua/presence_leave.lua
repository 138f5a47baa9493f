-- ARGV: P, sid
local owners = P .. 'presence:owner'
local agent = redis.call('HGET', owners, ARGV[2])
if not agent then return false end
local mine = P .. 'presence:a:' .. agent
redis.call('HDEL', owners, ARGV[2])
redis.call('ZREM', P .. 'presence:sockets', ARGV[2])
redis.call('ZREM', mine, ARGV[2])
if redis.call('ZCARD', mine) == 0 then redis.call('HDEL', P .. 'presence:status', agent) end
return agent
