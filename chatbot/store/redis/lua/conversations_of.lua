-- ARGV: P, visitor, offset, limit
-- The visitor's conversations with messages, newest started first: per conversation
-- {id, language, created_at, updated_at, last_seq, the customer's first message}.
local ids = redis.call('ZREVRANGE', P .. 'v:' .. ARGV[2] .. ':convs', 0, -1)
local skip, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
-- The customer's first words are looked for among this many first messages.
local SCAN = 50
local out = {}
for _, id in ipairs(ids) do
  if #out >= limit then break end
  local ckey = P .. 'c:' .. id
  local c = redis.call('HMGET', ckey, 'language', 'created_at', 'updated_at', 'last_seq')
  local last = tonumber(c[4] or '0')
  if last > 0 then
    if skip > 0 then
      skip = skip - 1
    else
      local first = ''
      for s = 1, math.min(last, SCAN) do
        local raw = redis.call('HGET', ckey .. ':m', tostring(s))
        if raw then
          local ok, m = pcall(cjson.decode, raw)
          if ok and type(m) == 'table' and m.sender == 'customer' then
            first = m.text or ''
            break
          end
        end
      end
      out[#out + 1] = {id, c[1], c[2], c[3], c[4], first}
    end
  end
end
return out
