-- ARGV: P, number, score, comment ('' for none), now
local n = ARGV[2]
if one_ticket(n).status ~= 'closed' then
  fail('conflict', 'not_closed', n .. ' is not closed yet')
end
if ARGV[4] == '' then
  return change(n, {'rating', ARGV[3], 'updated_at', ARGV[5]}, {'rating_comment'})
end
return change(n, {'rating', ARGV[3], 'rating_comment', ARGV[4], 'updated_at', ARGV[5]})
