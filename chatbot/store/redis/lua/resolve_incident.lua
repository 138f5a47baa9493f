-- ARGV: P, incident, now, resolution
local ikey = P .. 'i:' .. ARGV[2]
if redis.call('EXISTS', ikey) == 0 then
  fail('not_found', 'not_found', 'no incident ' .. ARGV[2])
end
if redis.call('HEXISTS', ikey, 'resolved_at') == 1 then
  fail('conflict', 'incident_resolved', ARGV[2] .. ' is already resolved')
end
redis.call('HSET', ikey, 'resolved_at', ARGV[3], 'resolution', ARGV[4])
redis.call('ZREM', P .. 'incidents:active', ARGV[2])
return redis.call('HGETALL', ikey)
