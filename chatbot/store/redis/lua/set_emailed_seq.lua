-- ARGV: P, number, seq
local current = redis.call('HGET', tkey(ARGV[2]), 'emailed_seq')
if current and tonumber(ARGV[3]) > tonumber(current) then
  redis.call('HSET', tkey(ARGV[2]), 'emailed_seq', ARGV[3])
end
