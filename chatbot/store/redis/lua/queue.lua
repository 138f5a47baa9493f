-- ARGV: P, limit
local out, left = {}, tonumber(ARGV[2])
for rank = 0, OTHER_RANK do
  if left <= 0 then break end
  local numbers = redis.call('ZRANGE', P .. 'queue:' .. rank, 0, left - 1)
  for _, h in ipairs(hashes(P .. 't:', numbers)) do out[#out + 1] = h end
  left = left - #numbers
end
return out
