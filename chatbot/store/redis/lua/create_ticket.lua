-- ARGV: P, source, number prefix, then field, value pairs
local existing = redis.call('HGET', P .. 'ticket_sources', ARGV[2])
if existing then return redis.call('HGETALL', tkey(existing)) end
redis.call('SET', P .. 'counter:ticket', '104200', 'NX')
local n = ARGV[3] .. '-' .. tostring(redis.call('INCR', P .. 'counter:ticket'))
local fields = {'number', n, 'status', 'open', 'source', ARGV[2], 'emailed_seq', '0'}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', tkey(n), unpack(fields))
redis.call('HSET', P .. 'ticket_sources', ARGV[2], n)
local t = ticket_index_state(n)
redis.call('ZADD', P .. 'tickets', t.created_at, n)
redis.call('ZADD', P .. 'v:' .. t.visitor_id .. ':tickets', t.created_at, n)
redis.call('SADD', P .. 'c:' .. t.conversation_id .. ':tickets', n)
index(n, t)
return redis.call('HGETALL', tkey(n))
