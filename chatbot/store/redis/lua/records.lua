-- KEYS: an index; ARGV: P, how (asc, desc, score), from, to, limit, record key prefix
local members
if ARGV[2] == 'asc' then
  members = redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4])
elseif ARGV[2] == 'desc' then
  members = redis.call('ZREVRANGE', KEYS[1], ARGV[3], ARGV[4])
else
  members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[4], 'LIMIT', 0, ARGV[5])
end
return hashes(P .. ARGV[6], members)
