package scheduler

import (
	"context"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// A nudge that could not go at once waits in the delivery queue (the
// platform answered 503: nothing was posted). If the case is answered, closed, snoozed or
// handed over before the platform takes it, it does not go, and the case's
// timeline says so and why; if nothing changed, it goes.
func TestAQueuedNudgeIsCheckedBeforeItGoes(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error)
		why    string // "" when it goes
	}{
		{"nothing changed", nil, ""},
		{"someone involved a colleague", func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error) {
			ev, _, err := c.Involve([]string{"console:kim"}, c.Lead, now)
			return ev, err
		}, ""},
		{"contact logged", func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error) {
			return c.LogContact(pathway.ContactInput{Via: "phone"}, c.Lead, p, now)
		}, "contact with the family was logged, or the next contact date changed, before it could be sent"},
		{"snoozed", func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error) {
			return c.Snooze(pathway.Span{N: 2, Unit: pathway.Day}, c.Lead, p, now)
		}, "reminders for the case were snoozed before it could be sent"},
		{"closed", func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error) {
			return c.Close("", c.Lead, now)
		}, "the case was closed before it could be sent"},
		{"handed over", func(c *pathway.Case, p *pathway.Policy, now time.Time) (pathway.Event, error) {
			return c.HandOver("console:kim", c.Lead, now)
		}, "the case was handed to a new named contact before it could be sent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
			down := true
			e.rec.fail = func(string) error {
				if down {
					// The platform answered: busy, nothing posted.
					return &bot.RetryLater{Status: 503}
				}
				return nil
			}
			at := c.NextContact.Add(time.Minute)
			e.clock.Set(at)
			if res, err := e.s.Tick(ctx, at); err != nil || res.Sent != 1 {
				t.Fatalf("tick = %+v, %v; want the nudge queued", res, err)
			}
			later := at.Add(20 * time.Minute)
			e.clock.Set(later)
			if tc.change != nil {
				e.update(t, c.ID, func(x *pathway.Case) (pathway.Event, error) { return tc.change(x, e.p, later) })
			}
			down = false
			e.clock.Set(later.Add(time.Minute))
			if _, err := e.s.Outbox().Drain(ctx); err != nil {
				t.Fatal(err)
			}
			got := e.rec.to(c.Lead)
			if tc.why == "" {
				if len(got) != 1 {
					t.Fatalf("the nudge went %d times; want once", len(got))
				}
				return
			}
			if len(got) != 0 {
				t.Errorf("the queued nudge went after the case was %s: %q", tc.name, got[0].reply.Text)
			}
			tl, err := e.st.Timeline(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := tl[len(tl)-1]
			if last.Kind != pathway.EventUndelivered || last.Why != tc.why || last.Step != pathway.RemindContact || len(last.People) != 1 || last.People[0] != c.Lead {
				t.Errorf("the timeline ends %+v; want the reminder to %s recorded as not sent: %q", last, c.Lead, tc.why)
			}
		})
	}
}
