-- ARGV: P, number, from agent ('' for whoever), to agent, max chats, now
local n, to = ARGV[2], ARGV[4]
local t = unclosed_ticket(n)
if ARGV[3] ~= '' and t.assignee ~= ARGV[3] then
  fail('conflict', 'not_assigned', n .. ' is not yours')
end
if redis.call('EXISTS', P .. 'a:' .. to) == 0 then
  fail('not_found', 'not_found', 'no agent ' .. to)
end
if t.assignee ~= to and redis.call('ZCARD', active_key(to)) >= tonumber(ARGV[5]) then
  fail('conflict', 'too_many_chats', 'that agent already has ' .. ARGV[5] .. ' chats open')
end
return change(n, {'assignee', to, 'status', 'in_progress', 'claimed_at', t.claimed_at or ARGV[6],
  'updated_at', ARGV[6]})
