package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"hppbot/pathway"
	"hppbot/store/storetest"
)

// The acceptance line: a closed case past its retention is gone from Redis
// after the scheduler's purge — no key left, one audit line — and cases not
// yet due, or open, are kept.
func TestSchedulerPurgesClosedCasesPastRetention(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	old := e.openCase(t, pathway.OpenInput{Ref: "INC-501", Service: "maternity", Harm: pathway.HarmModerate, Involved: []string{"console:ash"}})
	open := e.openCase(t, pathway.OpenInput{Ref: "INC-502", Harm: pathway.HarmModerate})
	// Reminders go out for both, leaving delivery marks.
	e.runUntil(t, wed.AddDate(0, 0, 10))
	if len(e.rec.to("console:lee")) == 0 {
		t.Fatal("fixture: no reminder was sent, so no delivery mark was written")
	}
	e.update(t, old.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", "console:lee", e.clock.Now()) })
	closedAt := e.clock.Now()
	e.clock.Add(200 * 24 * time.Hour)
	recent := e.openCase(t, pathway.OpenInput{Ref: "INC-503", Harm: pathway.HarmModerate})
	e.update(t, recent.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", "console:lee", e.clock.Now()) })

	// Not yet: a day short of thirteen months.
	before := storetest.Contents(t, e.st)
	if got, err := e.s.Purge(ctx, e.p.PurgeDue(closedAt).Add(-24*time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("purge before the retention ran out: %+v, %v", got, err)
	}
	if after := storetest.Contents(t, e.st); len(after) != len(before) {
		t.Fatalf("purge before the retention ran out changed the store: %d strings, then %d", len(before), len(after))
	}

	now := e.p.PurgeDue(closedAt).Add(time.Hour)
	got, err := e.s.Purge(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Case != old.ID || got[0].Ref != "INC-501" || !got[0].Closed.Equal(closedAt.UTC().Truncate(time.Second)) || !got[0].Purged.Equal(now.UTC().Truncate(time.Second)) {
		t.Fatalf("purged %+v, want only %s", got, old.Name())
	}
	id := strconv.FormatInt(old.ID, 10)
	for _, k := range keysOf(t, e) {
		if strings.HasSuffix(k, ":case:"+id) || strings.Contains(k, ":sent:"+id+":") || strings.Contains(k, ":"+id+":") && strings.Contains(k, "checkin") {
			t.Errorf("key %s of %s left after the purge", k, old.Name())
		}
	}
	if _, err := e.st.GetCase(ctx, old.ID); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("GetCase after purge: %v", err)
	}
	if tl, err := e.st.Timeline(ctx, old.ID); err != nil || len(tl) != 0 {
		t.Errorf("timeline after purge: %d entries, %v", len(tl), err)
	}
	for _, c := range []*pathway.Case{open, recent} {
		if _, err := e.st.GetCase(ctx, c.ID); err != nil {
			t.Errorf("%s should be kept: %v", c.Name(), err)
		}
	}
	log, err := e.st.PurgeLog(ctx)
	if err != nil || len(log) != 1 || log[0] != got[0] {
		t.Errorf("audit lines %+v (%v), want one: %+v", log, err, got)
	}
	// The content is gone too, not only the keys: no string in Redis
	// names the reference but the audit line.
	n := 0
	for _, s := range storetest.Contents(t, e.st) {
		if s == "INC-501" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the reference appears %d times after the purge, want once (the audit line)", n)
	}
}

func keysOf(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	iter := e.st.Client().Scan(context.Background(), 0, e.st.Prefix()+"*", 1000).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A backlog larger than a batch is worked through in batches in one run.
func TestPurgeRunsInBatches(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	n := PurgeBatch + 3
	for i := 0; i < n; i++ {
		c := e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Harm: pathway.HarmModerate})
		e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", "console:lee", e.clock.Now()) })
	}
	got, err := e.s.Purge(ctx, e.p.PurgeDue(e.clock.Now()).Add(time.Minute))
	if err != nil || len(got) != n {
		t.Fatalf("purged %d, %v; want %d", len(got), err, n)
	}
	if left := keysOf(t, e); strings.Contains(strings.Join(left, " "), ":case:") {
		t.Errorf("cases left: %v", left)
	}
}

func TestPurgeSpec(t *testing.T) {
	if _, err := cron.ParseStandard(purgeSpec); err != nil {
		t.Errorf("purge cron line %q: %v", purgeSpec, err)
	}
}
