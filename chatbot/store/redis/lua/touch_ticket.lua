-- ARGV: P, number, at
if redis.call('EXISTS', tkey(ARGV[2])) == 1 then
  redis.call('HSET', tkey(ARGV[2]), 'updated_at', ARGV[3])
end
