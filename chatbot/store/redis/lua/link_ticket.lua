-- ARGV: P, number, incident, now
one_ticket(ARGV[2])
if redis.call('EXISTS', P .. 'i:' .. ARGV[3]) == 0 then
  fail('not_found', 'not_found', 'no incident ' .. ARGV[3])
end
return change(ARGV[2], {'incident', ARGV[3], 'updated_at', ARGV[4]})
