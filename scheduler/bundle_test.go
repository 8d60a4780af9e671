package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

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

// If the bundled message fails, none of its cases is marked sent; once it
// goes, each is recorded once.
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
	res, err := e.s.Tick(ctx, at)
	if err != nil || res.Failed != 1 || res.Sent != 1 {
		t.Fatalf("tick %+v, %v; want the bundle failed once and @other's nudge sent", res, err)
	}
	for _, c := range cases {
		events, err := e.st.Timeline(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.Kind == pathway.EventReminder {
				t.Fatalf("%s has a reminder recorded though the bundle failed", c.Name())
			}
		}
	}
	down = false
	if res, err := e.s.Tick(ctx, at.Add(e.s.cfg.Retry+time.Minute)); err != nil || res.Sent != 1 {
		t.Fatalf("retry tick %+v, %v; want the bundle sent", res, err)
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
