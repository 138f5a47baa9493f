-- ARGV: P, number, then field, value pairs (updated_at among them)
one_ticket(ARGV[2])
local sets = {}
for i = 3, #ARGV do sets[#sets + 1] = ARGV[i] end
return change(ARGV[2], sets)
