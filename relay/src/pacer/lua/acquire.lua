-- The account pacer's rule (cams_protocol::pacing) over state every replica shares, atomically:
-- a call may go only when fewer than PER_WINDOW calls are in flight or settled within the last
-- WINDOW_MS; among the waiting clients, the one served least recently gets the slot.
--
-- KEYS[1] inflight  zset  slot id -> lease end (ms)
-- KEYS[2] settled   zset  slot id -> settle time (ms)
-- KEYS[3] waiting   zset  client -> last time a replica asked for it (ms)
-- KEYS[4] served    zset  client -> grant number when last served
-- KEYS[5] grants    counter
-- ARGV: PER_WINDOW, WINDOW_MS, LEASE_MS, STALE_MS, HOLDER, IDLE_TTL_MS, RESERVED_WAIT_MS,
--       MAX_SERVED, then this replica's waiting clients
-- Returns {kind, wait_ms, slot id, client}: kind 1 = granted; 0 = wait for the window, 2 = every
-- slot is in flight, 3 = another replica's client is next (then ask again after wait_ms).
local per_window = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local stale = tonumber(ARGV[4])
local holder = ARGV[5]
local idle_ttl = tonumber(ARGV[6])
local reserved_wait = tonumber(ARGV[7])
local max_served = tonumber(ARGV[8])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- A slot whose lease ran out belongs to a replica that died or lost Redis: its call may have
-- arrived as late as the lease's end, so it counts as settled then (and only then: it leaves
-- the in-flight set here, so no later settle counts it again).
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #expired, 2 do
  redis.call('ZREM', KEYS[1], expired[i])
  redis.call('ZADD', KEYS[2], expired[i + 1], expired[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)

local mine = {}
for i = 9, #ARGV do
  redis.call('ZADD', KEYS[3], now, ARGV[i])
  mine[ARGV[i]] = true
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - stale)
-- An account nobody asks for any more leaves nothing behind.
local function touch()
  for i = 1, 5 do
    redis.call('PEXPIRE', KEYS[i], idle_ttl)
  end
end

local free = per_window - redis.call('ZCARD', KEYS[1])
if free <= 0 then
  -- Every slot is in flight: a settle frees one (another replica's is seen by asking again).
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  touch()
  return {2, math.max(1, tonumber(first[2]) - now), '', ''}
end
local recent = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. (now - window), '+inf', 'WITHSCORES')
local count = #recent / 2
if count >= free then
  -- The call may go once all but free - 1 of these settles have left the window.
  local oldest_that_must_leave = tonumber(recent[(count - free) * 2 + 2])
  touch()
  return {0, math.max(1, oldest_that_must_leave + window - now), '', ''}
end

local best, best_served = nil, nil
for _, client in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local s = tonumber(redis.call('ZSCORE', KEYS[4], client) or '0')
  if best == nil or s < best_served then
    best, best_served = client, s
  end
end
if best == nil or not mine[best] then
  -- Another replica's client is next; it asks again within its own poll.
  touch()
  return {3, reserved_wait, '', ''}
end
local n = redis.call('INCR', KEYS[5])
local id = holder .. ':' .. n
redis.call('ZADD', KEYS[1], now + lease, id)
redis.call('ZADD', KEYS[4], n, best)
redis.call('ZREM', KEYS[3], best)
local extra = redis.call('ZCARD', KEYS[4]) - max_served
if extra > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, extra - 1)
end
touch()
return {1, 0, id, best}
