-- ARGV: P, visitor
local ids = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':convs', 0, -1)
local conversations, messages = {}, {}
local numbers = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':tickets', 0, -1)
for _, id in ipairs(ids) do
  local ckey = P .. 'c:' .. id
  conversations[#conversations + 1] = redis.call('HGETALL', ckey)
  messages[#messages + 1] = redis.call('HGETALL', ckey .. ':m')
  for _, n in ipairs(redis.call('SMEMBERS', ckey .. ':tickets')) do numbers[#numbers + 1] = n end
end
return {conversations, messages, hashes(P .. 't:', numbers)}
