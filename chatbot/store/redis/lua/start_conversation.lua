-- ARGV: P, visitor, language, now, new id
-- The visitor's current conversation when it is still empty, else a new one started after
-- it (even if the clock stepped back): the newest started is the current one.
local vkey = P .. 'v:' .. ARGV[2] .. ':convs'
local newest = redis.call('ZREVRANGE', vkey, 0, 0, 'WITHSCORES')
local started = ARGV[4]
if newest[1] then
  local ckey = P .. 'c:' .. newest[1]
  if redis.call('HGET', ckey, 'last_seq') == '0' then return redis.call('HGETALL', ckey) end
  local after = tonumber(newest[2]) + 0.001
  if after > tonumber(started) then started = string.format('%.17g', after) end
end
local id = ARGV[5]
redis.call('HSET', P .. 'c:' .. id, 'id', id, 'visitor_id', ARGV[2], 'language', ARGV[3],
  'state', '{}', 'last_seq', '0', 'created_at', started, 'updated_at', started)
redis.call('ZADD', vkey, started, id)
redis.call('ZADD', P .. 'convs:created', started, id)
redis.call('ZADD', P .. 'convs:updated', started, id)
return redis.call('HGETALL', P .. 'c:' .. id)
