-- ARGV: P
local out = {}
for _, status in ipairs(redis.call('SMEMBERS', P .. 'ticket_statuses')) do
  out[#out + 1] = {status, redis.call('ZCARD', P .. 'tickets:s:' .. status)}
end
return out
