-- ARGV: P, key ('' for none), kind, payload, due at
return enqueue(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
