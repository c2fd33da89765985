-- A granted slot's call ended. Only a slot still in flight counts: one whose lease ran out was
-- already counted as settled at the lease's end (acquire.lua), so nothing is counted twice.
--
-- KEYS[1] inflight, KEYS[2] settled
-- ARGV: SLOT_ID, HOW ('settled' | 'uncertain' | 'cancelled'), WINDOW_MS
-- Returns 1 when the slot was still held, 0 otherwise.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('ZREM', KEYS[1], ARGV[1])
if held == 1 then
  if ARGV[2] == 'settled' then
    redis.call('ZADD', KEYS[2], now, ARGV[1])
  elseif ARGV[2] == 'uncertain' then
    -- Sent and no reply: it may still be on its way, so it settles one window late.
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
  end
end
return held
