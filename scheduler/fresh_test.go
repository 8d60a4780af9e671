package scheduler

import (
	"context"
	"testing"
	"time"

	"hppbot/pathway"
)

// TestRemindersAreCheckedAgainAtSendTime changes a case between the moment
// its reminder is worked out (claimed and read) and the moment it is sent,
// against the real store: what goes is what the case owes when it is sent.
func TestRemindersAreCheckedAgainAtSendTime(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(e *env, c *pathway.Case) (pathway.Event, error)
		// who gets a nudge; "" for nobody
		want string
	}{
		{name: "nothing changed", want: "console:lee"},
		{name: "contact logged", change: func(e *env, c *pathway.Case) (pathway.Event, error) {
			return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:lee", e.p, e.clock.Now())
		}},
		{name: "case closed", change: func(e *env, c *pathway.Case) (pathway.Event, error) {
			return c.Close("", "console:lee", e.clock.Now())
		}},
		{name: "snoozed", change: func(e *env, c *pathway.Case) (pathway.Event, error) {
			return c.Snooze(pathway.Span{N: 1, Unit: pathway.Day}, "console:lee", e.p, e.clock.Now())
		}},
		{name: "handed over", want: "console:sam", change: func(e *env, c *pathway.Case) (pathway.Event, error) {
			return c.HandOver("console:sam", "console:lee", e.clock.Now())
		}},
		// The tick read who is away for the named contacts it claimed; the
		// new named contact was not among them, so is read at send time.
		{name: "handed over to someone away", want: "console:kim", change: func(e *env, c *pathway.Case) (pathway.Event, error) {
			a, err := pathway.NewAway(pathway.AwayInput{Person: "console:sam", Cover: "console:kim", Until: e.clock.Now().AddDate(0, 0, 7)}, "console:sam", e.p, e.clock.Now())
			if err == nil {
				err = e.st.SaveAway(context.Background(), a, e.clock.Now())
			}
			if err != nil {
				return pathway.Event{}, err
			}
			return c.HandOver("console:sam", "console:lee", e.clock.Now())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, wed)
			c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
			e.clock.Set(thu)
			claims, err := e.s.claim(ctx, thu)
			if err != nil || len(claims) != 1 {
				t.Fatalf("claimed %d, %v; want the case's first nudge", len(claims), err)
			}
			work, svcs, err := e.s.prepare(ctx, claims, thu)
			if err != nil {
				t.Fatal(err)
			}
			if len(work[0].reminders) != 1 {
				t.Fatalf("the claim owes %d reminders; want 1", len(work[0].reminders))
			}
			if tc.change != nil {
				e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) { return tc.change(e, c) })
			}
			e.s.sendAll(ctx, work, svcs, thu)

			var to []string
			for _, s := range e.rec.all {
				to = append(to, s.to)
			}
			switch {
			case tc.want == "" && len(to) != 0:
				t.Errorf("sent to %v; want nothing: the case no longer owes a nudge", to)
			case tc.want != "" && (len(to) != 1 || to[0] != tc.want):
				t.Errorf("sent to %v; want one nudge to %s", to, tc.want)
			}
			events, err := e.st.Timeline(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var reminded []string
			for _, ev := range events {
				if ev.Kind == pathway.EventReminder {
					reminded = append(reminded, ev.People...)
				}
			}
			if tc.want == "" && len(reminded) != 0 || tc.want != "" && (len(reminded) != 1 || reminded[0] != tc.want) {
				t.Errorf("timeline records reminders to %v; want %q", reminded, tc.want)
			}
			// The case's next time is set from the fresh case: nothing
			// stays claimed, and nothing is sent twice later in the day.
			e.runUntil(t, thu.Add(6*time.Hour))
			if n := len(e.rec.all); n != len(to) {
				t.Errorf("later that day %d more messages went; want none", n-len(to))
			}
		})
	}
}

func TestStillDueNamesTheNamedContactAsItIsNow(t *testing.T) {
	e := newEnv(t, wed)
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	ctx := context.Background()
	f, err := e.s.readFresh(ctx, c.ID, thu)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.owed) != 1 {
		t.Fatalf("owes %d; want 1", len(f.owed))
	}
	occ := f.owed[0].Occurrence
	if to, ok := f.stillDue(occ); !ok || to != "console:lee" {
		t.Errorf("stillDue = %q, %v; want console:lee, true", to, ok)
	}
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.HandOver("console:sam", "console:lee", thu)
	})
	f, err = e.s.readFresh(ctx, c.ID, thu)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.stillDue(occ); ok {
		t.Errorf("the reminder worked out before the handover is still due; want it replaced")
	}
	if len(f.owed) != 1 {
		t.Fatalf("after the handover the case owes %d; want the new contact's first nudge", len(f.owed))
	}
	if to, ok := f.stillDue(f.owed[0].Occurrence); !ok || to != "console:sam" {
		t.Errorf("stillDue = %q, %v; want console:sam, true", to, ok)
	}
}

// TestAHandoverWhileClaimedIsNudgedOnceAcrossReplicas: one replica has
// claimed a case's nudge when the case is handed over; another replica
// ticking meanwhile can't claim it, the first sends it to the new named
// contact, and from then on each nudge goes once, to them alone.
func TestAHandoverWhileClaimedIsNudgedOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, wed)
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	at := thu
	clock := func() time.Time { return at }
	recB := &recorder{}
	a := New(Config{Store: e.st, Policy: e.p, Messenger: e.rec, Clock: clock, Workers: 1})
	b := New(Config{Store: e.st, Policy: e.p, Messenger: recB, Clock: clock, Workers: 1})
	claims, err := a.claim(ctx, at)
	if err != nil || len(claims) != 1 {
		t.Fatalf("replica A claimed %d, %v", len(claims), err)
	}
	work, svcs, err := a.prepare(ctx, claims, at)
	if err != nil {
		t.Fatal(err)
	}
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.HandOver("console:sam", "console:lee", at)
	})
	if res, err := b.Tick(ctx, at); err != nil || res.Claimed != 0 {
		t.Fatalf("replica B's tick while A holds the case: %+v, %v; want nothing claimed", res, err)
	}
	a.sendAll(ctx, work, svcs, at)
	for _, day := range []time.Time{thu.Add(time.Hour), thu.Add(24 * time.Hour), thu.Add(24*time.Hour + time.Minute)} {
		at = day
		for _, s := range []*Scheduler{b, a} {
			if _, err := s.Tick(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string]int{}
	for _, rec := range []*recorder{e.rec, recB} {
		for _, s := range rec.all {
			got[s.to]++
		}
	}
	if got["console:lee"] != 0 || got["console:sam"] != 2 {
		t.Errorf("nudges by person %v; want none to lee and two to sam (Thursday's and Friday's)", got)
	}
}

// TestAnEscalationIsCheckedAgainAtSendTime: the nudge that would escalate
// is claimed, then the contact is logged before it goes: neither the named
// contact, nor the pathway lead, nor the channel hears anything.
func TestAnEscalationIsCheckedAgainAtSendTime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, wed)
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"}); err != nil {
		t.Fatal(err)
	}
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity"})
	// Thursday's and Friday's nudges go; Monday's would escalate.
	e.runUntil(t, time.Date(2026, 11, 27, 17, 0, 0, 0, london))
	sentBefore := len(e.rec.all)
	monday := time.Date(2026, 11, 30, 10, 0, 0, 0, london)
	e.clock.Set(monday)
	claims, err := e.s.claim(ctx, monday)
	if err != nil || len(claims) != 1 {
		t.Fatalf("claimed %d, %v", len(claims), err)
	}
	work, svcs, err := e.s.prepare(ctx, claims, monday)
	if err != nil {
		t.Fatal(err)
	}
	if rs := work[0].reminders; len(rs) != 1 || !rs[0].Escalate {
		t.Fatalf("Monday's claim owes %+v; want the nudge that escalates", rs)
	}
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:lee", e.p, monday)
	})
	e.s.sendAll(ctx, work, svcs, monday)
	if extra := e.rec.all[sentBefore:]; len(extra) != 0 {
		t.Errorf("after the contact was logged, %d messages went (first to %s); want none", len(extra), extra[0].to)
	}
	got, err := e.st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Escalated || got.ContactNudges != 0 {
		t.Errorf("case escalated=%v nudges=%d; want a fresh round, not escalated", got.Escalated, got.ContactNudges)
	}
}
