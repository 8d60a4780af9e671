package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckinsComeInWorkingHours: the 3-day check-in falls on Saturday and
// is delivered on Monday morning; nothing arrives at the weekend.
func TestCheckinsComeInWorkingHours(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 12, 1, 23, 0, 0, 0, london))
	got := e.checkins("sam")
	want := []time.Time{
		time.Date(2026, 11, 26, 10, 0, 0, 0, london),
		time.Date(2026, 11, 30, 8, 0, 0, 0, london),
	}
	if len(got) != len(want) {
		t.Fatalf("%d check-ins, want %d", len(got), len(want))
	}
	for i, s := range got {
		if !s.at.Equal(want[i]) {
			t.Errorf("check-in %d delivered %v, want %v", i+1, s.at.In(london), want[i])
		}
		if !e.pol.Calendar.InWorkingHours(s.at) {
			t.Errorf("check-in %d delivered outside working hours: %v", i+1, s.at.In(london))
		}
	}
	text := got[0].reply.PlainText()
	for _, want := range []string{"HPP-1", "How are you doing right now?", "stays on their mind", "you're not alone in it", "Only you can see your answer", "Mon 30 Nov 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("check-in lacks %q:\n%s", want, text)
		}
	}
	// It doesn't name fears the person may never have had.
	for _, not := range []string{"blamed", "registration"} {
		if strings.Contains(text, not) {
			t.Errorf("check-in names %q:\n%s", not, text)
		}
	}
	var labels []string
	for _, b := range got[0].reply.Buttons {
		labels = append(labels, b.Label)
	}
	if strings.Join(labels, "|") != strings.Join(append(append([]string{}, scaleLabels...), "I'd like to talk to someone", "Not now"), "|") {
		t.Errorf("buttons = %v", labels)
	}
	// The jobs that ran are finished.
	for _, id := range []string{"checkin:console:sam:1:1", "checkin:console:sam:1:2"} {
		if _, ok, _ := e.st.GetJob(context.Background(), id); ok {
			t.Errorf("job %s is still scheduled after it ran", id)
		}
	}
}

// TestOneCheckinADay: someone involved in two cases the same day gets one
// check-in a day, not two.
func TestOneCheckinADay(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.as("lead", "/hpp open INC-2 service=theatres involved=@sam")
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	got := e.checkins("sam")
	if len(got) != 4 {
		t.Fatalf("%d check-ins, want 4 (one per scheduled day)", len(got))
	}
	days := map[string]bool{}
	for _, s := range got {
		d := s.at.In(london).Format("2006-01-02")
		if days[d] {
			t.Errorf("two check-ins on %s", d)
		}
		days[d] = true
	}
}
