-- Extends the leases of slots this replica still holds (calls still waiting for CAMS). A slot
-- that already expired is not brought back (XX).
--
-- KEYS[1] inflight
-- ARGV: LEASE_MS, then slot ids
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return renewed
