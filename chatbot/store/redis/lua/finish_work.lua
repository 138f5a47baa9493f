-- ARGV: P, id, now, has error, error, seconds to keep a finished item
local okey = P .. 'o:' .. ARGV[2]
if redis.call('EXISTS', okey) == 0 then return end
redis.call('HSET', okey, 'done_at', ARGV[3])
if ARGV[4] == '1' then
  redis.call('HSET', okey, 'last_error', ARGV[5])
else
  redis.call('HDEL', okey, 'last_error')
end
redis.call('ZREM', P .. 'outbox:due', string.format('%012d', tonumber(ARGV[2])))
local key = redis.call('HGET', okey, 'key')
if key and redis.call('HGET', P .. 'outbox:keys', key) == ARGV[2] then
  redis.call('HDEL', P .. 'outbox:keys', key)
end
redis.call('EXPIRE', okey, ARGV[6])
