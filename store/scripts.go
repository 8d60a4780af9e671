package store

import "github.com/redis/go-redis/v9"

// applyScript writes one command atomically: it compares the case's version,
// and only if it is the one the command read does it write the case, append
// the events to the partition's stream and the case's timeline index, and
// update the index entries. Idempotency marks ("sent") are written only on a
// conflict: the message they record has already gone, and the case, not yet
// written, does not say so. A write that goes through says so in the case.
//
// KEYS: 1 case, 2 events stream, 3 timeline index (a hash: case id → the
// ids of its stream entries), 4 due, 5 lease, 6.. others
// ARGV: 1 expected version ("0": must not exist), 2 case JSON, 3 case id,
//
//	4 number of events, then the events; then the number of marks and
//	(key index, ttl) pairs; then the number of ops and (op, key index, a, b)
//	quadruples; last, the command key's index and its ttl.
//
// The command key records a write (1) so a lost reply can be looked up; a
// command already marked abandoned (2) by that look-up does nothing (see
// confirm.go). A refused write records nothing, as it writes nothing.
var applyScript = redis.NewScript(`
local cmdkey, cmdttl = KEYS[tonumber(ARGV[#ARGV - 1])], ARGV[#ARGV]
-- The write is recorded first, in the same step as looking: a key already
-- there is the look-up's abandoned mark (each write has its own key). A
-- refused write takes its record back below, as the script is atomic.
if not redis.call('SET', cmdkey, '1', 'NX', 'EX', cmdttl) then
  return 2
end
local new = ARGV[1] == '0'
local ok
if new then
  -- Written here, only if nothing is there yet.
  ok = redis.call('SET', KEYS[1], ARGV[2], 'NX')
else
  -- The version is at the head of the record: reading the head alone
  -- spares Redis making the whole record a Lua string.
  local head = redis.call('GETRANGE', KEYS[1], 0, 31)
  ok = string.match(head, '^{"v":(%d+)') == ARGV[1]
end
local i = 4
local nev = tonumber(ARGV[i])
local ev = i + 1
i = ev + nev
local nmarks = tonumber(ARGV[i])
local marks = i + 1
i = marks + 2 * nmarks
if not ok then
  -- Refused: the case does not record what was sent, so the marks do,
  -- until the scheduler has read the case again and recorded it there. A
  -- write that goes through records it in the case itself, and the next
  -- reminder worked out from it is a new one: no mark is needed then.
  for m = marks, i - 1, 2 do
    redis.call('SET', KEYS[tonumber(ARGV[m])], '1', 'EX', ARGV[m + 1])
  end
  redis.call('DEL', cmdkey)
  return 0
end
if not new then
  redis.call('SET', KEYS[1], ARGV[2])
end
if nev > 0 then
  local ids = ''
  if not new then
    ids = redis.call('HGET', KEYS[3], ARGV[3]) or ''
  end
  for j = ev, ev + nev - 1 do
    ids = ids .. redis.call('XADD', KEYS[2], '*', 'c', ARGV[3], 'e', ARGV[j]) .. ' '
  end
  redis.call('HSET', KEYS[3], ARGV[3], ids)
end
local member = ARGV[3]
local nops = tonumber(ARGV[i])
i = i + 1
for _ = 1, nops do
  local op, key, a, b = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3]
  if op == 'zadd' then
    redis.call('ZADD', key, a, b)
  elseif op == 'zrem' then
    redis.call('ZREM', key, a)
  elseif op == 'sadd' then
    redis.call('SADD', key, a)
  elseif op == 'srem' then
    redis.call('SREM', key, a)
  elseif op == 'due' then
    -- A command moves the case in the due index, unless a scheduler holds
    -- it: then the scheduler's acknowledgement sets the next time.
    if new or redis.call('HEXISTS', KEYS[5], member) == 0 then
      if a == '' then
        redis.call('ZREM', KEYS[4], member)
      else
        redis.call('ZADD', KEYS[4], a, member)
      end
    end
  elseif op == 'ack' then
    -- The scheduler acknowledges its lease and sets the next time.
    if redis.call('HGET', KEYS[5], member) == b then
      redis.call('HDEL', KEYS[5], member)
    end
    if a == '' then
      redis.call('ZREM', KEYS[4], member)
    else
      redis.call('ZADD', KEYS[4], a, member)
    end
  end
  i = i + 4
end
return 1
`)

// claimScript leases due members of one partition: each member's score moves
// to the lease's expiry, so a scheduler that dies before acknowledging leaves
// it to be claimed again then.
//
// KEYS: 1 due, 2 lease. ARGV: 1 now, 2 lease expiry, 3 limit, 4 token.
var claimScript = redis.NewScript(`
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(items) do
  redis.call('ZADD', KEYS[1], ARGV[2], m)
  redis.call('HSET', KEYS[2], m, ARGV[4])
end
return items
`)

// releaseScript ends a lease without changing the case: the member is due
// again at the given time (straight away on shutdown; later when a send
// failed; its next reminder when there was nothing to send), or leaves the
// index when the time is empty.
//
// KEYS: 1 due, 2 lease. ARGV: 1 member, 2 token, 3 score or "".
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  if ARGV[3] == '' then
    redis.call('ZREM', KEYS[1], ARGV[1])
  else
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  end
  return 1
end
return 0
`)

// jobAckScript finishes a one-off job: marks its occurrence sent and removes
// it, if the lease is still this scheduler's.
//
// KEYS: 1 due, 2 lease, 3 jobs, 4 sent mark. ARGV: 1 member, 2 token, 3 ttl.
var jobAckScript = redis.NewScript(`
redis.call('SET', KEYS[4], '1', 'EX', ARGV[3])
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  return 1
end
return 0
`)

// timelineScript reads a case's events in order from its partition's stream.
//
// KEYS: 1 timeline index, 2 events stream. ARGV: 1 case id.
var timelineScript = redis.NewScript(`
local ids = redis.call('HGET', KEYS[1], ARGV[1])
local out = {}
if not ids then
  return out
end
local all = {}
for id in string.gmatch(ids, '%S+') do
  all[#all + 1] = id
end
local first = 1
local last = tonumber(ARGV[2] or '0')
if last > 0 and #all > last then
  first = #all - last + 1
end
for i = first, #all do
  local r = redis.call('XRANGE', KEYS[2], all[i], all[i])
  if r[1] then
    out[#out + 1] = r[1]
  end
end
return out
`)

// timelinesScript reads several cases' events, each case's in order, from
// one partition's stream: one script call for a page of a report's cases
// rather than one each (the call itself cost more than the reads in it).
//
// KEYS: 1 timeline index, 2 events stream. ARGV: case ids. It returns one
// list of entries per case, in the order of ARGV.
var timelinesScript = redis.NewScript(`
local lists = redis.call('HMGET', KEYS[1], unpack(ARGV))
local out = {}
for k = 1, #ARGV do
  local entries = {}
  local ids = lists[k]
  if ids then
    for id in string.gmatch(ids, '%S+') do
      local r = redis.call('XRANGE', KEYS[2], id, id)
      if r[1] then
        entries[#entries + 1] = r[1]
      end
    end
  end
  out[k] = entries
end
return out
`)

// collectScript gathers open cases from one partition: either everything in
// the open index, or those in any of the given sets (a person's, a
// service's: they hold open cases only, written with the open index by the
// apply script); optionally only those whose earliest deadline is at or
// before a time. It returns the limit earliest by deadline, each case's id
// and JSON in turn (the id names a record that cannot be read).
//
// When the sets are small beside the open index, their members are looked
// up in it and sorted; when they hold much of it (a pathway lead of a large
// service), the open index is walked in deadline order until limit are
// found, so the work is about limit × (open ÷ chosen), never every case.
//
// KEYS: 1 open, 2.. sets. ARGV: 1 "all" or "sets", 2 max score ("+inf"),
// 3 case key prefix, 4 limit.
var collectScript = redis.NewScript(`
local limit = tonumber(ARGV[4])
local max = ARGV[2]
local nmax = tonumber(max)
local ids = {}
if ARGV[1] == 'all' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', max, 'LIMIT', 0, limit)
else
  local n = 0
  for k = 2, #KEYS do
    n = n + redis.call('SCARD', KEYS[k])
  end
  if n == 0 then
    return {}
  end
  local open = redis.call('ZCARD', KEYS[1])
  if n * n > limit * open then
    local start = 0
    local page = 512
    local done = false
    while not done and #ids < limit do
      local got = redis.call('ZRANGE', KEYS[1], start, start + page - 1, 'WITHSCORES')
      start = start + page
      if #got < 2 * page then
        done = true
      end
      for i = 1, #got, 2 do
        if max ~= '+inf' and tonumber(got[i + 1]) > nmax then
          done = true
          break
        end
        for k = 2, #KEYS do
          if redis.call('SISMEMBER', KEYS[k], got[i]) == 1 then
            ids[#ids + 1] = got[i]
            break
          end
        end
        if #ids >= limit then
          break
        end
      end
    end
  else
    local sets = {}
    for k = 2, #KEYS do
      sets[#sets + 1] = KEYS[k]
    end
    local scored = {}
    for _, id in ipairs(redis.call('SUNION', unpack(sets))) do
      local score = redis.call('ZSCORE', KEYS[1], id)
      if score and (max == '+inf' or tonumber(score) <= nmax) then
        scored[#scored + 1] = {tonumber(score), id}
      end
    end
    table.sort(scored, function(a, b)
      if a[1] ~= b[1] then
        return a[1] < b[1]
      end
      return a[2] < b[2]
    end)
    for i = 1, math.min(limit, #scored) do
      ids[i] = scored[i][2]
    end
  end
end
local out = {}
for _, id in ipairs(ids) do
  local c = redis.call('GET', ARGV[3] .. id)
  if c then
    out[#out + 1] = id
    out[#out + 1] = c
  end
end
return out
`)

// countScript counts the open cases in one partition that collectScript
// would choose with no limit: how many there are, not how many a list
// fetched. With no time limit, that is how many cases the sets hold (they
// hold open cases only): the largest set's size, and the others' members
// looked up in it. With one, whichever is smaller is looked through: the
// sets' members, or the open index up to the time — unless one set holds
// every open case in the partition, when the open index is counted.
//
// KEYS and ARGV 1-2 as collectScript.
var countScript = redis.NewScript(`
if ARGV[1] == 'all' then
  return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[2])
end
local sets = {}
local sizes = {}
local n = 0
for k = 2, #KEYS do
  local size = redis.call('SCARD', KEYS[k])
  if size > 0 then
    sets[#sets + 1] = KEYS[k]
    sizes[#sets] = size
    n = n + size
  end
end
if n == 0 then
  return 0
end
if #sets == 1 and n == redis.call('ZCARD', KEYS[1]) then
  -- The one set holds every open case here.
  return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[2])
end
if ARGV[2] == '+inf' then
  -- The largest set's size, and the members of the others not in it
  -- or in a set before them.
  local big = 1
  for i = 2, #sets do
    if sizes[i] > sizes[big] then
      big = i
    end
  end
  local count = sizes[big]
  for i = 1, #sets do
    if i ~= big then
      for _, id in ipairs(redis.call('SMEMBERS', sets[i])) do
        local seen = redis.call('SISMEMBER', sets[big], id) == 1
        for j = 1, i - 1 do
          if seen then
            break
          end
          seen = j ~= big and redis.call('SISMEMBER', sets[j], id) == 1
        end
        if not seen then
          count = count + 1
        end
      end
    end
  end
  return count
end
local inrange = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[2])
local count = 0
if inrange < n then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])) do
    for k = 1, #sets do
      if redis.call('SISMEMBER', sets[k], id) == 1 then
        count = count + 1
        break
      end
    end
  end
  return count
end
local max = tonumber(ARGV[2])
for _, id in ipairs(redis.call('SUNION', unpack(sets))) do
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) <= max then
    count = count + 1
  end
end
return count
`)

// jobScript adds or moves a job: its record and its place in the due index,
// together.
//
// KEYS: 1 jobs, 2 due. ARGV: 1 member, 2 job JSON, 3 when (Unix seconds).
var jobScript = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`)
