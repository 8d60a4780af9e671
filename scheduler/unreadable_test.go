package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hppbot/pathway"
)

// One case key holding text that is not a case record once stopped every
// reminder of the trust. Now it is set aside: every other due reminder goes
// on the same tick, and the bad one waits, not dropped, until it is mended.
func TestUnreadableCaseStopsNoOtherReminder(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	const n = 50
	var cases []*pathway.Case
	for i := 0; i < n; i++ {
		cases = append(cases, e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)}))
	}
	bad := cases[17]
	key := e.st.CaseKey(bad.ID)
	good, err := e.st.Client().Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Client().Set(ctx, key, "<html>502 Bad Gateway</html>", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// Thursday 10:30: every first contact is due.
	at := wed.Add(24*time.Hour + 30*time.Minute)
	res, err := e.s.Tick(ctx, at)
	if err != nil {
		t.Fatalf("Tick: %v — one bad record must not stop the tick", err)
	}
	for i, c := range cases {
		got := len(e.rec.to(c.Lead))
		switch {
		case c.ID == bad.ID && got != 0:
			t.Errorf("the unreadable case's lead got %d messages", got)
		case c.ID != bad.ID && got != 1:
			t.Errorf("case %d (%s): %d reminders on the first tick; want 1", i, c.Lead, got)
		}
	}
	if res.Claimed != n {
		t.Errorf("claimed %d; want %d", res.Claimed, n)
	}

	// Within the hour it is not read again; once mended, its reminder goes.
	if res, err := e.s.Tick(ctx, at.Add(30*time.Minute)); err != nil || res.Claimed != 0 {
		t.Fatalf("tick half an hour later claimed %d, %v; want 0", res.Claimed, err)
	}
	if err := e.st.Client().Set(ctx, key, good, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Tick(ctx, at.Add(setAsideFor)); err != nil {
		t.Fatal(err)
	}
	if got := len(e.rec.to(bad.Lead)); got != 1 {
		t.Errorf("the mended case's lead got %d reminders; want 1", got)
	}
	for _, c := range cases {
		if c.ID != bad.ID && len(e.rec.to(c.Lead)) != 1 {
			t.Errorf("%s was reminded again", c.Lead)
		}
	}
}
