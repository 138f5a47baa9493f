"""The Lua scripts behind :class:`chatbot.store.redis.RedisStore`.

Each script runs atomically inside Redis, so a change that touches a record and its indexes
is all-or-nothing across every process, in one round trip. Every script checks before it
writes: Redis does not roll back a script that fails halfway, so a domain error
(``fail``) is only ever raised before the first write.

``ARGV[1]`` is always the key prefix; the scripts build key names from it, so the store
needs one Redis (or one primary), not a Redis Cluster.

Numbers cross the boundary as strings written by Python's ``repr``: Lua's own number to
string conversion keeps 14 digits, too few for a timestamp with microseconds.
"""

from __future__ import annotations

from chatbot.store.base import PRIORITIES

__all__ = ["SCRIPTS"]

_RANKS = ", ".join(f'["{name}"] = {rank}' for rank, name in enumerate(PRIORITIES))

PRELUDE = f"""
local P = ARGV[1]
local RANK = {{{_RANKS}}}
local OTHER_RANK = {len(PRIORITIES)}
local ACTIVE = {{in_progress = true, waiting = true}}

local function fail(kind, code, message)
  error('CHATBOT|' .. kind .. '|' .. code .. '|' .. message, 0)
end

local function tkey(n) return P .. 't:' .. n end

local function ticket_index_state(n)
  local v = redis.call('HMGET', tkey(n), 'status', 'assignee', 'priority', 'created_at',
    'claimed_at', 'incident', 'visitor_id', 'conversation_id', 'source')
  if not v[1] then return nil end
  return {{status = v[1], assignee = v[2], priority = v[3], created_at = v[4],
    claimed_at = v[5], incident = v[6], visitor_id = v[7], conversation_id = v[8],
    source = v[9]}}
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

local function delete_ticket(n)
  local t = ticket_index_state(n)
  if not t then return end
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
  local out = {{}}
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
  local fields = {{'id', id, 'kind', kind, 'payload', payload, 'due_at', due_at, 'attempts', '0'}}
  if key ~= '' then
    fields[#fields + 1] = 'key'; fields[#fields + 1] = key
    redis.call('HSET', keys, key, id)
  end
  redis.call('HSET', P .. 'o:' .. id, unpack(fields))
  -- Zero-padded members keep items due at the same time in id order.
  redis.call('ZADD', P .. 'outbox:due', due_at, string.format('%012d', tonumber(id)))
  return 1
end
"""

_BODIES: dict[str, str] = {
    # ARGV: P, visitor, language, now, new id
    "conversation_for_visitor": """
local vkey = P .. 'v:' .. ARGV[2] .. ':convs'
local id = redis.call('ZREVRANGE', vkey, 0, 0)[1]
if not id then
  id = ARGV[5]
  redis.call('HSET', P .. 'c:' .. id, 'id', id, 'visitor_id', ARGV[2], 'language', ARGV[3],
    'state', '{}', 'last_seq', '0', 'created_at', ARGV[4], 'updated_at', ARGV[4])
  redis.call('ZADD', vkey, ARGV[4], id)
  redis.call('ZADD', P .. 'convs:created', ARGV[4], id)
  redis.call('ZADD', P .. 'convs:updated', ARGV[4], id)
end
return redis.call('HGETALL', P .. 'c:' .. id)
""",
    # ARGV: P, conversation, has state, state, has language, language,
    # has work, work key, kind, payload, due at, then per message: id, json, at, offers an article
    "append_messages": """
local ckey = P .. 'c:' .. ARGV[2]
local last = redis.call('HGET', ckey, 'last_seq')
if not last then fail('not_found', 'not_found', 'no conversation ' .. ARGV[2]) end
local seq = tonumber(last)
local mkey, ikey = ckey .. ':m', ckey .. ':ids'
local out, updated, article = {}, nil, false
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
    if ARGV[i + 3] == '1' then article = true end
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
if article then sets[#sets + 1] = 'had_article'; sets[#sets + 1] = '1' end
redis.call('HSET', ckey, unpack(sets))
if updated and ARGV[7] == '1' then enqueue(ARGV[8], ARGV[9], ARGV[10], ARGV[11]) end
return out
""",
    # ARGV: P, conversation, after seq, limit; returns {first seq, messages...}
    "messages_after": """
local ckey = P .. 'c:' .. ARGV[2]
local last = tonumber(redis.call('HGET', ckey, 'last_seq') or '0')
local first = math.max(tonumber(ARGV[3]), 0) + 1
local stop = math.min(last, first + tonumber(ARGV[4]) - 1)
if stop < first then return {first} end
local seqs = {}
for s = first, stop do seqs[#seqs + 1] = tostring(s) end
return {first, redis.call('HMGET', ckey .. ':m', unpack(seqs))}
""",
    # ARGV: P, source, number prefix, then field, value pairs
    "create_ticket": """
local existing = redis.call('HGET', P .. 'ticket_sources', ARGV[2])
if existing then return redis.call('HGETALL', tkey(existing)) end
redis.call('SET', P .. 'counter:ticket', '104200', 'NX')
local n = ARGV[3] .. '-' .. tostring(redis.call('INCR', P .. 'counter:ticket'))
local fields = {'number', n, 'status', 'open', 'source', ARGV[2], 'emailed_seq', '0'}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', tkey(n), unpack(fields))
redis.call('HSET', P .. 'ticket_sources', ARGV[2], n)
local t = ticket_index_state(n)
redis.call('ZADD', P .. 'tickets', t.created_at, n)
redis.call('ZADD', P .. 'v:' .. t.visitor_id .. ':tickets', t.created_at, n)
redis.call('SADD', P .. 'c:' .. t.conversation_id .. ':tickets', n)
index(n, t)
return redis.call('HGETALL', tkey(n))
""",
    # ARGV: P, number, at
    "touch_ticket": """
if redis.call('EXISTS', tkey(ARGV[2])) == 1 then
  redis.call('HSET', tkey(ARGV[2]), 'updated_at', ARGV[3])
end
""",
    # ARGV: P, number, then field, value pairs (updated_at among them)
    "update_ticket": """
one_ticket(ARGV[2])
local sets = {}
for i = 3, #ARGV do sets[#sets + 1] = ARGV[i] end
return change(ARGV[2], sets)
""",
    # ARGV: P, limit
    "queue": """
local out, left = {}, tonumber(ARGV[2])
for rank = 0, OTHER_RANK do
  if left <= 0 then break end
  local numbers = redis.call('ZRANGE', P .. 'queue:' .. rank, 0, left - 1)
  for _, h in ipairs(hashes(P .. 't:', numbers)) do out[#out + 1] = h end
  left = left - #numbers
end
return out
""",
    # KEYS: an index; ARGV: P, how (asc, desc, score), from, to, limit, record key prefix
    "records": """
local members
if ARGV[2] == 'asc' then
  members = redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4])
elseif ARGV[2] == 'desc' then
  members = redis.call('ZREVRANGE', KEYS[1], ARGV[3], ARGV[4])
else
  members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[4], 'LIMIT', 0, ARGV[5])
end
return hashes(P .. ARGV[6], members)
""",
    # ARGV: P
    "count_tickets": """
local out = {}
for _, status in ipairs(redis.call('SMEMBERS', P .. 'ticket_statuses')) do
  out[#out + 1] = {status, redis.call('ZCARD', P .. 'tickets:s:' .. status)}
end
return out
""",
    # ARGV: P, number, agent, max chats, now
    "claim_ticket": """
local n, agent = ARGV[2], ARGV[3]
local t = unclosed_ticket(n)
if t.assignee == agent then return redis.call('HGETALL', tkey(n)) end
if t.assignee then fail('conflict', 'already_claimed', n .. ' has already been taken') end
if redis.call('ZCARD', active_key(agent)) >= tonumber(ARGV[4]) then
  fail('conflict', 'too_many_chats', 'you already have ' .. ARGV[4] .. ' chats open')
end
return change(n, {'assignee', agent, 'status', 'in_progress', 'claimed_at', ARGV[5],
  'updated_at', ARGV[5]})
""",
    # ARGV: P, number, from agent ('' for whoever), to agent, max chats, now
    "transfer_ticket": """
local n, to = ARGV[2], ARGV[4]
local t = unclosed_ticket(n)
if ARGV[3] ~= '' and t.assignee ~= ARGV[3] then
  fail('conflict', 'not_assigned', n .. ' is not yours')
end
if redis.call('EXISTS', P .. 'a:' .. to) == 0 then
  fail('not_found', 'not_found', 'no agent ' .. to)
end
if t.assignee ~= to and redis.call('ZCARD', active_key(to)) >= tonumber(ARGV[5]) then
  fail('conflict', 'too_many_chats', 'that agent already has ' .. ARGV[5] .. ' chats open')
end
return change(n, {'assignee', to, 'status', 'in_progress', 'claimed_at', t.claimed_at or ARGV[6],
  'updated_at', ARGV[6]})
""",
    # ARGV: P, number, agent ('' for whoever), now
    "release_ticket": """
local n = ARGV[2]
local t = unclosed_ticket(n)
if ARGV[3] ~= '' and t.assignee ~= ARGV[3] then
  fail('conflict', 'not_assigned', n .. ' is not yours')
end
return change(n, {'status', 'open', 'updated_at', ARGV[4]}, {'assignee'})
""",
    # ARGV: P, number, resolution, now
    "close_ticket": """
unclosed_ticket(ARGV[2])
return change(ARGV[2], {'status', 'closed', 'resolution', ARGV[3], 'closed_at', ARGV[4],
  'updated_at', ARGV[4]})
""",
    # ARGV: P, number, score, comment ('' for none), now
    "rate_ticket": """
local n = ARGV[2]
if one_ticket(n).status ~= 'closed' then
  fail('conflict', 'not_closed', n .. ' is not closed yet')
end
if ARGV[4] == '' then
  return change(n, {'rating', ARGV[3], 'updated_at', ARGV[5]}, {'rating_comment'})
end
return change(n, {'rating', ARGV[3], 'rating_comment', ARGV[4], 'updated_at', ARGV[5]})
""",
    # ARGV: P, number, at
    "mark_first_response": """
if redis.call('EXISTS', tkey(ARGV[2])) == 1 then
  redis.call('HSETNX', tkey(ARGV[2]), 'first_response_at', ARGV[3])
end
""",
    # ARGV: P, number, seq
    "set_emailed_seq": """
local current = redis.call('HGET', tkey(ARGV[2]), 'emailed_seq')
if current and tonumber(ARGV[3]) > tonumber(current) then
  redis.call('HSET', tkey(ARGV[2]), 'emailed_seq', ARGV[3])
end
""",
    # ARGV: P, id, folded e-mail, then field, value pairs
    "add_agent": """
if redis.call('HSETNX', P .. 'agent_emails', ARGV[3], ARGV[2]) == 0 then
  fail('conflict', 'email_taken', ARGV[3] .. ' already has an account')
end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', P .. 'a:' .. ARGV[2], unpack(fields))
redis.call('SADD', P .. 'agents', ARGV[2])
return redis.call('HGETALL', P .. 'a:' .. ARGV[2])
""",
    # ARGV: P, folded e-mail, password hash
    "set_agent_password": """
local id = redis.call('HGET', P .. 'agent_emails', ARGV[2])
if not id then fail('not_found', 'not_found', 'no agent ' .. ARGV[2]) end
local akey = P .. 'a:' .. id
redis.call('HSET', akey, 'password_hash', ARGV[3])
-- A new password ends every session of the old one.
for _, token in ipairs(redis.call('ZRANGE', akey .. ':sessions', 0, -1)) do
  redis.call('DEL', P .. 's:' .. token)
end
redis.call('DEL', akey .. ':sessions')
return redis.call('HGETALL', akey)
""",
    # ARGV: P, folded e-mail
    "agent_by_email": """
local id = redis.call('HGET', P .. 'agent_emails', ARGV[2])
if not id then return {} end
return redis.call('HGETALL', P .. 'a:' .. id)
""",
    # ARGV: P
    "list_agents": """
return hashes(P .. 'a:', redis.call('SMEMBERS', P .. 'agents'))
""",
    # ARGV: P, token hash, agent, created at, expires at, seconds to keep
    "create_session": """
local skey, sessions = P .. 's:' .. ARGV[2], P .. 'a:' .. ARGV[3] .. ':sessions'
redis.call('HSET', skey, 'agent_id', ARGV[3], 'created_at', ARGV[4], 'expires_at', ARGV[5])
redis.call('EXPIRE', skey, ARGV[6])
redis.call('ZREMRANGEBYSCORE', sessions, '-inf', '(' .. ARGV[4])
redis.call('ZADD', sessions, ARGV[5], ARGV[2])
if redis.call('TTL', sessions) < tonumber(ARGV[6]) then
  redis.call('EXPIRE', sessions, ARGV[6])
end
""",
    # ARGV: P, token hash, now
    "session_agent": """
local s = redis.call('HMGET', P .. 's:' .. ARGV[2], 'agent_id', 'expires_at')
if not s[1] or tonumber(s[2]) <= tonumber(ARGV[3]) then return {} end
local agent = redis.call('HGETALL', P .. 'a:' .. s[1])
if #agent == 0 or redis.call('HGET', P .. 'a:' .. s[1], 'disabled') == '1' then return {} end
return agent
""",
    # ARGV: P, token hash
    "revoke_session": """
local skey = P .. 's:' .. ARGV[2]
local agent = redis.call('HGET', skey, 'agent_id')
redis.call('DEL', skey)
if agent then redis.call('ZREM', P .. 'a:' .. agent .. ':sessions', ARGV[2]) end
""",
    # ARGV: P, ticket, note id, note json
    "add_note": """
one_ticket(ARGV[2])
local notes = tkey(ARGV[2]) .. ':notes'
local existing = redis.call('HGET', notes, ARGV[3])
if existing then return existing end
redis.call('HSET', notes, ARGV[3], ARGV[4])
redis.call('RPUSH', tkey(ARGV[2]) .. ':note_ids', ARGV[3])
return ''
""",
    # ARGV: P, ticket
    "notes_for": """
local ids = redis.call('LRANGE', tkey(ARGV[2]) .. ':note_ids', 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', tkey(ARGV[2]) .. ':notes', unpack(ids))
""",
    # ARGV: P, key ('' for none), kind, payload, due at
    "enqueue": """
return enqueue(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
""",
    # ARGV: P, now, limit, leased until
    "due_work": """
local due = P .. 'outbox:due'
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])) do
  local okey = P .. 'o:' .. tostring(tonumber(m))
  out[#out + 1] = redis.call('HGETALL', okey)
  redis.call('HSET', okey, 'due_at', ARGV[4])
  redis.call('ZADD', due, ARGV[4], m)
end
return out
""",
    # ARGV: P, id, now, has error, error, seconds to keep a finished item
    "finish_work": """
local okey = P .. 'o:' .. ARGV[2]
if redis.call('EXISTS', okey) == 0 then return end
redis.call('HSET', okey, 'done_at', ARGV[3])
if ARGV[4] == '1' then
  redis.call('HSET', okey, 'last_error', ARGV[5])
else
  redis.call('HDEL', okey, 'last_error')
end
redis.call('ZREM', P .. 'outbox:due', string.format('%012d', tonumber(ARGV[2])))
local key = redis.call('HGET', okey, 'key')
if key and redis.call('HGET', P .. 'outbox:keys', key) == ARGV[2] then
  redis.call('HDEL', P .. 'outbox:keys', key)
end
redis.call('EXPIRE', okey, ARGV[6])
""",
    # ARGV: P, id, due at, error
    "retry_work": """
local okey = P .. 'o:' .. ARGV[2]
if redis.call('EXISTS', okey) == 0 then return end
redis.call('HSET', okey, 'due_at', ARGV[3], 'last_error', ARGV[4])
redis.call('HINCRBY', okey, 'attempts', 1)
if not redis.call('HGET', okey, 'done_at') then
  redis.call('ZADD', P .. 'outbox:due', ARGV[3], string.format('%012d', tonumber(ARGV[2])))
end
""",
    # ARGV: P, since, until
    "conversation_stats": """
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'convs:created', ARGV[2], '(' .. ARGV[3])) do
  local c = redis.call('HMGET', P .. 'c:' .. id, 'language', 'created_at', 'last_seq',
    'had_article')
  if c[3] and tonumber(c[3]) > 0 then
    out[#out + 1] = {id, c[1], c[2], c[4] and '1' or '0'}
  end
end
return out
""",
    # ARGV: P, created at, then field, value pairs
    "create_incident": """
local id = 'INC-' .. tostring(redis.call('INCR', P .. 'counter:incident'))
local fields = {'id', id}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', P .. 'i:' .. id, unpack(fields))
redis.call('ZADD', P .. 'incidents', ARGV[2], id)
redis.call('ZADD', P .. 'incidents:active', ARGV[2], id)
return redis.call('HGETALL', P .. 'i:' .. id)
""",
    # ARGV: P, incident, now, resolution
    "resolve_incident": """
local ikey = P .. 'i:' .. ARGV[2]
if redis.call('EXISTS', ikey) == 0 then
  fail('not_found', 'not_found', 'no incident ' .. ARGV[2])
end
if redis.call('HEXISTS', ikey, 'resolved_at') == 1 then
  fail('conflict', 'incident_resolved', ARGV[2] .. ' is already resolved')
end
redis.call('HSET', ikey, 'resolved_at', ARGV[3], 'resolution', ARGV[4])
redis.call('ZREM', P .. 'incidents:active', ARGV[2])
return redis.call('HGETALL', ikey)
""",
    # ARGV: P, number, incident, now
    "link_ticket": """
one_ticket(ARGV[2])
if redis.call('EXISTS', P .. 'i:' .. ARGV[3]) == 0 then
  fail('not_found', 'not_found', 'no incident ' .. ARGV[3])
end
return change(ARGV[2], {'incident', ARGV[3], 'updated_at', ARGV[4]})
""",
    # ARGV: P, conversation, before: deleted (1) when idle since before and no ticket is open
    "purge_conversation": """
local ckey = P .. 'c:' .. ARGV[2]
local updated = redis.call('HGET', ckey, 'updated_at')
if not updated or tonumber(updated) >= tonumber(ARGV[3]) then return 0 end
if ARGV[4] == '1' and tonumber(redis.call('HGET', ckey, 'last_seq') or '0') > 0 then
  return 0
end
for _, n in ipairs(redis.call('SMEMBERS', ckey .. ':tickets')) do
  local status = redis.call('HGET', tkey(n), 'status')
  if status and status ~= 'closed' then return 0 end
end
delete_conversation(ARGV[2])
return 1
""",
    # ARGV: P, visitor
    "visitor_data": """
local ids = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':convs', 0, -1)
local conversations, messages = {}, {}
local numbers = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':tickets', 0, -1)
for _, id in ipairs(ids) do
  local ckey = P .. 'c:' .. id
  conversations[#conversations + 1] = redis.call('HGETALL', ckey)
  messages[#messages + 1] = redis.call('HGETALL', ckey .. ':m')
  for _, n in ipairs(redis.call('SMEMBERS', ckey .. ':tickets')) do numbers[#numbers + 1] = n end
end
return {conversations, messages, hashes(P .. 't:', numbers)}
""",
    # ARGV: P, visitor
    "delete_visitor": """
local ids = redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':convs', 0, -1)
-- A ticket is the visitor's even when filed on another conversation.
for _, n in ipairs(redis.call('ZRANGE', P .. 'v:' .. ARGV[2] .. ':tickets', 0, -1)) do
  delete_ticket(n)
end
for _, id in ipairs(ids) do delete_conversation(id) end
return ids
""",
    # ARGV: P, bucket, burst, rate, now, cost: as chatbot.rate_limit.RateLimiter._take
    "take_token": """
local key = P .. 'bucket:' .. ARGV[2]
local burst, rate, now, cost = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6])
local b = redis.call('HMGET', key, 'tokens', 'updated')
local tokens, updated = burst, now
if b[1] then tokens, updated = tonumber(b[1]), tonumber(b[2]) end
tokens = math.min(burst, tokens + (now - updated) * rate)
local wait = 0
if tokens >= 1.0 then
  tokens = tokens - cost
elseif rate > 0 then
  wait = (1.0 - tokens) / rate
else
  wait = 60.0
end
redis.call('HSET', key, 'tokens', fmt(tokens), 'updated', fmt(now))
-- A bucket left alone until it would be full again is the same as no bucket.
local keep = 86400000
if rate > 0 then keep = math.min(keep, math.ceil(((burst - tokens) / rate + 1) * 1000)) end
redis.call('PEXPIRE', key, keep)
return fmt(wait)
""",
    # ARGV: P, agent, sid, now, expires at
    "presence_join": """
local owners, agent, sid = P .. 'presence:owner', ARGV[2], ARGV[3]
local previous = redis.call('HGET', owners, sid)
if previous then redis.call('ZREM', P .. 'presence:a:' .. previous, sid) end
local mine = P .. 'presence:a:' .. agent
if redis.call('ZCOUNT', mine, '(' .. ARGV[4], '+inf') == 0 then
  redis.call('HSET', P .. 'presence:status', agent, 'online')
end
redis.call('ZADD', P .. 'presence:sockets', ARGV[5], sid)
redis.call('ZADD', mine, ARGV[5], sid)
redis.call('HSET', owners, sid, agent)
""",
    # ARGV: P, sid
    "presence_leave": """
local owners = P .. 'presence:owner'
local agent = redis.call('HGET', owners, ARGV[2])
if not agent then return false end
local mine = P .. 'presence:a:' .. agent
redis.call('HDEL', owners, ARGV[2])
redis.call('ZREM', P .. 'presence:sockets', ARGV[2])
redis.call('ZREM', mine, ARGV[2])
if redis.call('ZCARD', mine) == 0 then redis.call('HDEL', P .. 'presence:status', agent) end
return agent
""",
    # ARGV: P, agent, status
    "presence_set_status": """
if redis.call('ZCARD', P .. 'presence:a:' .. ARGV[2]) > 0 then
  redis.call('HSET', P .. 'presence:status', ARGV[2], ARGV[3])
end
""",
    # ARGV: P, now
    "presence": """
local sockets, owners, status = P .. 'presence:sockets', P .. 'presence:owner',
  P .. 'presence:status'
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', sockets, '-inf', ARGV[2])) do
  local agent = redis.call('HGET', owners, sid)
  redis.call('HDEL', owners, sid)
  if agent then redis.call('ZREM', P .. 'presence:a:' .. agent, sid) end
end
redis.call('ZREMRANGEBYSCORE', sockets, '-inf', ARGV[2])
local counts, agents = {}, {}
for _, sid in ipairs(redis.call('ZRANGE', sockets, 0, -1)) do
  local agent = redis.call('HGET', owners, sid)
  if agent then
    if not counts[agent] then counts[agent] = 0; agents[#agents + 1] = agent end
    counts[agent] = counts[agent] + 1
  end
end
for _, agent in ipairs(redis.call('HKEYS', status)) do
  if not counts[agent] then redis.call('HDEL', status, agent) end
end
local out = {}
for _, agent in ipairs(agents) do
  out[#out + 1] = {agent, redis.call('HGET', status, agent) or 'online', counts[agent]}
end
return out
""",
    # A lease: one holder at a time; the holder may renew it. KEYS[1] the lease.
    "take_lease": """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return 1
""",
    "drop_lease": """
if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('DEL', KEYS[1]) end
return 0
""",
}

#: Script name to its full source (the shared functions first).
SCRIPTS: dict[str, str] = {name: PRELUDE + body for name, body in _BODIES.items()}
