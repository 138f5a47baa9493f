-- ARGV: P, folded e-mail
local id = redis.call('HGET', P .. 'agent_emails', ARGV[2])
if not id then return {} end
return redis.call('HGETALL', P .. 'a:' .. id)
