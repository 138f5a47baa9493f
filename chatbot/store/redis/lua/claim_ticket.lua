-- ARGV: P, number, agent, max chats, now
local n, agent = ARGV[2], ARGV[3]
local t = unclosed_ticket(n)
if t.assignee == agent then return redis.call('HGETALL', tkey(n)) end
if t.assignee then fail('conflict', 'already_claimed', n .. ' has already been taken') end
if redis.call('ZCARD', active_key(agent)) >= tonumber(ARGV[4]) then
  fail('conflict', 'too_many_chats', 'you already have ' .. ARGV[4] .. ' chats open')
end
return change(n, {'assignee', agent, 'status', 'in_progress', 'claimed_at', ARGV[5],
  'updated_at', ARGV[5]})
