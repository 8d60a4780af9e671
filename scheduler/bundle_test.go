package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// openStaggered opens n cases for lead, each two minutes before the last
// (so their first contacts fall due in that order), and one for someone
// else; it returns the clock's time once all of them are due.
func openStaggered(t *testing.T, e *env, lead string, n int) (cases []*pathway.Case, allDue time.Time) {
	t.Helper()
	for i := 0; i < n; i++ {
		cases = append(cases, e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", 100+i), Lead: lead}))
		e.clock.Add(-2 * time.Minute) // the next one was opened earlier: it is older
	}
	e.openCase(t, pathway.OpenInput{Ref: "INC-900", Lead: "console:other"})
	e.clock.Set(wed)
	return cases, wed.AddDate(0, 0, 2) // Friday: every first contact (within 1wd) is due
}

func TestOneTicksNudgesToOnePersonAreOneMessage(t *testing.T) {
	for _, n := range []int{1, 5, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			cases, at := openStaggered(t, e, "console:sam", n)
			res, err := e.s.Tick(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 2 || res.Failed != 0 {
				t.Fatalf("tick %+v; want two messages: one to @sam, one to @other", res)
			}
			got := e.rec.to("console:sam")
			if len(got) != 1 {
				t.Fatalf("@sam got %d messages, want 1", len(got))
			}
			r := got[0].reply
			if n == 1 {
				if len(r.Sections) != 0 || !strings.Contains(r.Text, cases[0].Name()) {
					t.Fatalf("a bundle of one should be the usual nudge: %+v", r)
				}
			} else {
				if len(r.Sections) != n || r.Overflow == "" {
					t.Fatalf("%d sections (overflow %q), want one for each of %d cases", len(r.Sections), r.Overflow, n)
				}
				// Oldest due first: the last opened case was opened earliest.
				for i, sec := range r.Sections {
					want := cases[n-1-i].Name()
					if !strings.HasPrefix(sec.Text, "*"+want+"*") || sec.Button == nil || !strings.HasSuffix(sec.Button.Command, want) {
						t.Fatalf("section %d = %q (button %+v), want %s, oldest first", i, sec.Text, sec.Button, want)
					}
				}
			}
			// Every case is recorded on its own: nothing is sent again.
			for _, c := range cases {
				events, err := e.st.Timeline(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if last := events[len(events)-1]; last.Kind != pathway.EventReminder || last.People[0] != "console:sam" {
					t.Errorf("%s: last entry %+v, want the reminder", c.Name(), last)
				}
			}
			if res, err := e.s.Tick(ctx, at.Add(time.Minute)); err != nil || res.Sent != 0 {
				t.Fatalf("a second tick sent %+v (%v), want nothing", res, err)
			}
		})
	}
}

// A bundled message the platform refuses for a moment waits in the
// delivery queue as one message and goes once; each case is recorded once,
// and nothing is sent again by a later tick.
func TestAFailedBundleMarksNoneOfItsCases(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	cases, at := openStaggered(t, e, "console:sam", 5)
	down := true
	e.rec.fail = func(to string) error {
		if down && to == "console:sam" {
			return errors.New("slack: 503")
		}
		return nil
	}
	e.clock.Set(at) // the delivery queue keeps the scheduler's time
	res, err := e.s.Tick(ctx, at)
	if err != nil || res.Failed != 0 || res.Sent != 2 {
		t.Fatalf("tick %+v, %v; want the bundle queued and @other's nudge sent", res, err)
	}
	if got := e.rec.to("console:sam"); len(got) != 0 {
		t.Fatalf("@sam got %d messages while the platform refused", len(got))
	}
	down = false
	e.clock.Set(at.Add(time.Hour))
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := e.s.Tick(ctx, at.Add(time.Hour)); err != nil || res.Sent != 0 {
		t.Fatalf("a later tick %+v, %v; want nothing sent again", res, err)
	}
	if got := e.rec.to("console:sam"); len(got) != 1 || len(got[0].reply.Sections) != 5 {
		t.Fatalf("@sam got %d messages; want the one bundle of 5", len(got))
	}
	for _, c := range cases {
		events, _ := e.st.Timeline(ctx, c.ID)
		reminders := 0
		for _, ev := range events {
			if ev.Kind == pathway.EventReminder {
				reminders++
			}
		}
		if reminders != 1 {
			t.Errorf("%s: %d reminders recorded, want 1", c.Name(), reminders)
		}
	}
}

// A case whose reminder another replica already sent is recorded, not sent
// again, and the rest of the person's cases still go as one message.
func TestABundleLeavesOutWhatWasAlreadySent(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	cases, at := openStaggered(t, e, "console:sam", 3)
	claims, err := e.st.ClaimDue(ctx, at, time.Minute, 100, "other-replica/1")
	if err != nil {
		t.Fatal(err)
	}
	// The other replica sent cases[0]'s reminder and died before recording
	// the case: a stale acknowledgement writes only the mark.
	for _, cl := range claims {
		if id, ok := cl.CaseID(); ok && id == cases[0].ID {
			rs := cases[0].Reminders(e.p, at)
			stale := cases[0].Clone()
			stale.Version = 99
			if err := e.st.AckCase(ctx, cl, stale, cases[0].Clone(), e.p, nil, []string{rs[0].Occurrence}, time.Time{}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale ack = %v; want a conflict", err)
			}
		}
	}
	e.s.releaseAll(claims, at)
	if _, err := e.s.Tick(ctx, at); err != nil {
		t.Fatal(err)
	}
	got := e.rec.to("console:sam")
	if len(got) != 1 || len(got[0].reply.Sections) != 2 || strings.Contains(got[0].reply.Text+fmt.Sprint(got[0].reply.Sections), cases[0].Name()+"*") {
		t.Fatalf("@sam got %+v; want one message about the two cases not yet sent", got)
	}
}

// Cases of one bundle that escalate together are one heads-up to their
// pathway lead, one note to the named contact and one channel post; each
// case records its escalation.
func TestABundlesEscalationsAreBundledToo(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:#maternity"}); err != nil {
		t.Fatal(err)
	}
	var cases []*pathway.Case
	for i := 0; i < 3; i++ {
		cases = append(cases, e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i+1), Service: "maternity", Lead: "console:sam"}))
	}
	e.runUntil(t, wed.AddDate(0, 0, 8))

	heads := containing(e.rec.to("console:pat"), "heads-up")
	if len(heads) != 1 || len(heads[0].reply.Sections) != 3 || !strings.Contains(heads[0].reply.Text, "<@console:sam> has 3 cases") {
		t.Fatalf("the pathway lead should get one heads-up about @sam's 3 cases: %v", heads)
	}
	// Only "I'll take it" fits beside each case: the note says how to hand
	// one on or give more time.
	if note := heads[0].reply.Note; !strings.Contains(note, "/hpp lead <case> @name") || !strings.Contains(note, "/hpp snooze <case> 1wd") {
		t.Errorf("the bundled heads-up's note %q doesn't say how to hand a case on or give more time", note)
	}
	for i, sec := range heads[0].reply.Sections {
		if sec.Button == nil || sec.Button.Command != "take "+cases[i].Name() {
			t.Errorf("heads-up section %d: %+v", i, sec)
		}
	}
	notes := containing(e.rec.to("console:sam"), "asked colleagues to check in")
	if len(notes) != 1 || !strings.Contains(notes[0].reply.Text, "• *HPP-1*, *HPP-2* and *HPP-3*: I've let <@console:pat>, the pathway lead for maternity, know") {
		t.Fatalf("@sam should get one note naming the lead for the three cases: %v", notes)
	}
	posts := containing(e.rec.to("console:#maternity"), "after several reminders")
	if len(posts) != 1 || strings.Contains(posts[0].reply.Text, "sam") {
		t.Fatalf("the channel should get one post, naming nobody: %v", posts)
	}
	for _, c := range cases {
		got, err := e.st.GetCase(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Escalated || len(got.EscalatedTo) != 1 || got.EscalatedTo[0] != "console:pat" || got.EscalatedChannel != "console:#maternity" {
			t.Errorf("%s: escalated %v to %v and %q", c.Name(), got.Escalated, got.EscalatedTo, got.EscalatedChannel)
		}
	}
}

// If the bundled heads-up can't reach the pathway lead, none of its cases
// is marked escalated, and the next reminders try again.
func TestABundledHeadsUpThatFailsIsTriedAgain(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat"}); err != nil {
		t.Fatal(err)
	}
	var cases []*pathway.Case
	for i := 0; i < 2; i++ {
		cases = append(cases, e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i+1), Service: "maternity", Lead: "console:sam"}))
	}
	leadDown := true
	e.rec.fail = func(to string) error {
		if to == "console:pat" && leadDown {
			return errors.New("slack: 503")
		}
		return nil
	}
	e.runUntil(t, wed.AddDate(0, 0, 8))
	for _, c := range cases {
		if got, _ := e.st.GetCase(ctx, c.ID); got.Escalated {
			t.Fatalf("%s is marked escalated though its pathway lead was never reached", c.Name())
		}
	}
	leadDown = false
	e.runUntil(t, wed.AddDate(0, 0, 10))
	if heads := containing(e.rec.to("console:pat"), "heads-up"); len(heads) != 1 || len(heads[0].reply.Sections) != 2 {
		t.Fatalf("once reachable, the lead should get one heads-up about both cases: %v", heads)
	}
	for _, c := range cases {
		if got, _ := e.st.GetCase(ctx, c.ID); !got.Escalated {
			t.Errorf("%s is not marked escalated once the lead was told", c.Name())
		}
	}
}

// crashAfterSend is a Messenger that records a send, then cancels the
// tick's context: the platform has the message and the delivery queue
// records it (it finishes with its own context), but the scheduler's
// acknowledgements fail and are only kept in memory, which a crash loses.
type crashAfterSend struct {
	rec    *recorder
	cancel context.CancelFunc
}

func (k *crashAfterSend) SendDirect(ctx context.Context, to string, r bot.Reply) error {
	err := k.rec.SendDirect(ctx, to, r)
	k.cancel()
	return err
}

func (k *crashAfterSend) PostChannel(ctx context.Context, to string, r bot.Reply) error {
	err := k.rec.PostChannel(ctx, to, r)
	k.cancel()
	return err
}

// A bundle sent and not acknowledged (the scheduler died) is not sent again
// when its cases are claimed again, also when the set of cases differs on
// the retry (another of the person's cases came due meanwhile, or one was
// answered from the first message), so the bundle's own key differs: the
// bundle stands for each of its cases' own keys, and the retry finds them.
func TestABundleIsNotSentAgainAfterACrashWhenItsCasesDiffer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		retry func(t *testing.T, e *env, a, b, c *pathway.Case) time.Time
	}{
		{"control: the same cases again", func(t *testing.T, e *env, a, b, c *pathway.Case) time.Time {
			return b.NextWake(e.p).Add(3 * time.Minute)
		}},
		{"another case came due", func(t *testing.T, e *env, a, b, c *pathway.Case) time.Time {
			return c.NextWake(e.p).Add(time.Minute)
		}},
		{"one case answered from the first message", func(t *testing.T, e *env, a, b, c *pathway.Case) time.Time {
			at := b.NextWake(e.p).Add(3 * time.Minute)
			e.clock.Set(at)
			e.update(t, a.ID, func(x *pathway.Case) (pathway.Event, error) {
				return x.LogContact(pathway.ContactInput{Via: "phone"}, a.Lead, e.p, at)
			})
			return at
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			a := e.openCase(t, pathway.OpenInput{Ref: "INC-1", Lead: "console:sam"})
			e.clock.Add(time.Minute)
			b := e.openCase(t, pathway.OpenInput{Ref: "INC-2", Lead: "console:sam"})
			e.clock.Add(30 * time.Minute)
			c := e.openCase(t, pathway.OpenInput{Ref: "INC-3", Lead: "console:sam"})

			first := b.NextWake(e.p).Add(time.Second) // a and b due, c not yet
			e.clock.Set(first)
			tickCtx, cancel := context.WithCancel(ctx)
			dying := New(Config{Store: e.st, Policy: e.p, Messenger: &crashAfterSend{rec: e.rec, cancel: cancel}, Clock: e.clock.Now, Workers: 1})
			res, err := dying.Tick(tickCtx, first)
			if err != nil || res.Claimed != 2 {
				t.Fatalf("dying tick = %+v, %v", res, err)
			}
			if got := e.rec.to("console:sam"); len(got) != 1 || len(got[0].reply.Sections) != 2 {
				t.Fatalf("want one bundle of 2 sent before the crash; got %d messages", len(got))
			}
			if dying.unrecordedCount() == 0 {
				t.Fatalf("setup: the acknowledgements were not left unrecorded")
			}
			// dying is gone: its kept records with it.

			at := tc.retry(t, e, a, b, c)
			e.clock.Set(at)
			if _, err := e.s.Tick(ctx, at); err != nil {
				t.Fatal(err)
			}
			times := map[string]int{}
			for _, m := range e.rec.to("console:sam") {
				for _, x := range []*pathway.Case{a, b} {
					if containsCase(m.reply, x.Name()) {
						times[x.Name()]++
					}
				}
			}
			for _, x := range []*pathway.Case{a, b} {
				if times[x.Name()] > 1 {
					t.Errorf("%s's reminder reached console:sam %d times; want once", x.Name(), times[x.Name()])
				}
			}
		})
	}
}

func containsCase(r bot.Reply, name string) bool {
	s := r.Text
	for _, sec := range r.Sections {
		s += sec.Text
	}
	return strings.Contains(s, "*"+name+"*")
}
