-- Shared by every script (loaded before each one, after RANK and OTHER_RANK, the queue
-- order of ticket priorities, which chatbot/store/redis/scripts.py writes from Python).
local P = ARGV[1]
local ACTIVE = {in_progress = true, waiting = true}

local function fail(kind, code, message)
  error('CHATBOT|' .. kind .. '|' .. code .. '|' .. message, 0)
end

local function tkey(n) return P .. 't:' .. n end

local function ticket_index_state(n)
  local v = redis.call('HMGET', tkey(n), 'status', 'assignee', 'priority', 'created_at',
    'claimed_at', 'incident', 'visitor_id', 'conversation_id', 'source')
  if not v[1] then return nil end
  return {status = v[1], assignee = v[2], priority = v[3], created_at = v[4],
    claimed_at = v[5], incident = v[6], visitor_id = v[7], conversation_id = v[8],
    source = v[9]}
end

local function one_ticket(n)
  local t = ticket_index_state(n)
  if not t then fail('not_found', 'not_found', 'no ticket ' .. n) end
  return t
end

local function unclosed_ticket(n)
  local t = one_ticket(n)
  if t.status == 'closed' then fail('conflict', 'ticket_closed', n .. ' is closed') end
  return t
end

local function queue_key(priority)
  return P .. 'queue:' .. (RANK[priority] or OTHER_RANK)
end

local function active_key(agent) return P .. 'a:' .. agent .. ':active' end

-- The indexes that follow a ticket's status, assignee, priority and incident.
local function unindex(n, t)
  redis.call('ZREM', P .. 'tickets:s:' .. t.status, n)
  if t.status == 'open' then redis.call('ZREM', queue_key(t.priority), n) end
  if t.assignee and ACTIVE[t.status] then redis.call('ZREM', active_key(t.assignee), n) end
  if t.incident then redis.call('ZREM', P .. 'i:' .. t.incident .. ':tickets', n) end
end

local function index(n, t)
  redis.call('ZADD', P .. 'tickets:s:' .. t.status, t.created_at, n)
  redis.call('SADD', P .. 'ticket_statuses', t.status)
  if t.status == 'open' then redis.call('ZADD', queue_key(t.priority), t.created_at, n) end
  if t.assignee and ACTIVE[t.status] then
    redis.call('ZADD', active_key(t.assignee), t.claimed_at or t.created_at, n)
  end
  if t.incident then redis.call('ZADD', P .. 'i:' .. t.incident .. ':tickets', t.created_at, n) end
end

-- Apply field changes to a ticket and move it between indexes; returns the new record.
local function change(n, sets, dels)
  unindex(n, ticket_index_state(n))
  if #sets > 0 then redis.call('HSET', tkey(n), unpack(sets)) end
  if dels and #dels > 0 then redis.call('HDEL', tkey(n), unpack(dels)) end
  index(n, ticket_index_state(n))
  return redis.call('HGETALL', tkey(n))
end

-- The ticket a piece of outbox work is about (a mail, a reply digest, a webhook), if any.
local function work_ticket(payload)
  local ok, data = pcall(cjson.decode, payload)
  if not ok or type(data) ~= 'table' then return nil end
  if type(data.ticket) == 'string' then return data.ticket end
  local d = type(data.body) == 'table' and data.body.data or nil
  if type(d) ~= 'table' then return nil end
  if type(d.ticket) == 'string' then return d.ticket end
  if type(d.ticket) == 'table' and type(d.ticket.number) == 'string' then return d.ticket.number end
  return nil
end

-- A deleted ticket's outbox work goes with it, sent or not: a mail keeps the customer's
-- address and words, a webhook the ticket with its fields.
local function forget_work(n)
  local index = tkey(n) .. ':work'
  for _, id in ipairs(redis.call('SMEMBERS', index)) do
    local okey = P .. 'o:' .. id
    local key = redis.call('HGET', okey, 'key')
    if key and redis.call('HGET', P .. 'outbox:keys', key) == id then
      redis.call('HDEL', P .. 'outbox:keys', key)
    end
    redis.call('ZREM', P .. 'outbox:due', string.format('%012d', tonumber(id)))
    redis.call('DEL', okey)
  end
  redis.call('DEL', index)
end

local function delete_ticket(n)
  local t = ticket_index_state(n)
  if not t then return end
  forget_work(n)
  unindex(n, t)
  redis.call('ZREM', P .. 'tickets', n)
  redis.call('ZREM', P .. 'v:' .. t.visitor_id .. ':tickets', n)
  redis.call('SREM', P .. 'c:' .. t.conversation_id .. ':tickets', n)
  if redis.call('HGET', P .. 'ticket_sources', t.source) == n then
    redis.call('HDEL', P .. 'ticket_sources', t.source)
  end
  redis.call('DEL', tkey(n), tkey(n) .. ':notes', tkey(n) .. ':note_ids')
end

local function delete_conversation(id)
  local ckey = P .. 'c:' .. id
  local visitor = redis.call('HGET', ckey, 'visitor_id')
  if not visitor then return end
  for _, n in ipairs(redis.call('SMEMBERS', ckey .. ':tickets')) do delete_ticket(n) end
  redis.call('DEL', ckey, ckey .. ':m', ckey .. ':ids', ckey .. ':tickets')
  redis.call('ZREM', P .. 'v:' .. visitor .. ':convs', id)
  redis.call('ZREM', P .. 'convs:created', id)
  redis.call('ZREM', P .. 'convs:updated', id)
end

local function hashes(key_prefix, members)
  local out = {}
  for _, m in ipairs(members) do
    local h = redis.call('HGETALL', key_prefix .. m)
    if #h > 0 then out[#out + 1] = h end
  end
  return out
end

local function fmt(x) return string.format('%.17g', x) end

-- Work for the outbox; with a key ('' for none), none while work with that key is pending.
local function enqueue(key, kind, payload, due_at)
  local keys = P .. 'outbox:keys'
  if key ~= '' and redis.call('HEXISTS', keys, key) == 1 then return 0 end
  local id = tostring(redis.call('INCR', P .. 'outbox:seq'))
  local fields = {'id', id, 'kind', kind, 'payload', payload, 'due_at', due_at, 'attempts', '0'}
  if key ~= '' then
    fields[#fields + 1] = 'key'; fields[#fields + 1] = key
    redis.call('HSET', keys, key, id)
  end
  redis.call('HSET', P .. 'o:' .. id, unpack(fields))
  local about = work_ticket(payload)
  if about then redis.call('SADD', tkey(about) .. ':work', id) end
  -- Zero-padded members keep items due at the same time in id order.
  redis.call('ZADD', P .. 'outbox:due', due_at, string.format('%012d', tonumber(id)))
  return 1
end
