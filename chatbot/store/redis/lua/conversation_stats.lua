-- ARGV: P, since, until. Per conversation with messages: id, language, created at, when
-- the bot last offered an article ('' never), confirmed ('1'/'0'), the customer wrote after
-- that article ('1'/'0'); from the fields append_messages.lua keeps.

-- A conversation stored before those fields were kept (it has only had_article): its
-- messages, read once per report.
local function scan(ckey)
  local seq, at, confirmed, last_customer = nil, '', '0', 0
  local all = redis.call('HGETALL', ckey .. ':m')
  for i = 1, #all, 2 do
    local s = tonumber(all[i])
    local ok, m = pcall(cjson.decode, all[i + 1])
    if ok and type(m) == 'table' then
      local data = type(m.data) == 'table' and m.data or {}
      local articles = data.articles ~= nil and data.articles ~= cjson.null
      if m.sender == 'bot' and articles and (not seq or s > seq) then
        seq = s
        at = string.format('%.17g', tonumber(m.at) or 0)
      end
      if m.sender == 'bot' and data.feedback == 'confirmed' then confirmed = '1' end
      if m.sender == 'customer' and s > last_customer then last_customer = s end
    end
  end
  return at, confirmed, (seq and last_customer > seq) and '1' or '0'
end

local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'convs:created', ARGV[2], '(' .. ARGV[3])) do
  local ckey = P .. 'c:' .. id
  local c = redis.call('HMGET', ckey, 'language', 'created_at', 'last_seq', 'had_article',
    'article_seq', 'article_at', 'kb_confirmed', 'customer_seq')
  if c[3] and tonumber(c[3]) > 0 then
    local at, confirmed, after = c[6] or '', c[7] and '1' or '0', '0'
    if c[4] and not c[5] then
      at, confirmed, after = scan(ckey)
    elseif c[5] and c[8] and tonumber(c[8]) > tonumber(c[5]) then
      after = '1'
    end
    out[#out + 1] = {id, c[1], c[2], at, confirmed, after}
  end
end
return out
