package delivery

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/store/storetest"
)

// SendNow's answer is what a caller says who was told from (an escalation
// to a pathway lead, a team channel post), so it must match what the
// platform got: with the background sender running, as on a server, the
// worker woken by the message being queued must not leave SendNow waiting
// out its deadline and saying the message did not go when it did.
func TestSendNowAnswersWhatThePlatformGot(t *testing.T) {
	p := newPlatform(true)
	q, _ := newQueue(t, p, Config{Workers: 4})
	q.Start()
	defer q.Stop()
	for i := range 100 {
		key := fmt.Sprintf("esc:%d:lead", i)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := q.SendNow(ctx, Message{Key: key, To: fmt.Sprintf("slack:U%03d", i), Reply: bot.Reply{Text: "heads-up"}})
		cancel()
		p.mu.Lock()
		got := p.got[key]
		p.mu.Unlock()
		if err != nil || got != 1 {
			t.Fatalf("%s: SendNow said %v; the platform has it %d times; want nil and once", key, err, got)
		}
	}
}

// A SendNow whose message was handed back (a 429) and then sent by another
// replica answers that it went, from the message's record.
func TestSendNowHearsThatAnotherReplicaSentIt(t *testing.T) {
	st := storetest.New(t)
	p := newPlatform(true)
	p.answer = func(call int, _, _ string) error {
		if call == 1 {
			return &bot.RetryLater{Status: 429, Throttled: true, After: time.Second}
		}
		return nil
	}
	q1, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits()})
	// The other replica's clock is 10 s on, so the 429's pause is over
	// there.
	q2, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits(), Clock: func() time.Time { return time.Now().Add(10 * time.Second) }})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := Message{Key: "esc:1:channel", To: "slack:C1", Channel: true}
	errc := make(chan error, 1)
	go func() { errc <- q1.SendNow(ctx, m) }()
	waitFor(t, func() bool { st, _ := q1.State(ctx, m.Key); return st == stateQueued && p.callsSoFar() >= 1 })
	if _, err := q2.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Errorf("SendNow said %v; the platform has it %d times", err, p.count(m.Key))
	}
}

// A SendNow that runs out of time does not take its message from another
// replica that is sending it: the record says "sent" once that send ends,
// and the key asked for again answers that it went.
func TestSendNowLeavesALiveSendAlone(t *testing.T) {
	st := storetest.New(t)
	p := newPlatform(true)
	release := make(chan struct{})
	p.answer = func(call int, _, _ string) error {
		switch call {
		case 1:
			return &bot.RetryLater{Status: 429, Throttled: true, After: time.Second}
		case 2:
			<-release // the other replica's send is slow to be answered
		}
		return nil
	}
	q1, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits()})
	q2, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits(), Clock: func() time.Time { return time.Now().Add(10 * time.Second) }})
	m := Message{Key: "esc:2:channel", To: "slack:C2", Channel: true}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- q1.SendNow(ctx, m) }()
	waitFor(t, func() bool {
		st, _ := q1.State(context.Background(), m.Key)
		return st == stateQueued && p.callsSoFar() >= 1
	})
	drained := make(chan struct{})
	go func() { _, _ = q2.Drain(context.Background()); close(drained) }()
	<-errc // out of time while the other send is under way: it may say so
	close(release)
	<-drained
	if st, _ := q1.State(context.Background(), m.Key); st != stateSent {
		t.Errorf("the message went, yet its record says %q", st)
	}
	if err := q1.SendNow(context.Background(), m); err != nil {
		t.Errorf("SendNow of the same key again said %v; want nil (it went)", err)
	}
	if d, dup := p.counts(); d != 1 || dup != 0 {
		t.Errorf("delivered %d, doubled %d; want 1, 0", d, dup)
	}
}

// Marking a message in flight renews its lease: a send that starts late in
// the lease (the claim waited for a free worker) is not claimed by another
// replica while under way, which on Teams would send it again.
func TestMarkingInFlightRenewsTheLease(t *testing.T) {
	st := storetest.New(t)
	p := newPlatform(false) // Teams: it can't be asked, so a take-over sends again
	t0 := time.Now()
	var clock atomic.Int64
	q1, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits(), Clock: func() time.Time { return t0.Add(time.Duration(clock.Load())) }})
	other, _ := newQueue(t, p, Config{Store: st, Limits: DefaultLimits(), Clock: func() time.Time { return t0.Add(62 * time.Second) }})
	ctx := context.Background()
	m := Message{Key: "remind:9:contact:0:0", To: "teams:U9"}
	if _, err := q1.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	hs, err := q1.claim(ctx, t0, 1, "")
	if err != nil || len(hs) != 1 {
		t.Fatalf("claim: %v, %d", err, len(hs))
	}
	clock.Store(int64(50 * time.Second)) // the send starts 50 s into a 1-minute lease
	var first atomic.Bool
	p.answer = func(int, string, string) error {
		if first.CompareAndSwap(false, true) {
			clock.Store(int64(62 * time.Second)) // the platform takes 12 s to answer
			if _, err := other.Drain(ctx); err != nil {
				t.Error(err)
			}
		}
		return nil
	}
	q1.attempt(ctx, hs[0], modeBackground)
	if d, dup := p.counts(); d != 1 || dup != 0 {
		t.Fatalf("delivered %d, doubled %d; want 1, 0", d, dup)
	}
}

// A message in doubt (its send had no clear answer) is asked after before
// it is dropped as too late: one the platform has is sent, and no case is
// told it was not delivered.
func TestATooLateMessageInDoubtIsAskedAfterFirst(t *testing.T) {
	p := newPlatform(true) // Slack: it can be asked
	now := time.Now()
	var told []error
	q, m := newQueue(t, p, Config{Clock: func() time.Time { return now }, OnFailed: func(_ context.Context, _ Message, err error) { told = append(told, err) }})
	ctx := context.Background()
	msg := Message{Key: "remind:5:contact:0:0", To: "slack:U5", NotAfter: now.Add(time.Minute)}
	// The platform takes the message, but its answer is lost.
	p.block, p.entered = make(chan struct{}), make(chan string, 1)
	close(p.block)
	if err := q.Send(ctx, msg); err != nil {
		t.Fatal(err)
	}
	p.block = nil
	now = now.Add(2 * time.Minute) // tried again after its NotAfter
	drainAll(t, q)
	if st, _ := q.State(ctx, msg.Key); st != stateSent || len(told) != 0 || m.get("recovered:found") != 1 {
		t.Fatalf("state %q, told %v, recovered:found %d; want sent, nothing told, 1", st, told, m.get("recovered:found"))
	}
	if d, dup := p.counts(); d != 1 || dup != 0 {
		t.Errorf("delivered %d, doubled %d; want 1, 0", d, dup)
	}
}

// A message found in doubt on Teams is sent again and counted once, however
// often the pacing hands it back before it goes.
func TestADoubtIsCountedOnce(t *testing.T) {
	p := newPlatform(false)
	now := time.Now()
	q, m := newQueue(t, p, Config{Limits: DefaultLimits(), Clock: func() time.Time { return now }})
	ctx := context.Background()
	msg := Message{Key: "remind:7:contact:0:0", To: "teams:U7"}
	if _, err := q.Enqueue(ctx, msg); err != nil {
		t.Fatal(err)
	}
	// A replica marked it in flight and died.
	hs, err := q.claim(ctx, now, 1, "")
	if err != nil || len(hs) != 1 {
		t.Fatalf("claim: %v, %d", err, len(hs))
	}
	hs[0].rec.InFlight, hs[0].rec.Attempts = now, 1
	if err := q.update(ctx, hs[0], time.Time{}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	handedBackTwice(t, q, msg.To, &now)
	if d, _ := p.counts(); d != 1 {
		t.Fatalf("delivered %d; want 1", d)
	}
	if got := m.get("recovered:resent_in_doubt"); got != 1 {
		t.Errorf("one message in doubt counted resent_in_doubt %d times; want 1", got)
	}
}

// waitFor waits up to 5 s for ok.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// callsSoFar is how many calls the platform has had.
func (p *platform) callsSoFar() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// count is how many times the platform got key.
func (p *platform) count(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[key]
}

// A message that stands for others (a bundle, for its cases' own messages)
// makes their keys known with it: one of them queued later, alone, is not
// sent again, and Known finds them. A key already known before is left as
// it was.
func TestAMessageCoversTheKeysItStandsFor(t *testing.T) {
	p := newPlatform(true)
	q, _ := newQueue(t, p, Config{})
	ctx := context.Background()
	if err := q.Send(ctx, Message{Key: "remind:3:contact:0:0", To: "slack:U1"}); err != nil {
		t.Fatal(err)
	}
	bundle := Message{Key: "bundle:slack:U1:ab", To: "slack:U1", Covers: []string{"remind:1:contact:0:0", "remind:2:contact:0:0", "remind:3:contact:0:0"}}
	if err := q.Send(ctx, bundle); err != nil {
		t.Fatal(err)
	}
	drainAll(t, q) // it may wait for the channel's pacing
	known, err := q.Known(ctx, []string{"remind:1:contact:0:0", "remind:2:contact:0:0", "remind:3:contact:0:0", "remind:4:contact:0:0"})
	if err != nil || !reflect.DeepEqual(known, []bool{true, true, true, false}) {
		t.Fatalf("Known = %v, %v; want the three covered keys and not the fourth", known, err)
	}
	for key, want := range map[string]string{"remind:2:contact:0:0": stateCovered, "remind:3:contact:0:0": stateSent} {
		if st, _ := q.State(ctx, key); st != want {
			t.Errorf("State(%s) = %q; want %q", key, st, want)
		}
	}
	if err := q.Send(ctx, Message{Key: "remind:2:contact:0:0", To: "slack:U1"}); err != nil {
		t.Fatalf("a covered key queued alone: %v; want nil (it went with the bundle)", err)
	}
	if got := p.count("remind:2:contact:0:0"); got != 0 {
		t.Errorf("a covered key was sent alone %d times; want 0", got)
	}
	if d, dup := p.counts(); d != 2 || dup != 0 {
		t.Errorf("delivered %d, doubled %d; want 2 (the first alone, the bundle), 0", d, dup)
	}
}

// A reminder in doubt on Teams (its send had no clear answer, and Teams
// can't be asked) whose case then moved on is neither sent again nor said
// not to have gone: the person may have had it and acted on it. One still
// wanted goes again, as any doubt does.
func TestAReminderInDoubtIsNeverCalledUnsent(t *testing.T) {
	tests := []struct {
		name      string
		wanted    bool
		delivered int
	}{
		{"the case moved on", false, 1},
		{"still wanted", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlatform(false) // Teams
			now := time.Now()
			var told []error
			q, _ := newQueue(t, p, Config{
				Clock:    func() time.Time { return now },
				OnFailed: func(_ context.Context, _ Message, err error) { told = append(told, err) },
				Wanted:   func(context.Context, Message) (bool, error) { return tc.wanted, nil },
			})
			ctx := context.Background()
			m := Message{Key: "remind:5:contact:0:0", To: "teams:U5", Reminds: []Reminded{{Case: 5, Step: "contact"}}, NotAfter: now.Add(time.Hour)}
			p.block, p.entered = make(chan struct{}), make(chan string, 1)
			close(p.block) // the platform takes it; the answer is lost
			if err := q.Send(ctx, m); err != nil {
				t.Fatal(err)
			}
			p.block = nil
			now = now.Add(time.Minute)
			drainAll(t, q)
			if got := p.count(m.Key); got != tc.delivered {
				t.Errorf("the platform got it %d times; want %d", got, tc.delivered)
			}
			if len(told) != 0 {
				t.Errorf("OnFailed was told %v; want nothing (it may have gone)", told)
			}
		})
	}
}

// A reminder that waits is asked about (Config.Wanted: one read of each
// case) once, as it is about to go, not again on each hand-back for the
// pacing.
func TestAWaitingReminderIsAskedAboutOnceAsItGoes(t *testing.T) {
	p := newPlatform(false)
	now := time.Now()
	asked := 0
	q, _ := newQueue(t, p, Config{Limits: DefaultLimits(), Clock: func() time.Time { return now },
		Wanted: func(context.Context, Message) (bool, error) { asked++; return true, nil }})
	ctx := context.Background()
	m := Message{Key: "remind:8:contact:0:0", To: "teams:U8", Reminds: []Reminded{{Case: 8, Step: "contact"}}}
	if _, err := q.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	handedBackTwice(t, q, m.To, &now)
	if d, _ := p.counts(); d != 1 || asked != 1 {
		t.Errorf("delivered %d, asked %d times; want 1 and 1", d, asked)
	}
}

// handedBackTwice pauses the conversation with to twice, as a 429 for
// another message to it would, draining the queue each time (what waits
// for it is handed back), then drains it once the pause is over. now is
// the queue's clock.
func handedBackTwice(t *testing.T, q *Queue, to string, now *time.Time) {
	t.Helper()
	ctx := context.Background()
	for range 2 {
		if err := q.pause(ctx, to, *now, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(5 * time.Second)
	}
	if _, err := q.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}
