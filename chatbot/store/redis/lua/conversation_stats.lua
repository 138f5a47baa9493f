-- ARGV: P, since, until
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'convs:created', ARGV[2], '(' .. ARGV[3])) do
  local c = redis.call('HMGET', P .. 'c:' .. id, 'language', 'created_at', 'last_seq',
    'had_article')
  if c[3] and tonumber(c[3]) > 0 then
    out[#out + 1] = {id, c[1], c[2], c[4] and '1' or '0'}
  end
end
return out
