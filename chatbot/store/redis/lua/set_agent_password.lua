-- ARGV: P, folded e-mail, password hash
local id = redis.call('HGET', P .. 'agent_emails', ARGV[2])
if not id then fail('not_found', 'not_found', 'no agent ' .. ARGV[2]) end
local akey = P .. 'a:' .. id
redis.call('HSET', akey, 'password_hash', ARGV[3])
-- A new password ends every session of the old one.
for _, token in ipairs(redis.call('ZRANGE', akey .. ':sessions', 0, -1)) do
  redis.call('DEL', P .. 's:' .. token)
end
redis.call('DEL', akey .. ':sessions')
return redis.call('HGETALL', akey)
