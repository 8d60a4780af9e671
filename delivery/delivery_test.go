package delivery

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/store/storetest"
)

// platform is a stand-in for Slack (asked: it can say whether a key
// arrived) or Teams (not asked). answer, when set, decides each send before
// it is accepted; a send it lets through is recorded by key.
type platform struct {
	mu      sync.Mutex
	canAsk  bool
	got     map[string]int // deliveries by key
	calls   int
	answer  func(call int, to, key string) error
	block   chan struct{} // when set, an accepted send waits on it (a replica dying mid-call)
	entered chan string   // told the key of each blocked send
}

func newPlatform(canAsk bool) *platform { return &platform{canAsk: canAsk, got: map[string]int{}} }

func (p *platform) SendKeyed(ctx context.Context, to string, channel bool, key string, r bot.Reply) error {
	p.mu.Lock()
	p.calls++
	call := p.calls
	answer := p.answer
	p.mu.Unlock()
	if answer != nil {
		if err := answer(call, to, key); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.got[key]++
	block := p.block
	p.mu.Unlock()
	bot.ReportSent(ctx, bot.MessageRef{Conv: "conv-" + to, ID: "id-" + key})
	if block != nil {
		p.entered <- key
		<-block
		return errors.New("connection reset")
	}
	return nil
}

func (p *platform) Delivered(ctx context.Context, to string, channel bool, key string, since time.Time) (bool, error) {
	if !p.canAsk {
		return false, bot.ErrCannotAsk
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[key] > 0, nil
}

func (p *platform) counts() (delivered, doubled int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.got {
		delivered++
		if n > 1 {
			doubled += n - 1
		}
	}
	return delivered, doubled
}

// counter counts what the queue reports.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func newCounter() *counter { return &counter{n: map[string]int{}} }

func (c *counter) add(k string) { c.mu.Lock(); c.n[k]++; c.mu.Unlock() }
func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}
func (c *counter) Sent(p string)               { c.add("sent:" + p) }
func (c *counter) Retried(p, why string)       { c.add("retried:" + why) }
func (c *counter) Waited(p string)             { c.add("waited:" + p) }
func (c *counter) Failed(p, reason string)     { c.add("failed:" + reason) }
func (c *counter) Recovered(p, outcome string) { c.add("recovered:" + outcome) }

// fast are limits sped up so tests don't wait on real platform time.
func fast(scale float64) Limits { l := DefaultLimits(); l.Scale = scale; return l }

func newQueue(t *testing.T, p *platform, cfg Config) (*Queue, *counter) {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = storetest.New(t)
	}
	m := newCounter()
	cfg.Sender, cfg.Metrics = p, m
	if cfg.Backoff == 0 {
		cfg.Backoff, cfg.MaxBackoff = 5*time.Millisecond, 40*time.Millisecond
	}
	if cfg.Limits.Scale == 0 {
		cfg.Limits = fast(1000)
	}
	return New(cfg), m
}

// burst queues n messages, one each to n people on surface.
func burst(t *testing.T, q *Queue, surface string, n int) {
	t.Helper()
	for i := range n {
		if _, err := q.Enqueue(context.Background(), Message{Key: fmt.Sprintf("k%d", i), To: fmt.Sprintf("%s:U%05d", surface, i), Reply: bot.Reply{Text: "hello"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// drainAll drains until nothing is queued, or fails after a while.
func drainAll(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if _, err := q.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		bl, err := q.Backlogs(ctx, []string{bot.Slack, bot.Teams})
		if err != nil {
			t.Fatal(err)
		}
		if bl[bot.Slack].Length == 0 && bl[bot.Teams].Length == 0 {
			return
		}
		if sleep(ctx, 5*time.Millisecond) != nil {
			t.Fatalf("still queued: %+v", bl)
		}
	}
}

func TestTheSameKeyQueuedTwiceGoesOnce(t *testing.T) {
	p := newPlatform(true)
	q, _ := newQueue(t, p, Config{})
	ctx := context.Background()
	m := Message{Key: "remind:1:contact:0:0", To: "slack:U1", Reply: bot.Reply{Text: "hi"}}
	if err := q.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	drainAll(t, q)
	if d, dup := p.counts(); d != 1 || dup != 0 {
		t.Fatalf("delivered %d, doubled %d; want 1, 0", d, dup)
	}
	if st, _ := q.State(ctx, m.Key); st != stateSent {
		t.Errorf("state %q; want sent", st)
	}
}

func TestAStormOf429sLosesAndDoublesNothing(t *testing.T) {
	for _, surface := range []string{bot.Slack, bot.Teams} {
		t.Run(surface, func(t *testing.T) {
			p := newPlatform(surface == bot.Slack)
			// Each message is refused twice with Retry-After before it goes.
			tries := map[string]int{}
			var mu sync.Mutex
			p.answer = func(_ int, _, key string) error {
				mu.Lock()
				defer mu.Unlock()
				tries[key]++
				if tries[key] <= 2 {
					return &bot.RetryLater{Status: 429, Throttled: true, After: 10 * time.Millisecond}
				}
				return nil
			}
			q, m := newQueue(t, p, Config{})
			burst(t, q, surface, 200)
			drainAll(t, q)
			if d, dup := p.counts(); d != 200 || dup != 0 {
				t.Fatalf("delivered %d, doubled %d; want 200, 0", d, dup)
			}
			if got := m.get("retried:throttled"); got != 400 {
				t.Errorf("throttled retries counted %d; want 400", got)
			}
		})
	}
}

func TestA503SpellLosesAndDoublesNothing(t *testing.T) {
	for _, surface := range []string{bot.Slack, bot.Teams} {
		t.Run(surface, func(t *testing.T) {
			p := newPlatform(surface == bot.Slack)
			// The platform is down for its first 150 calls.
			p.answer = func(call int, _, _ string) error {
				if call <= 150 {
					return &bot.RetryLater{Status: 503}
				}
				return nil
			}
			q, m := newQueue(t, p, Config{})
			burst(t, q, surface, 100)
			drainAll(t, q)
			if d, dup := p.counts(); d != 100 || dup != 0 {
				t.Fatalf("delivered %d, doubled %d; want 100, 0", d, dup)
			}
			if got := m.get("retried:unavailable"); got != 150 {
				t.Errorf("retries counted during the spell: %d; want 150", got)
			}
		})
	}
}

// A replica dies with sends in flight: on Slack the next replica finds them
// in the conversation and sends none again; on Teams it sends them again,
// and the doubles are exactly the sends that were in flight.
func TestAReplicaDyingMidSendIsRecovered(t *testing.T) {
	for _, tc := range []struct {
		surface     string
		wantDoubles int
	}{{bot.Slack, 0}, {bot.Teams, 3}} {
		t.Run(tc.surface, func(t *testing.T) {
			st := storetest.New(t)
			p := newPlatform(tc.surface == bot.Slack)
			p.block, p.entered = make(chan struct{}), make(chan string, 3)
			defer close(p.block)
			now := time.Now()
			dying, _ := newQueue(t, p, Config{Store: st, Workers: 3, Clock: func() time.Time { return now }})
			burst(t, dying, tc.surface, 20)
			dying.Start()
			t.Cleanup(dying.Stop)
			inFlight := 0
			for range 3 {
				<-p.entered
				inFlight++
			}
			// The dying replica is gone: its three sends hang for ever, and
			// it claims nothing more (it is not stopped, which would let
			// them finish). Another replica takes over after the lease.
			later := now.Add(2 * time.Minute)
			p.mu.Lock()
			p.block = nil
			p.mu.Unlock()
			other, m := newQueue(t, p, Config{Store: st, Clock: func() time.Time { return later }})
			drainAll(t, other)
			d, dup := p.counts()
			if d != 20 || dup != tc.wantDoubles {
				t.Fatalf("delivered %d, doubled %d; want 20, %d (in flight at the crash: %d)", d, dup, tc.wantDoubles, inFlight)
			}
			if tc.surface == bot.Slack && m.get("recovered:found") < inFlight {
				t.Errorf("found %d in Slack's history; want %d", m.get("recovered:found"), inFlight)
			}
			if tc.surface == bot.Teams && m.get("recovered:resent_in_doubt") != dup {
				t.Errorf("resent in doubt counted %d; doubles %d", m.get("recovered:resent_in_doubt"), dup)
			}
		})
	}
}

func TestAMessageNoLongerWorthSendingIsDroppedAndSaidSo(t *testing.T) {
	p := newPlatform(true)
	p.answer = func(int, string, string) error { return &bot.RetryLater{Status: 503} }
	now := time.Now()
	var failed []error
	var mu sync.Mutex
	q, m := newQueue(t, p, Config{Clock: func() time.Time { return now }, OnFailed: func(_ context.Context, _ Message, err error) {
		mu.Lock()
		failed = append(failed, err)
		mu.Unlock()
	}})
	ctx := context.Background()
	msg := Message{Key: "remind:1:contact:0:1", To: "slack:U1", NotAfter: now.Add(time.Hour), Reply: bot.Reply{Text: "hi"}}
	if err := q.Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	drainAll(t, q)
	if st, _ := q.State(ctx, msg.Key); st != stateFailed {
		t.Fatalf("state %q; want failed", st)
	}
	if m.get("failed:too late") != 1 || len(failed) != 1 || !errors.Is(failed[0], ErrTooLate) {
		t.Errorf("too late counted %d, told %v; want 1 and ErrTooLate", m.get("failed:too late"), failed)
	}
}

func TestARefusalForGoodFailsWithItsReason(t *testing.T) {
	p := newPlatform(true)
	p.answer = func(int, string, string) error { return &bot.Undeliverable{Reason: "the channel was archived"} }
	q, m := newQueue(t, p, Config{})
	ctx := context.Background()
	msg := Message{Key: "digest:maternity:2026-12-07", To: "slack:C1", Channel: true}
	for i := range 2 {
		// The refusal comes back from Send, and again for the same key.
		err := q.Send(ctx, msg)
		if u, ok := bot.AsUndeliverable(err); !ok || u.Reason != "the channel was archived" {
			t.Fatalf("Send %d: %v; want the refusal", i, err)
		}
	}
	if got := m.get("failed:the channel was archived"); got != 1 {
		t.Errorf("failures by reason: %v", m.n)
	}
	if d, _ := p.counts(); d != 0 {
		t.Errorf("delivered %d", d)
	}
}

func TestSendNowWithdrawsWhatDidNotGo(t *testing.T) {
	p := newPlatform(true)
	p.answer = func(call int, _, _ string) error {
		if call == 1 {
			return &bot.RetryLater{Status: 503}
		}
		return nil
	}
	q, _ := newQueue(t, p, Config{})
	ctx := context.Background()
	msg := Message{Key: "remind:1:contact:0:2:lead", To: "slack:U2"}
	if err := q.SendNow(ctx, msg); err == nil {
		t.Fatal("SendNow answered nil for a send the platform refused")
	}
	drainAll(t, q)
	if d, _ := p.counts(); d != 0 {
		t.Fatalf("a withdrawn message was delivered later")
	}
}

func TestPacingKeepsToEachConversationsLimit(t *testing.T) {
	p := newPlatform(true)
	// Slack: 1 a second per channel, sped up 20 times: 50 ms apart.
	q, _ := newQueue(t, p, Config{Limits: fast(20)})
	ctx := context.Background()
	var at []time.Time
	var mu sync.Mutex
	p.answer = func(int, string, string) error {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		return nil
	}
	for i := range 6 {
		if _, err := q.Enqueue(ctx, Message{Key: fmt.Sprintf("k%d", i), To: "slack:U1"}); err != nil {
			t.Fatal(err)
		}
	}
	drainAll(t, q)
	if len(at) != 6 {
		t.Fatalf("sent %d; want 6", len(at))
	}
	if took := at[5].Sub(at[0]); took < 240*time.Millisecond {
		t.Errorf("6 messages to one channel took %s; the limit allows no less than 250ms", took)
	}
}

func TestBacklogSaysLengthAndAge(t *testing.T) {
	p := newPlatform(true)
	now := time.Now()
	q, _ := newQueue(t, p, Config{Clock: func() time.Time { return now }})
	burst(t, q, bot.Teams, 3)
	now = now.Add(90 * time.Second)
	bl, err := q.Backlogs(context.Background(), []string{bot.Slack, bot.Teams})
	if err != nil {
		t.Fatal(err)
	}
	if bl[bot.Teams].Length != 3 || bl[bot.Teams].Oldest < 90*time.Second || bl[bot.Slack].Length != 0 {
		t.Errorf("backlogs %+v", bl)
	}
}

// With no chat platform configured for it yet (hppbot --serve before Slack
// or Teams is set up), a message waits in the queue rather than failing.
func TestAMessageWithNoPlatformYetWaits(t *testing.T) {
	p := newPlatform(true)
	p.answer = func(int, string, string) error { return bot.ErrNoRoute }
	q, m := newQueue(t, p, Config{})
	ctx := context.Background()
	if err := q.Send(ctx, Message{Key: "remind:3:contact:0:0", To: "slack:U3"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.State(ctx, "remind:3:contact:0:0"); st != stateQueued || m.get("retried:no_route") != 1 {
		t.Errorf("state %q, no_route retries %d; want queued and 1", st, m.get("retried:no_route"))
	}
}

// Send queues, takes the pacing's token and marks the send in flight in one
// step: with a token free the message has gone when Send returns; without
// one it waits in the queue, ready when the token is, and goes once.
func TestSendGoesAtOnceWithATokenAndWaitsWithout(t *testing.T) {
	p := newPlatform(true)
	// Slack: 1 a second per channel, sped up 20 times: 50 ms apart.
	q, m := newQueue(t, p, Config{Limits: fast(20)})
	ctx := context.Background()
	for i := range 4 {
		if err := q.Send(ctx, Message{Key: fmt.Sprintf("k%d", i), To: "slack:U1", Reply: bot.Reply{Text: "hello"}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		key, state string
	}{
		{"k0", stateSent},   // the token was free: it went in the caller's turn
		{"k1", stateQueued}, // the conversation's token was spent: it waits
		{"k3", stateQueued},
	}
	for _, tc := range tests {
		if st, err := q.State(ctx, tc.key); err != nil || st != tc.state {
			t.Errorf("%s is %q (%v) when Send returned; want %q", tc.key, st, err, tc.state)
		}
	}
	if got := m.get("waited:" + bot.Slack); got != 3 {
		t.Errorf("waits for a token counted %d; want 3", got)
	}
	drainAll(t, q)
	if d, dup := p.counts(); d != 4 || dup != 0 {
		t.Fatalf("delivered %d, doubled %d; want 4, 0", d, dup)
	}
	// Sent again after it went: the same message, not sent twice.
	if err := q.Send(ctx, Message{Key: "k0", To: "slack:U1", Reply: bot.Reply{Text: "hello"}}); err != nil {
		t.Fatal(err)
	}
	drainAll(t, q)
	if d, dup := p.counts(); d != 4 || dup != 0 {
		t.Fatalf("after sending k0 again: delivered %d, doubled %d; want 4, 0", d, dup)
	}
}

// A message queued again under a key already known changes nothing: not
// the record, and not the pacing (no token is taken for it).
func TestAKnownKeyTakesNoToken(t *testing.T) {
	p := newPlatform(true)
	q, _ := newQueue(t, p, Config{Limits: DefaultLimits()})
	ctx := context.Background()
	// Teams: a conversation's bucket holds 7, so a token is there to take.
	m := Message{Key: "remind:1:contact:0:0", To: "teams:U1", Reply: bot.Reply{Text: "hi"}}
	if err := q.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	state := func() map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, b := range q.cfg.Limits.buckets(m.To) {
			v, err := q.rdb().HGetAll(ctx, q.keys.bucket(b.name)).Result()
			if err != nil {
				t.Fatal(err)
			}
			out[b.name] = v
		}
		v, err := q.rdb().Get(ctx, q.keys.msg(m.Key)).Result()
		if err != nil {
			t.Fatal(err)
		}
		out["record"] = map[string]string{"": v}
		return out
	}
	before := state()
	if len(before) < 2 {
		t.Fatalf("no buckets for %s: %v", m.To, before)
	}
	if err := q.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if after := state(); !reflect.DeepEqual(before, after) {
		t.Errorf("queueing a known key again changed\n%v\ninto\n%v", before, after)
	}
	if d, dup := p.counts(); d != 1 || dup != 0 {
		t.Fatalf("delivered %d, doubled %d; want 1, 0", d, dup)
	}
}

// A bucket stamped far ahead (by a replica whose clock is wrong) would never
// refill for the others: it starts again, full. A bucket stamped a little
// ahead (clocks differ by moments) is kept as it is.
func TestABucketStampedFarAheadStartsAgain(t *testing.T) {
	tests := []struct {
		name  string
		ahead time.Duration
		waits bool
	}{
		{"an hour ahead", time.Hour, false},
		{"a second ahead", time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := newQueue(t, newPlatform(true), Config{Limits: DefaultLimits()})
			ctx := context.Background()
			now := time.Now()
			for _, b := range q.cfg.Limits.buckets("slack:U1") {
				if err := q.rdb().HSet(ctx, q.keys.bucket(b.name), "t", 0, "ts", ms(now.Add(tc.ahead))).Err(); err != nil {
					t.Fatal(err)
				}
			}
			wait, err := q.take(ctx, "slack:U1", now)
			if err != nil {
				t.Fatal(err)
			}
			if (wait > 0) != tc.waits {
				t.Errorf("take waits %s; want a wait %v", wait, tc.waits)
			}
		})
	}
}

// A conversation's bucket keeps its tokens, its stamp and its pause between
// sends: one a second to a Slack channel, a 429's pause kept (never
// shortened by a shorter one), and a bucket that can't be read starts
// again, full, rather than stopping sends.
func TestABucketKeepsItsTokensAndPause(t *testing.T) {
	const to = "slack:U1"
	type step struct {
		pause time.Duration // > 0: a 429 asks for this pause at the step's time
		at    time.Duration // from the start
		wait  time.Duration // what take says then (0: a token was taken)
	}
	tests := []struct {
		name    string
		corrupt string // the channel's bucket holds this as its tokens and stamp first, if set
		steps   []step
	}{
		{"one a second", "", []step{{at: 0}, {at: 400 * time.Millisecond, wait: 600 * time.Millisecond}, {at: time.Second}}},
		{"a part of a token is kept", "", []step{{at: 0}, {at: 250 * time.Millisecond, wait: 750 * time.Millisecond}, {at: 500 * time.Millisecond, wait: 500 * time.Millisecond}, {at: time.Second}}},
		{"a pause shuts a bucket never used", "", []step{{pause: 2 * time.Second, at: 0}, {at: 0, wait: 2 * time.Second}, {at: 2 * time.Second}}},
		{"a pause keeps the tokens spent", "", []step{{at: 0}, {pause: 300 * time.Millisecond, at: 0}, {at: 500 * time.Millisecond, wait: 500 * time.Millisecond}}},
		{"a shorter pause leaves a longer one", "", []step{{pause: 3 * time.Second, at: 0}, {pause: time.Second, at: 0}, {at: 2 * time.Second, wait: time.Second}, {at: 3 * time.Second}}},
		{"a bucket that can't be read starts full", "not a bucket", []step{{at: 0}, {at: 500 * time.Millisecond, wait: 500 * time.Millisecond}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := newQueue(t, newPlatform(true), Config{Limits: DefaultLimits()})
			ctx := context.Background()
			start := time.Now().Truncate(time.Second)
			if tc.corrupt != "" {
				if err := q.rdb().HSet(ctx, q.keys.bucket(q.cfg.Limits.conversationBuckets(to)[0].name), "t", tc.corrupt, "ts", tc.corrupt).Err(); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range tc.steps {
				now := start.Add(s.at)
				if s.pause > 0 {
					if err := q.pause(ctx, to, now, s.pause); err != nil {
						t.Fatal(err)
					}
					continue
				}
				wait, err := q.take(ctx, to, now)
				if err != nil {
					t.Fatal(err)
				}
				if wait != s.wait {
					t.Fatalf("step %d, at %s: take waits %s; want %s", i, s.at, wait, s.wait)
				}
			}
		})
	}
}

// A bucket is written with an expiry: a conversation no one writes to any
// more leaves nothing behind. It is kept as long as its rate needs (a
// Teams conversation's 1,800 an hour, an hour), and a 429's pause does not
// make it forget sooner.
func TestABucketExpires(t *testing.T) {
	q, _ := newQueue(t, newPlatform(true), Config{Limits: DefaultLimits()})
	ctx := context.Background()
	now := time.Now()
	if _, err := q.take(ctx, "teams:U1", now); err != nil {
		t.Fatal(err)
	}
	if err := q.pause(ctx, "teams:U1", now, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := q.pause(ctx, "teams:U2", now, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		to       string
		i        int // which of the conversation's buckets
		min, max time.Duration
	}{
		{"teams:U1", 0, 60 * time.Second, 66 * time.Second}, // 7 a second: a minute past the pause
		{"teams:U1", 2, time.Hour, time.Hour + time.Minute}, // 1,800 an hour: the hour, and a minute
		{"teams:U2", 2, 60 * time.Second, 66 * time.Second}, // paused, never used: a minute past the pause
	}
	for _, tc := range tests {
		b := q.cfg.Limits.conversationBuckets(tc.to)[tc.i]
		ttl, err := q.rdb().PTTL(ctx, q.keys.bucket(b.name)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl < tc.min || ttl > tc.max {
			t.Errorf("%s: kept %s; want %s to %s", b.name, ttl, tc.min, tc.max)
		}
	}
}
