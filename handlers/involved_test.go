package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/handlers"
	"hppbot/store"
)

func TestInvolvedAreToldOnceAndScheduled(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	r := e.as("lead", "/hpp open INC-1 service=maternity harm=moderate involved=@sam Fall on ward")
	if !strings.Contains(r.Text, "I've let them know privately") {
		t.Errorf("open reply doesn't say staff were told: %s", r.Text)
	}
	notes := e.sent.to("console:sam")
	if len(notes) != 1 {
		t.Fatalf("sam got %d messages, want 1", len(notes))
	}
	text := notes[0].reply.PlainText()
	for _, want := range []string{"HPP-1", "check in with you privately a few times", "seen by nobody else", "/hpp wellbeing off", "/hpp support", "nothing you need to do now", "Thu 26 Nov 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Fall on ward") {
		t.Errorf("the notice carries the case summary:\n%s", text)
	}
	// The policy schedule: 1wd, 3d, 14d, 28d after being recorded.
	wantAt := []time.Time{
		time.Date(2026, 11, 26, 10, 0, 0, 0, london),
		time.Date(2026, 11, 28, 10, 0, 0, 0, london),
		time.Date(2026, 12, 9, 10, 0, 0, 0, london),
		time.Date(2026, 12, 23, 10, 0, 0, 0, london),
	}
	for i, want := range wantAt {
		id := "checkin:console:sam:1:" + string(rune('1'+i))
		j, ok, err := e.st.GetJob(ctx, id)
		if err != nil || !ok {
			t.Fatalf("job %s: ok=%v err=%v", id, ok, err)
		}
		if !j.At.Equal(want) || j.Kind != handlers.CheckinJob || j.Person != "console:sam" || j.Case != 1 {
			t.Errorf("job %s = %+v, want at %v", id, j, want)
		}
		for k := range j.Data {
			if k != "n" && k != "svc" {
				t.Errorf("job %s carries data %q", id, k)
			}
		}
		if j.Data["svc"] != "maternity" {
			t.Errorf("job %s service = %q", id, j.Data["svc"])
		}
	}
	// involve tells the newly involved, once each, and schedules theirs.
	r = e.as("lead", "/hpp involve HPP-1 @jo @sam")
	if !strings.Contains(r.Text, "Recorded @jo") && !strings.Contains(r.Text, "<@console:jo>") {
		t.Errorf("involve reply: %s", r.Text)
	}
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("jo got %d messages, want 1", n)
	}
	if n := len(e.sent.to("console:sam")); n != 1 {
		t.Errorf("sam was told again (%d messages)", n)
	}
	if _, ok, _ := e.st.GetJob(ctx, "checkin:console:jo:1:1"); !ok {
		t.Error("jo's first check-in is not scheduled")
	}
	// A case with no service is counted under "none".
	e.as("lead", "/hpp open INC-2 involved=@kim")
	if j, _, _ := e.st.GetJob(ctx, "checkin:console:kim:2:1"); j.Data["svc"] != "none" {
		t.Errorf("no-service job svc = %q, want none", j.Data["svc"])
	}
}

// TestFirstCheckinLandsOnTheDay covers when check-ins fall for different
// moments of being recorded as involved.
func TestFirstCheckinLandsOnTheDay(t *testing.T) {
	cases := []struct {
		name  string
		open  time.Time
		first time.Time // job 1 (1wd)
		third time.Time // job 2 (3d), as scheduled (the scheduler defers weekends)
	}{
		{"Wednesday morning", wed, time.Date(2026, 11, 26, 10, 0, 0, 0, london), time.Date(2026, 11, 28, 10, 0, 0, 0, london)},
		{"Wednesday evening: the next working day starts it", time.Date(2026, 11, 25, 20, 30, 0, 0, london), time.Date(2026, 11, 26, 8, 0, 0, 0, london), time.Date(2026, 11, 28, 20, 30, 0, 0, london)},
		{"Friday afternoon: Monday", time.Date(2026, 11, 27, 15, 0, 0, 0, london), time.Date(2026, 11, 30, 15, 0, 0, 0, london), time.Date(2026, 11, 30, 15, 0, 0, 0, london)},
		{"Thursday before Christmas: after the bank holidays", time.Date(2026, 12, 24, 11, 0, 0, 0, london), time.Date(2026, 12, 29, 11, 0, 0, 0, london), time.Date(2026, 12, 27, 11, 0, 0, 0, london)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newWB(t, c.open)
			e.as("lead", "/hpp open INC-1 involved=@sam")
			j1, _, _ := e.st.GetJob(context.Background(), "checkin:console:sam:1:1")
			j2, _, _ := e.st.GetJob(context.Background(), "checkin:console:sam:1:2")
			if !j1.At.Equal(c.first) {
				t.Errorf("first check-in at %v, want %v", j1.At.In(london), c.first)
			}
			if !j2.At.Equal(c.third) {
				t.Errorf("second check-in at %v, want %v", j2.At.In(london), c.third)
			}
		})
	}
}

// TestCheckinForSomeoneNotInvolvedIsDropped: check-ins are written with the
// case in one round trip; when the case write lost a race and the command
// gave up, the jobs it left behind name someone the case doesn't record,
// and they send nothing.
func TestCheckinForSomeoneNotInvolvedIsDropped(t *testing.T) {
	ctx := context.Background()
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	stray := store.Job{ID: "checkin:console:kit:1:1", Kind: handlers.CheckinJob, Person: "console:kit", Case: 1,
		At: wed.Add(24 * time.Hour), Data: map[string]string{"n": "1", "svc": "none"}}
	if err := e.st.ScheduleJob(ctx, stray); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	if n := len(e.checkins("kit")); n != 0 {
		t.Errorf("%d check-ins sent to someone the case doesn't record as involved", n)
	}
	if n := len(e.checkins("sam")); n != 4 {
		t.Errorf("sam, who is involved, had %d check-ins, want 4", n)
	}
	if _, ok, _ := e.st.GetJob(ctx, stray.ID); ok {
		t.Errorf("the stray job was left on the scheduler")
	}
}
