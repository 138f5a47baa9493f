-- ARGV: P, token hash, now
local s = redis.call('HMGET', P .. 's:' .. ARGV[2], 'agent_id', 'expires_at')
if not s[1] or tonumber(s[2]) <= tonumber(ARGV[3]) then return {} end
local agent = redis.call('HGETALL', P .. 'a:' .. s[1])
if #agent == 0 or redis.call('HGET', P .. 'a:' .. s[1], 'disabled') == '1' then return {} end
return agent
