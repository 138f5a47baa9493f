-- ARGV: P, ticket, note id, note json
one_ticket(ARGV[2])
local notes = tkey(ARGV[2]) .. ':notes'
local existing = redis.call('HGET', notes, ARGV[3])
if existing then return existing end
redis.call('HSET', notes, ARGV[3], ARGV[4])
redis.call('RPUSH', tkey(ARGV[2]) .. ':note_ids', ARGV[3])
return ''
