// Package schedulertest gives the surfaces' tests what the scheduler
// really sends, to render as each platform would.
package schedulertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store/storetest"
)

// captured keeps the direct messages the scheduler sends.
type captured struct{ direct map[string][]bot.Reply }

func (c *captured) SendDirect(_ context.Context, person string, r bot.Reply) error {
	c.direct[person] = append(c.direct[person], r)
	return nil
}
func (c *captured) PostChannel(context.Context, string, bot.Reply) error { return nil }

// BundleFor is the scheduler's own message to person when n of their cases
// fall due in one tick: opened two minutes apart on a Wednesday morning,
// all due by Friday.
func BundleFor(t testing.TB, person string, n int) bot.Reply {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	ctx := context.Background()
	opened := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	for i := 0; i < n; i++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", 100+i), Lead: person}, person, p, opened.Add(-time.Duration(i)*2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
			t.Fatal(err)
		}
	}
	box := &captured{direct: map[string][]bot.Reply{}}
	s := scheduler.New(scheduler.Config{Store: st, Policy: p, Messenger: box, Workers: 1})
	if _, err := s.Tick(ctx, opened.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if got := box.direct[person]; len(got) != 1 {
		t.Fatalf("%s got %d messages, want 1", person, len(got))
	}
	return box.direct[person][0]
}
