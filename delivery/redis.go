package delivery

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every key of the queue shares one hash tag, so its scripts run on a
// Redis Cluster too.
type keys struct{ base string }

func newKeys(prefix string) keys { return keys{base: prefix + "{dq}:"} }

func (k keys) msg(key string) string      { return k.base + "msg:" + key }
func (k keys) ready() string              { return k.base + "ready" }
func (k keys) owner() string              { return k.base + "owner" }
func (k keys) age(platform string) string { return k.base + "age:" + platform }
func (k keys) bucket(name string) string  { return k.base + "tb:" + name }

// finishedTTL is how long a finished message's key is remembered: longer
// than any message is worth sending, so a late second queueing is still
// known as the same message.
const finishedTTL = 8 * 24 * time.Hour

func ms(t time.Time) int64 { return t.UnixMilli() }

// enqueueScript adds a message unless its key is known.
var enqueueScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[4]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
  return 1
end
return 0`)

// beginScript queues a new message and, when the pacing has a token for
// it now, holds it for this sender and marks it in flight, all at once: the
// common case (a quiet queue) costs one round trip, not one each for
// queueing, claiming, pacing and marking. It returns -1 when the key is
// already known (nothing is done), 0 when the message is held and marked
// (ARGV[2]..ARGV[4] written; it is to be sent now), or the ms to wait for a
// token (ARGV[2]..ARGV[3] written, ready then, held by nobody).
//
// KEYS: 1 message, 2 ready, 3 owner, 4 age, 5.. buckets, then the keys the
// message covers (Message.Covers). ARGV: 1 now (ms), 2 the record, left open
// (encodeBegun), 3 its ending as queued, 4 its ending as marked in flight,
// 5 key, 6 ttl (s), 7 lease expiry (ms), 8 token, 9 queued at (ms), 10 the
// number of buckets, 11.. each bucket's rate and burst, then each covered
// key's record.
var beginScript = redis.NewScript(takeLua + `
local nb = tonumber(ARGV[10])
local bk = {}
for i = 5, 4 + nb do bk[#bk+1] = KEYS[i] end
local now = tonumber(ARGV[1])
local wait, st = count(bk, now, 11)
local ending = ARGV[4]
if wait > 0 then ending = ARGV[3] end
-- Written only if the key is new: a known key changes nothing, not even
-- the pacing.
if not redis.call('SET', KEYS[1], ARGV[2] .. ending, 'NX', 'EX', ARGV[6]) then return -1 end
-- The keys it covers are known from now on, with it (one already known,
-- sent alone before, is left as it is).
for i = 5 + nb, #KEYS do
  redis.call('SET', KEYS[i], ARGV[11 + 2*nb + (i - 5 - nb)], 'NX', 'EX', ARGV[6])
end
redis.call('ZADD', KEYS[4], ARGV[9], ARGV[5])
if wait > 0 then
  redis.call('ZADD', KEYS[2], now + wait, ARGV[5])
  return wait
end
spend(bk, st, now, 11)
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[5])
redis.call('HSET', KEYS[3], ARGV[5], ARGV[8])
return 0`)

// claimScript takes up to ARGV[3] messages ready at ARGV[1] (or one named
// key, ARGV[5]), holds each until ARGV[2] under token ARGV[4], and returns
// key, record pairs. With ARGV[7] set, the named key is taken even if not
// ready yet (it waits for the pacing or a backoff), but never from a holder
// whose lease has not run out.
var claimScript = redis.NewScript(`
local ks
if ARGV[5] ~= '' then
  local s = redis.call('ZSCORE', KEYS[1], ARGV[5])
  if not s then return {} end
  if tonumber(s) > tonumber(ARGV[1]) then
    if ARGV[7] == '' or redis.call('HEXISTS', KEYS[2], ARGV[5]) == 1 then return {} end
  end
  ks = {ARGV[5]}
else
  ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
end
local out = {}
for _, k in ipairs(ks) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], k)
  redis.call('HSET', KEYS[2], k, ARGV[4])
  local v = redis.call('GET', ARGV[6] .. k)
  out[#out+1] = k
  out[#out+1] = v or ''
end
return out`)

// updateScript rewrites a held message and, with ARGV[4] set, hands it
// back to be tried at that time; with ARGV[5] set instead, holds it until
// then (a new lease). Only the holder may.
var updateScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
elseif ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[3], 'XX', ARGV[5], ARGV[1])
end
return 1`)

// finishScript replaces a held message by its marker and takes it off the
// queue.
var finishScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`)

// errLost means the claim was taken over (its lease ran out): the other
// holder carries on.
var errLost = errors.New("delivery: the claim was taken over")

// held is a claimed message.
type held struct {
	rec   record
	token string
}

func (q *Queue) rdb() redis.UniversalClient { return q.cfg.Store.Client() }

// enqueue adds r; false when its key was already known.
func (q *Queue) enqueue(ctx context.Context, r record, keepFor time.Duration) (bool, error) {
	v, err := encode(r)
	if err != nil {
		return false, err
	}
	ttl := int64((keepFor + finishedTTL) / time.Second)
	n, err := enqueueScript.Run(ctx, q.rdb(), []string{q.keys.msg(r.Key), q.keys.ready(), q.keys.age(r.platform())},
		v, ms(r.Queued), r.Key, ttl).Int()
	return n == 1, err
}

// begin queues the new record r and, when the pacing lets it go now, holds
// it marked in flight (see beginScript). known: the key was queued before,
// and nothing was done; wait > 0: it is queued, ready after wait; else h is
// held, marked in flight, to be sent now.
func (q *Queue) begin(ctx context.Context, r record, covers []string, keepFor time.Duration, now time.Time) (h held, wait time.Duration, known bool, err error) {
	if err := q.recordKept(ctx); err != nil {
		return held{}, 0, false, err
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer putBody(buf) // the script has run (or failed) by then
	body, queued, marked, inFlight, err := encodeBegun(buf, r, now)
	if err != nil {
		return held{}, 0, false, err
	}
	h = held{rec: inFlight, token: q.claimToken()}
	bkeys, rates := q.bucketArgs(q.cfg.Limits.buckets(r.To))
	keys := append([]string{q.keys.msg(r.Key), q.keys.ready(), q.keys.owner(), q.keys.age(r.platform())}, bkeys...)
	args := append([]any{ms(now), body, queued, marked, r.Key, int64((keepFor + finishedTTL) / time.Second), ms(now.Add(q.cfg.Lease)), h.token, ms(r.Queued), len(bkeys)}, rates...)
	for _, k := range covers {
		v, err := encode(record{Key: k, Queued: r.Queued, State: stateCovered, Reason: "in " + r.Key})
		if err != nil {
			return held{}, 0, false, err
		}
		keys, args = append(keys, q.keys.msg(k)), append(args, v)
	}
	n, err := q.cfg.Store.RunScript(ctx, beginScript, keys, args...).Int64()
	switch {
	case err != nil:
		return held{}, 0, false, err
	case n < 0:
		return held{}, 0, true, nil
	case n > 0:
		return held{}, time.Duration(n) * time.Millisecond, false, nil
	}
	return h, 0, false, nil
}

// claim takes up to n ready messages (or the one named, if key is set).
// A record that can't be read is taken off the queue and logged by key.
func (q *Queue) claim(ctx context.Context, now time.Time, n int, key string) ([]held, error) {
	return q.claimSome(ctx, now, n, key, false)
}

// claimKey takes the message under key if it is ready, or with early set,
// if nobody holds it (see claimScript).
func (q *Queue) claimKey(ctx context.Context, now time.Time, key string, early bool) ([]held, error) {
	return q.claimSome(ctx, now, 1, key, early)
}

func (q *Queue) claimSome(ctx context.Context, now time.Time, n int, key string, early bool) ([]held, error) {
	if err := q.recordKept(ctx); err != nil {
		return nil, err
	}
	token := q.claimToken()
	flag := ""
	if early {
		flag = "early"
	}
	vals, err := claimScript.Run(ctx, q.rdb(), []string{q.keys.ready(), q.keys.owner()},
		ms(now), ms(now.Add(q.cfg.Lease)), n, token, key, q.keys.msg(""), flag).StringSlice()
	if err != nil {
		return nil, err
	}
	var out []held
	for i := 0; i+1 < len(vals); i += 2 {
		rec, err := decode(vals[i+1])
		if err != nil || rec.State != stateQueued {
			q.cfg.Log.Warn("a queued message could not be read; it is set aside", "key", vals[i])
			q.rdb().ZRem(ctx, q.keys.ready(), vals[i])
			q.rdb().HDel(ctx, q.keys.owner(), vals[i])
			continue
		}
		out = append(out, held{rec: rec, token: token})
	}
	return out, nil
}

// update writes h's record; with at set, it is handed back, ready then.
func (q *Queue) update(ctx context.Context, h held, at time.Time) error {
	return q.write(ctx, h, at, time.Time{})
}

// mark writes h's record, marked in flight at now, and holds it for a
// lease from now.
func (q *Queue) mark(ctx context.Context, h held, now time.Time) error {
	return q.write(ctx, h, time.Time{}, now.Add(q.cfg.Lease))
}

func (q *Queue) write(ctx context.Context, h held, at, holdUntil time.Time) error {
	v, err := encode(h.rec)
	if err != nil {
		return err
	}
	when, until := "", ""
	if !at.IsZero() {
		when = strconv.FormatInt(ms(at), 10)
	}
	if !holdUntil.IsZero() {
		until = strconv.FormatInt(ms(holdUntil), 10)
	}
	n, err := q.cfg.Store.RunScript(ctx, updateScript, []string{q.keys.msg(h.rec.Key), q.keys.owner(), q.keys.ready()},
		h.rec.Key, h.token, v, when, until).Int()
	if err == nil && n == 0 {
		return errLost
	}
	return err
}

// finish takes h off the queue, keeping a marker in state.
func (q *Queue) finish(ctx context.Context, h held, state, reason string) error {
	v, err := encode(h.rec.marker(state, reason))
	if err != nil {
		return err
	}
	n, err := q.cfg.Store.RunScript(ctx, finishScript, []string{q.keys.msg(h.rec.Key), q.keys.owner(), q.keys.ready(), q.keys.age(h.rec.platform())},
		h.rec.Key, h.token, v, int64(finishedTTL/time.Second)).Int()
	if err == nil && n == 0 {
		return errLost
	}
	return err
}

// finished records h's end; if Redis does not answer, it is kept in memory
// and recorded before anything else is claimed, so a message that went is
// not sent again (nor, after this replica dies, more than the in-flight
// check allows).
func (q *Queue) finished(ctx context.Context, h held, state, reason string) {
	err := q.finish(ctx, h, state, reason)
	if err == nil || errors.Is(err, errLost) {
		return
	}
	q.cfg.Log.Warn("could not record a finished message; it is kept and recorded when the store answers", "key", h.rec.Key, "err", err)
	q.keptMu.Lock()
	q.kept = append(q.kept, kept{h: h, state: state, reason: reason})
	q.keptMu.Unlock()
}

// kept is a finish not yet recorded.
type kept struct {
	h             held
	state, reason string
}

// recordKept records the kept finishes; it fails while Redis does not
// answer.
func (q *Queue) recordKept(ctx context.Context) error {
	q.keptMu.Lock()
	defer q.keptMu.Unlock()
	for len(q.kept) > 0 {
		k := q.kept[0]
		if err := q.finish(ctx, k.h, k.state, k.reason); err != nil && !errors.Is(err, errLost) {
			return err
		}
		q.kept = q.kept[1:]
	}
	return nil
}

// Known reports, for each key, whether a message is known under it: queued,
// finished, or covered by another (Message.Covers). One round trip.
func (q *Queue) Known(ctx context.Context, keys []string) ([]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = q.keys.msg(k)
	}
	vs, err := q.rdb().MGet(ctx, ks...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(keys))
	for i, v := range vs {
		out[i] = v != nil
	}
	return out, nil
}

// State says what became of a key: "queued", "sent", "failed", "covered"
// (another message stands for it), or "" when it is not known.
func (q *Queue) State(ctx context.Context, key string) (string, error) {
	v, err := q.rdb().Get(ctx, q.keys.msg(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	r, err := decode(v)
	if err != nil {
		return "", err
	}
	return r.State, nil
}

// Backlog is one platform's queue: how many messages wait and how long the
// oldest has.
type Backlog struct {
	Length int64
	Oldest time.Duration
}

// Backlogs reads each platform's backlog.
func (q *Queue) Backlogs(ctx context.Context, platforms []string) (map[string]Backlog, error) {
	now := q.cfg.Clock()
	out := map[string]Backlog{}
	for _, p := range platforms {
		n, err := q.rdb().ZCard(ctx, q.keys.age(p)).Result()
		if err != nil {
			return nil, err
		}
		b := Backlog{Length: n}
		if n > 0 {
			first, err := q.rdb().ZRangeWithScores(ctx, q.keys.age(p), 0, 0).Result()
			if err != nil {
				return nil, err
			}
			if len(first) == 1 {
				b.Oldest = max(0, now.Sub(time.UnixMilli(int64(first[0].Score))))
			}
		}
		out[p] = b
	}
	return out, nil
}

// InDoubt counts, by platform, the queued messages marked in flight: sends
// started whose outcome no replica recorded. After a replica dies these are
// what recovery asks the platform about (or, where it can't, sends again).
func (q *Queue) InDoubt(ctx context.Context) (map[string]int, error) {
	keys, err := q.rdb().ZRange(ctx, q.keys.ready(), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, k := range keys {
		v, err := q.rdb().Get(ctx, q.keys.msg(k)).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if r, err := decode(v); err == nil && !r.InFlight.IsZero() {
			out[r.platform()]++
		}
	}
	return out, nil
}
