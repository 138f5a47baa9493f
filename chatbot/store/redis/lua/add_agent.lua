-- ARGV: P, id, folded e-mail, then field, value pairs
if redis.call('HSETNX', P .. 'agent_emails', ARGV[3], ARGV[2]) == 0 then
  fail('conflict', 'email_taken', ARGV[3] .. ' already has an account')
end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', P .. 'a:' .. ARGV[2], unpack(fields))
redis.call('SADD', P .. 'agents', ARGV[2])
return redis.call('HGETALL', P .. 'a:' .. ARGV[2])
