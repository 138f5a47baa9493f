-- ARGV: P, number, at
if redis.call('EXISTS', tkey(ARGV[2])) == 1 then
  redis.call('HSETNX', tkey(ARGV[2]), 'first_response_at', ARGV[3])
end
