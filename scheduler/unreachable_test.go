package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
)

// deactivated is what the Slack surface returns for account_inactive.
var deactivated = &bot.Undeliverable{Reason: "their Slack account has been deactivated", Fix: "if they have left or moved on, hand their cases to a colleague with /hpp lead <case> @name", Code: "account_inactive"}

// unreachableEnv is two cases (and a third in another service with no
// pathway lead) whose named contact, @sam, Slack won't deliver to.
func unreachableEnv(t *testing.T, sendErr error) (*env, []*pathway.Case) {
	t.Helper()
	e := newEnv(t, wed)
	ctx := context.Background()
	for _, svc := range []pathway.Service{
		{Name: "maternity", Lead: "console:pat", Channel: "console:#maternity"},
		{Name: "surgery", Channel: "console:#surgery"},
	} {
		if err := e.st.SaveService(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	var cases []*pathway.Case
	for i, svc := range []string{"maternity", "maternity", "surgery"} {
		cases = append(cases, e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i+1), Service: svc, Lead: "console:sam", Summary: "Fall on ward 4"}))
	}
	var failing = sendErr
	e.rec.fail = func(to string) error {
		if to == "console:sam" {
			return failing
		}
		return nil
	}
	return e, cases
}

func containing(list []sent, words string) []sent {
	var out []sent
	for _, s := range list {
		if strings.Contains(s.reply.Text, words) {
			out = append(out, s)
		}
	}
	return out
}

// A final refusal is recorded on the case, the pathway lead is told once
// however many cases and ticks, the reminders carry on to escalation, and
// a message from the person clears it.
func TestUndeliverableIsRecordedTheLeadToldOnceAndEscalationCarriesOn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sendErr error
	}{
		{"a Slack refusal", fmt.Errorf("slack: %w", deactivated)},
		{"a Teams refusal as a value", bot.Undeliverable{Reason: "their Teams admin has turned hppbot off for them", Fix: "ask your Teams admin to allow the hppbot app", Code: "BotDisabledByAdmin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, cases := unreachableEnv(t, tc.sendErr)
			u, _ := bot.AsUndeliverable(tc.sendErr)
			ctx := context.Background()
			// Four working days: first reminders, repeats, then escalation.
			e.runUntil(t, wed.AddDate(0, 0, 8))

			if got := e.rec.to("console:sam"); len(got) != 0 {
				t.Fatalf("@sam got %d messages; every send to them should fail", len(got))
			}
			lead := e.rec.to("console:pat")
			told := containing(lead, "I can't reach <@console:sam>")
			if len(told) != 1 {
				t.Fatalf("the pathway lead was told %d times that @sam can't be reached, want once; got %v", len(told), lead)
			}
			for _, words := range []string{cases[0].Name(), "maternity", u.Reason, "To fix it:", "next uses hppbot"} {
				if !strings.Contains(told[0].reply.Text, words) {
					t.Errorf("the lead's message %q doesn't say %q", told[0].reply.Text, words)
				}
			}
			if u.Code == "account_inactive" && !strings.Contains(told[0].reply.Text, "/hpp lead "+cases[0].Name()+" @name") {
				t.Errorf("the fix should name the case: %q", told[0].reply.Text)
			}
			// The service with no pathway lead: its channel hears, naming nobody.
			posts := containing(e.rec.to("console:#surgery"), "can't be reached through hppbot")
			if len(posts) != 1 || strings.Contains(posts[0].reply.Text, "sam") || !strings.Contains(posts[0].reply.Text, cases[2].Name()) {
				t.Fatalf("the surgery channel should be told once, by case id only: %v", posts)
			}

			for _, c := range cases {
				events, err := e.st.Timeline(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				var undelivered, reminders, escalations int
				for _, ev := range events {
					switch ev.Kind {
					case pathway.EventUndelivered:
						undelivered++
						if ev.Why != u.Reason || len(ev.People) != 1 || ev.People[0] != "console:sam" {
							t.Errorf("%s: undelivered entry %+v", c.Name(), ev)
						}
					case pathway.EventReminder:
						reminders++
					case pathway.EventEscalation:
						escalations++
					}
				}
				if undelivered < 3 || reminders != 0 {
					t.Errorf("%s: %d not-delivered and %d reminder entries; want every reminder recorded as not delivered", c.Name(), undelivered, reminders)
				}
				if escalations == 0 {
					t.Errorf("%s: never escalated; the reminders should carry on to the escalation path", c.Name())
				}
				got, err := e.st.GetCase(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Escalated {
					t.Errorf("%s is not marked escalated", c.Name())
				}
			}
			// The lead's escalation says the reminders didn't get through.
			// Both maternity cases escalate in the same tick: one heads-up.
			heads := containing(lead, "heads-up")
			if len(heads) != 1 || !strings.Contains(heads[0].reply.Text, "<@console:sam> has 2 cases") || !strings.Contains(heads[0].reply.Text, "couldn't reach") || !strings.Contains(heads[0].reply.Text, u.Reason) {
				t.Errorf("the lead should get one escalation saying @sam couldn't be reached: %v", heads)
			}

			// @sam says hello: the mark clears, and the next failure is told again.
			if marked, err := e.st.Unreachable(ctx, "console:sam"); err != nil || !marked {
				t.Fatalf("marked = %v, %v; want marked before @sam is in touch", marked, err)
			}
			h := handlers.New(handlers.Config{Store: e.st, Policy: e.p, Clock: e.clock.Now})
			h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:sam", Text: "/hpp help"})
			if marked, err := e.st.Unreachable(ctx, "console:sam"); err != nil || marked {
				t.Fatalf("marked = %v, %v; a message from @sam should clear it", marked, err)
			}
			e.runUntil(t, wed.AddDate(0, 0, 15))
			if again := containing(e.rec.to("console:pat"), "I can't reach <@console:sam>"); len(again) != 2 {
				t.Errorf("after @sam was in touch and then couldn't be reached again, the lead was told %d times in all, want 2", len(again))
			}
		})
	}
}

// A failure that may pass is tried again and recorded nowhere; a bare
// ErrNotReachable (someone who hasn't opened hppbot) is final.
func TestOtherFailuresAreRetried(t *testing.T) {
	tests := []struct {
		name      string
		sendErr   error
		wantFinal bool
	}{
		{"connector trouble", errors.New("teams: 502"), false},
		{"not opened yet", &bot.Undeliverable{Reason: "they haven't opened hppbot in Teams yet", Fix: "ask them to open hppbot in Teams and say hello", Code: "no_conversation"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, cases := unreachableEnv(t, tc.sendErr)
			ctx := context.Background()
			due, ok, err := e.st.NextDue(ctx)
			if err != nil || !ok {
				t.Fatalf("nothing due: %v %v", ok, err)
			}
			at := e.p.Calendar.NextWorkingStart(due)
			res, err := e.s.Tick(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			// A refusal for now is the delivery queue's to try again
			// (the tick counts it queued); a refusal for good comes back
			// at once and is recorded.
			if res.Failed != 0 {
				t.Fatalf("%+v: want nothing failed", res)
			}
			if !tc.wantFinal {
				if bl, err := e.s.Outbox().Backlogs(ctx, []string{"console"}); err != nil || bl["console"].Length == 0 {
					t.Fatalf("delivery queue backlog %+v (%v); want the nudge kept queued for another try", bl, err)
				}
			}
			events, err := e.st.Timeline(ctx, cases[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if tc.wantFinal != (last.Kind == pathway.EventUndelivered) {
				t.Fatalf("last entry %+v; recorded as not delivered = %v, want %v", last, last.Kind == pathway.EventUndelivered, tc.wantFinal)
			}
			if tc.wantFinal && !strings.Contains(last.Why, "haven't opened hppbot in Teams") {
				t.Errorf("reason %q", last.Why)
			}
			told := containing(e.rec.to("console:pat"), "I can't reach")
			if tc.wantFinal != (len(told) == 1) {
				t.Errorf("lead told %d times, want final=%v", len(told), tc.wantFinal)
			}
		})
	}
}

// When telling the pathway lead fails, it is tried again with the next
// failure rather than marked as told.
func TestTellingTheLeadIsTriedAgainIfItFails(t *testing.T) {
	e, _ := unreachableEnv(t, deactivated)
	leadDown := true
	e.rec.fail = func(to string) error {
		switch {
		case to == "console:sam":
			return deactivated
		case to == "console:pat" && leadDown:
			return errors.New("slack: 503")
		}
		return nil
	}
	ctx := context.Background()
	due, _, _ := e.st.NextDue(ctx)
	at := e.p.Calendar.NextWorkingStart(due)
	e.clock.Set(at) // the delivery queue keeps the scheduler's time
	if _, err := e.s.Tick(ctx, at); err != nil {
		t.Fatal(err)
	}
	leadDown = false
	e.runUntil(t, at.Add(48*time.Hour))
	if told := containing(e.rec.to("console:pat"), "I can't reach"); len(told) != 1 {
		t.Fatalf("lead told %d times, want once after the first telling failed", len(told))
	}
}

// A refusal for good that comes only on a later try (the first met an
// outage, so the reminder waited in the queue) is recorded on the case too,
// and the pathway lead is told once, as on a first try.
func TestALaterRefusalIsRecordedOnTheCase(t *testing.T) {
	e, cases := unreachableEnv(t, errors.New("platform unavailable"))
	ctx := context.Background()
	at := cases[0].NextContact.Add(time.Minute)
	e.clock.Set(at)
	if _, err := e.s.Tick(ctx, at); err != nil {
		t.Fatal(err)
	}
	e.rec.fail = func(to string) error {
		if to == "console:sam" {
			return deactivated
		}
		return nil
	}
	e.clock.Set(at.Add(10 * time.Minute))
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		events, err := e.st.Timeline(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range events {
			if ev.Kind == pathway.EventUndelivered && ev.Why == deactivated.Reason && len(ev.People) == 1 && ev.People[0] == "console:sam" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s records %d undelivered reminders to @sam with the reason; want 1: %+v", c.Name(), n, events)
		}
	}
	if told := containing(e.rec.to("console:pat"), "I can't reach <@console:sam>"); len(told) != 1 {
		t.Errorf("the pathway lead was told %d times that @sam can't be reached; want once", len(told))
	}
}

// After someone who could not be reached is in touch again (the mark
// clears), a later refusal is told to the pathway lead again, the same day
// too (the message's key was the day's, so the queue took the second for
// the first, and the lead never heard).
func TestAnotherRefusalTheSameDayIsToldAgain(t *testing.T) {
	for _, gap := range []time.Duration{2 * time.Hour, 4 * time.Hour} {
		t.Run(fmt.Sprint(gap), func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat"}); err != nil {
				t.Fatal(err)
			}
			c1 := e.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity", Lead: "console:sam"})
			e.clock.Add(gap)
			c2 := e.openCase(t, pathway.OpenInput{Ref: "INC-2", Service: "maternity", Lead: "console:sam"})
			e.rec.fail = func(to string) error {
				if to == "console:sam" {
					return fmt.Errorf("slack: %w", deactivated)
				}
				return nil
			}
			at1 := c1.NextWake(e.p).Add(time.Minute)
			e.clock.Set(at1)
			if _, err := e.s.Tick(ctx, at1); err != nil {
				t.Fatal(err)
			}
			if n := len(containing(e.rec.to("console:pat"), "I can't reach <@console:sam>")); n != 1 {
				t.Fatalf("setup: lead told %d times after the first refusal, want 1", n)
			}
			// @sam is in touch: the mark clears.
			h := handlers.New(handlers.Config{Store: e.st, Policy: e.p, Clock: e.clock.Now})
			h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:sam", Text: "/hpp help"})
			if marked, _ := e.st.Unreachable(ctx, "console:sam"); marked {
				t.Fatal("setup: the mark did not clear")
			}
			// The same day, a refusal again for another case.
			at2 := c2.NextWake(e.p).Add(time.Minute)
			if at1.In(london).Format("2006-01-02") != at2.In(london).Format("2006-01-02") {
				t.Fatalf("setup: %v and %v are not the same day", at1, at2)
			}
			e.clock.Set(at2)
			if _, err := e.s.Tick(ctx, at2); err != nil {
				t.Fatal(err)
			}
			marked, _ := e.st.Unreachable(ctx, "console:sam")
			n := len(containing(e.rec.to("console:pat"), "I can't reach <@console:sam>"))
			if n != 2 {
				t.Errorf("lead told %d times in all (mark set again: %v); want 2 — the second refusal came after @sam was in touch", n, marked)
			}
		})
	}
}
