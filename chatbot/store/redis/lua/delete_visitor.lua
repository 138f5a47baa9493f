-- ARGV: P, visitor
local ids = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':convs', 0, -1)
-- A ticket is the visitor's even when filed on another conversation.
for _, n in ipairs(redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':tickets', 0, -1)) do
  delete_ticket(n)
end
for _, id in ipairs(ids) do delete_conversation(id) end
return ids
