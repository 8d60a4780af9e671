package store_test

import (
	"testing"
	"time"

	"hppbot/store/storetest"
)

func TestHeartbeatSaysWhenASchedulerLastTicked(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Time
		want time.Time
	}{
		{t0, time.Time{}},                                    // the first tick: none before
		{t0.Add(30 * time.Second), t0},                       // the next
		{t0.Add(10 * time.Second), t0.Add(30 * time.Second)}, // a replica whose clock is behind does not move it back
		{t0.Add(2 * time.Hour), t0.Add(30 * time.Second)},    // after a gap: the tick before it
	}
	for i, s := range steps {
		got, err := st.Heartbeat(ctx, s.at)
		if err != nil || !got.Equal(s.want) {
			t.Errorf("step %d: Heartbeat(%s) = %s, %v; want %s", i, s.at, got, err, s.want)
		}
	}
}
