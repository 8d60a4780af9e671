package console_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hppbot/bot/console"
	"hppbot/pathway"
)

// When reminders can't run, :advance says so in plain words: never the
// error's own text, which carries internals.
func TestAdvanceNeverShowsInternalErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"store unreachable", pathway.ErrUnavailable(errors.New("redis: connection refused")), "(reminders could not run just now. I couldn't reach my records. They are kept, and run on the next :advance.)"},
		{"anything else", errors.New("scheduler: internal detail"), "(reminders could not run just now. They are kept, and run on the next :advance.)"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		con := console.New(console.Config{In: strings.NewReader(":advance 1d\n"), Out: &out, Clock: console.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))})
		con.SetRunDue(func(context.Context, time.Time) error { return tt.err })
		if err := con.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, tt.want) || strings.Contains(got, "redis") || strings.Contains(got, "unavailable:") || strings.Contains(got, "internal detail") {
			t.Errorf("%s: %q", tt.name, got)
		}
	}
}
