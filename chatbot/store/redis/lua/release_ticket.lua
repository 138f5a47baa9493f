-- ARGV: P, number, agent ('' for whoever), now
local n = ARGV[2]
local t = unclosed_ticket(n)
if ARGV[3] ~= '' and t.assignee ~= ARGV[3] then
  fail('conflict', 'not_assigned', n .. ' is not yours')
end
return change(n, {'status', 'open', 'updated_at', ARGV[4]}, {'assignee'})
