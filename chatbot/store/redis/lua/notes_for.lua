-- ARGV: P, ticket
local ids = redis.call('LRANGE', tkey(ARGV[2]) .. ':note_ids', 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', tkey(ARGV[2]) .. ':notes', unpack(ids))
