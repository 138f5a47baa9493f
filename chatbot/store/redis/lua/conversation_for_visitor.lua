-- ARGV: P, visitor, language, now, new id
local vkey = P .. 'v:' .. ARGV[2] .. ':convs'
local id = redis.call('ZREVRANGE', vkey, 0, 0)[1]
if not id then
  id = ARGV[5]
  redis.call('HSET', P .. 'c:' .. id, 'id', id, 'visitor_id', ARGV[2], 'language', ARGV[3],
    'state', '{}', 'last_seq', '0', 'created_at', ARGV[4], 'updated_at', ARGV[4])
  redis.call('ZADD', vkey, ARGV[4], id)
  redis.call('ZADD', P .. 'convs:created', ARGV[4], id)
  redis.call('ZADD', P .. 'convs:updated', ARGV[4], id)
end
return redis.call('HGETALL', P .. 'c:' .. id)
