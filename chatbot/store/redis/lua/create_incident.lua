-- ARGV: P, created at, then field, value pairs
local id = 'INC-' .. tostring(redis.call('INCR', P .. 'counter:incident'))
local fields = {'id', id}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', P .. 'i:' .. id, unpack(fields))
redis.call('ZADD', P .. 'incidents', ARGV[2], id)
redis.call('ZADD', P .. 'incidents:active', ARGV[2], id)
return redis.call('HGETALL', P .. 'i:' .. id)
