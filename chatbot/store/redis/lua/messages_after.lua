-- ARGV: P, conversation, after seq, limit; returns {first seq, messages...}
local ckey = P .. 'c:' .. ARGV[2]
local last = tonumber(redis.call('HGET', ckey, 'last_seq') or '0')
local first = math.max(tonumber(ARGV[3]), 0) + 1
local stop = math.min(last, first + tonumber(ARGV[4]) - 1)
if stop < first then return {first} end
local seqs = {}
for s = first, stop do seqs[#seqs + 1] = tostring(s) end
return {first, redis.call('HMGET', ckey .. ':m', unpack(seqs))}
