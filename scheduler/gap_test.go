package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// After no scheduler ran for a while in working hours, the first tick tells
// each service's pathway lead (or its channel, with no lead) once, saying
// when and what to check; a gap outside working hours, or a short one, is
// told to nobody.
func TestAGapInWorkingHoursIsToldOnce(t *testing.T) {
	tests := []struct {
		name string
		gap  time.Duration
		from time.Time // when the last tick before the gap ran
		told bool
	}{
		{"two hours in a working morning", 2 * time.Hour, time.Date(2026, 11, 25, 9, 30, 0, 0, london), true},
		{"a restart", 2 * time.Minute, time.Date(2026, 11, 25, 9, 30, 0, 0, london), false},
		{"overnight, back before work", 8 * time.Hour, time.Date(2026, 11, 25, 22, 0, 0, 0, london), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.from)
			ctx := context.Background()
			for _, svc := range []pathway.Service{
				{Name: "maternity", Lead: "console:pat", Channel: "console:#maternity"},
				{Name: "surgery", Channel: "console:#surgery"},
				{Name: "theatres", Lead: "console:pat"},
			} {
				if err := e.st.SaveService(ctx, svc); err != nil {
					t.Fatal(err)
				}
			}
			e.s.tick(ctx)
			e.clock.Set(tc.from.Add(tc.gap))
			e.s.tick(ctx)
			e.clock.Set(tc.from.Add(tc.gap + 30*time.Second))
			e.s.tick(ctx)

			toLead := containing(e.rec.to("console:pat"), "hppbot wasn't working")
			toChannel := containing(e.rec.to("console:#surgery"), "hppbot wasn't working")
			toLeadsChannel := containing(e.rec.to("console:#maternity"), "hppbot wasn't working")
			if !tc.told {
				if len(toLead)+len(toChannel) != 0 {
					t.Fatalf("told %d + %d; want nobody told", len(toLead), len(toChannel))
				}
				return
			}
			if len(toLead) != 1 || len(toChannel) != 1 || len(toLeadsChannel) != 0 {
				t.Fatalf("the lead told %d times, the lead-less service's channel %d, the led service's channel %d; want 1, 1, 0", len(toLead), len(toChannel), len(toLeadsChannel))
			}
			text := toLead[0].reply.PlainText()
			for _, want := range []string{"between 09:30 and 11:30 on Wed 25 Nov 2026", "about 2 hours", "/hpp list overdue"} {
				if !strings.Contains(text, want) {
					t.Errorf("the notice %q doesn't say %q", text, want)
				}
			}
		})
	}
}

func TestGapLength(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "10 minutes"},
		{89 * time.Minute, "89 minutes"},
		{2*time.Hour + 20*time.Minute, "about 2 hours"},
		{25 * time.Hour, "about 25 hours"},
		{60 * time.Hour, "about 3 days"},
	}
	for _, tc := range tests {
		if got := gapLength(tc.d); got != tc.want {
			t.Errorf("gapLength(%s) = %q; want %q", tc.d, got, tc.want)
		}
	}
}

// The morning digest whose minute passed with no replica running is sent on
// the first tick in working hours after it, once; one that went on time is
// not sent again.
func TestAMissedDigestIsCaughtUpOnce(t *testing.T) {
	tests := []struct {
		name   string
		onTime bool
	}{
		{"missed at 09:00", false},
		{"sent on time", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:#maternity"}); err != nil {
				t.Fatal(err)
			}
			e.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity"})
			// Friday: the case's first contact (due Thursday) is overdue.
			fri9 := time.Date(2026, 11, 27, 9, 0, 0, 0, london)
			if tc.onTime {
				e.clock.Set(fri9)
				if err := e.s.Digest(ctx, fri9); err != nil {
					t.Fatal(err)
				}
			}
			for _, at := range []time.Time{fri9.Add(90 * time.Minute), fri9.Add(91 * time.Minute)} {
				e.clock.Set(at)
				e.s.tick(ctx)
			}
			if got := containing(e.rec.to("console:#maternity"), "Good morning"); len(got) != 1 {
				t.Errorf("the channel had %d digests on Friday; want 1", len(got))
			}
		})
	}
}
