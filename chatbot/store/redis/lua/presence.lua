-- ARGV: P, now
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
