-- ARGV: P
return hashes(P .. 'a:', redis.call('SMEMBERS', P .. 'agents'))
