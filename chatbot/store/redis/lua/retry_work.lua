-- ARGV: P, id, due at, error
local okey = P .. 'o:' .. ARGV[2]
if redis.call('EXISTS', okey) == 0 then return end
redis.call('HSET', okey, 'due_at', ARGV[3], 'last_error', ARGV[4])
redis.call('HINCRBY', okey, 'attempts', 1)
if not redis.call('HGET', okey, 'done_at') then
  redis.call('ZADD', P .. 'outbox:due', ARGV[3], string.format('%012d', tonumber(ARGV[2])))
end
