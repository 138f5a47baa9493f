-- ARGV: P, conversation, has state, state, has language, language,
-- has work, work key, kind, payload, due at, then per message: id, json, at, report flags
-- (chatbot/store/redis/conversations.py report_flags: a = an article, y = a confirmed
-- answer, c = the customer wrote), kept on the conversation for conversation_stats.lua
local ckey = P .. 'c:' .. ARGV[2]
local last = redis.call('HGET', ckey, 'last_seq')
if not last then fail('not_found', 'not_found', 'no conversation ' .. ARGV[2]) end
local seq = tonumber(last)
local mkey, ikey = ckey .. ':m', ckey .. ':ids'
local out, updated, article, confirmed, customer = {}, nil, nil, false, nil
for i = 12, #ARGV, 4 do
  local stored = redis.call('HGET', ikey, ARGV[i])
  if stored then
    out[#out + 1] = {stored, redis.call('HGET', mkey, stored)}
  else
    seq = seq + 1
    local s = tostring(seq)
    redis.call('HSET', ikey, ARGV[i], s)
    redis.call('HSET', mkey, s, ARGV[i + 1])
    updated = ARGV[i + 2]
    local flags = ARGV[i + 3]
    if flags:find('a', 1, true) then article = {s, ARGV[i + 2]} end
    if flags:find('y', 1, true) then confirmed = true end
    if flags:find('c', 1, true) then customer = s end
    out[#out + 1] = {s, ''}
  end
end
local sets = {'last_seq', tostring(seq)}
if updated then
  sets[#sets + 1] = 'updated_at'; sets[#sets + 1] = updated
  redis.call('ZADD', P .. 'convs:updated', updated, ARGV[2])
end
if ARGV[3] == '1' then sets[#sets + 1] = 'state'; sets[#sets + 1] = ARGV[4] end
if ARGV[5] == '1' then sets[#sets + 1] = 'language'; sets[#sets + 1] = ARGV[6] end
if article then
  for _, v in ipairs({'had_article', '1', 'article_seq', article[1], 'article_at', article[2]}) do
    sets[#sets + 1] = v
  end
end
if confirmed then sets[#sets + 1] = 'kb_confirmed'; sets[#sets + 1] = '1' end
if customer then sets[#sets + 1] = 'customer_seq'; sets[#sets + 1] = customer end
redis.call('HSET', ckey, unpack(sets))
if updated and ARGV[7] == '1' then enqueue(ARGV[8], ARGV[9], ARGV[10], ARGV[11]) end
return out
