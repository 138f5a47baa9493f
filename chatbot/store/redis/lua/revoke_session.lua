-- ARGV: P, token hash
local skey = P .. 's:' .. ARGV[2]
local agent = redis.call('HGET', skey, 'agent_id')
redis.call('DEL', skey)
if agent then redis.call('ZREM', P .. 'a:' .. agent .. ':sessions', ARGV[2]) end
