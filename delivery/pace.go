package delivery

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// takeLua defines count(bk, now, ai) and spend(bk, st, now, ai). count
// works out, without writing, whether every bucket named in bk has a token at
// now (ms): it returns 0 and the buckets' state, or how many ms until all of
// them have one. spend then takes one token from each. ARGV[ai+2(i-1)] and
// the one after are bucket i's rate (tokens per ms) and burst. A bucket's
// pause (field p, set after a 429) holds it shut until then. A bucket
// stamped more than a minute ahead of now (a replica's clock far ahead)
// starts again, full, rather than starving. takeScript and beginScript
// share them; beginScript counts first and spends only once it knows the
// message is new.
const takeLua = `
local function count(bk, now, ai)
  local wait = 0
  local st = {}
  for i = 1, #bk do
    local rate = tonumber(ARGV[ai + 2*(i-1)])
    local burst = tonumber(ARGV[ai + 2*(i-1) + 1])
    local v = redis.call('HMGET', bk[i], 't', 'ts', 'p')
    local t = tonumber(v[1]) or burst
    local ts = tonumber(v[2]) or now
    local p = tonumber(v[3]) or 0
    -- Stamped more than a minute ahead, by a clock that is wrong: it
    -- would never refill here, so it starts again, full.
    if ts > now + 60000 then t = burst; ts = now end
    if now > ts then t = math.min(burst, t + (now - ts) * rate) end
    st[i] = {t, ts}
    if p > now then wait = math.max(wait, p - now) end
    if t < 1 then wait = math.max(wait, (1 - t) / rate) end
  end
  if wait > 0 then return math.ceil(wait), st end
  return 0, st
end
local function spend(bk, st, now, ai)
  for i = 1, #bk do
    local rate = tonumber(ARGV[ai + 2*(i-1)])
    local burst = tonumber(ARGV[ai + 2*(i-1) + 1])
    redis.call('HSET', bk[i], 't', st[i][1] - 1, 'ts', math.max(st[i][2], now))
    redis.call('PEXPIRE', bk[i], math.ceil(burst / rate) + 60000)
  end
end
`

// takeScript takes one token from every bucket in KEYS at ARGV[1] (ms), or
// none (count and spend, above); ARGV[2i], ARGV[2i+1] are bucket i's rate
// and burst. It returns 0, or the ms until every bucket has a token.
var takeScript = redis.NewScript(takeLua + `
local now = tonumber(ARGV[1])
local wait, st = count(KEYS, now, 2)
if wait > 0 then return wait end
spend(KEYS, st, now, 2)
return 0`)

// pauseScript shuts the buckets in KEYS until ARGV[1] (ms); ARGV[2] is now.
// A bucket is kept at least a minute past its pause, and never less long
// than it was: an hour's bucket still counts the hour's sends.
var pauseScript = redis.NewScript(`
for i = 1, #KEYS do
  local p = tonumber(redis.call('HGET', KEYS[i], 'p')) or 0
  if tonumber(ARGV[1]) > p then redis.call('HSET', KEYS[i], 'p', ARGV[1]) end
  local kept = redis.call('PTTL', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], math.max(kept, tonumber(ARGV[1]) - tonumber(ARGV[2]) + 60000))
end
return 1`)

// take takes a token for a send to to from each of its buckets; it returns
// 0, or how long to wait before one is there.
func (q *Queue) take(ctx context.Context, to string, now time.Time) (time.Duration, error) {
	bs := q.cfg.Limits.buckets(to)
	if len(bs) == 0 {
		return 0, nil
	}
	keys, rates := q.bucketArgs(bs)
	wait, err := takeScript.Run(ctx, q.rdb(), keys, append([]any{ms(now)}, rates...)...).Int64()
	if err != nil {
		return 0, err
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// bucketArgs are the Redis keys of bs and, for each, its rate (tokens per
// ms) and burst, as the scripts take them.
func (q *Queue) bucketArgs(bs []bucket) (keys []string, rates []any) {
	keys = make([]string, len(bs))
	rates = make([]any, 0, 2*len(bs))
	for i, b := range bs {
		keys[i] = q.keys.bucket(b.name)
		rates = append(rates, strconv.FormatFloat(b.rate.perMilli(q.cfg.Limits.Scale), 'g', -1, 64), math.Max(1, float64(b.rate.N)))
	}
	return keys, rates
}

// pause shuts a conversation's buckets for d, as a 429 asked.
func (q *Queue) pause(ctx context.Context, to string, now time.Time, d time.Duration) error {
	bs := q.cfg.Limits.conversationBuckets(to)
	if len(bs) == 0 || d <= 0 {
		return nil
	}
	keys := make([]string, len(bs))
	for i, b := range bs {
		keys[i] = q.keys.bucket(b.name)
	}
	return pauseScript.Run(ctx, q.rdb(), keys, ms(now.Add(d)), ms(now)).Err()
}
