-- ARGV: P, conversation, before: deleted (1) when idle since before and no ticket is open
local ckey = P .. 'c:' .. ARGV[2]
local updated = redis.call('HGET', ckey, 'updated_at')
if not updated or tonumber(updated) >= tonumber(ARGV[3]) then return 0 end
if ARGV[4] == '1' and tonumber(redis.call('HGET', ckey, 'last_seq') or '0') > 0 then
  return 0
end
for _, n in ipairs(redis.call('SMEMBERS', ckey .. ':tickets')) do
  local status = redis.call('HGET', tkey(n), 'status')
  if status and status ~= 'closed' then return 0 end
end
delete_conversation(ARGV[2])
return 1
