package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// coverEnv is a scheduler with a maternity service led by @pat and a case
// whose named contact is @alex, opened on Monday 7 December 2026 with its
// first contact due Tuesday.
func coverEnv(t *testing.T) (*env, *pathway.Case) {
	t.Helper()
	e := newEnv(t, time.Date(2026, 12, 7, 10, 0, 0, 0, london))
	if err := e.st.SaveService(context.Background(), pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"}); err != nil {
		t.Fatal(err)
	}
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-7", Service: "maternity", Harm: pathway.HarmLow, Lead: "console:alex"})
	return e, c
}

func (e *env) away(t *testing.T, person, cover string, lastDay time.Time) pathway.Away {
	t.Helper()
	a, err := pathway.NewAway(pathway.AwayInput{Person: person, Cover: cover, Until: lastDay}, person, e.p, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveAway(context.Background(), a, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return a
}

func contactNudges(all []sent) []sent {
	var out []sent
	for _, s := range all {
		if !s.channel && strings.Contains(s.reply.Text, "Contact with the family for") {
			out = append(out, s)
		}
	}
	return out
}

func TestCoverRouting(t *testing.T) {
	thursday := time.Date(2026, 12, 10, 0, 0, 0, 0, london)
	tests := []struct {
		name     string
		aways    [][2]string // person, cover
		wantTo   string
		wantText string
	}{
		{"named contact not away", nil, "console:alex", "Contact with the family for *HPP-1*"},
		{"away with a cover", [][2]string{{"console:alex", "console:sam"}}, "console:sam", "You're covering for <@console:alex>, who is away until the end of Thu 10 Dec 2026.\n"},
		{"away, nobody covering", [][2]string{{"console:alex", ""}}, "console:pat", "<@console:alex> is away until the end of Thu 10 Dec 2026 with nobody named to cover, so this comes to you as pathway lead for maternity.\n"},
		{"away, the cover away too", [][2]string{{"console:alex", "console:sam"}, {"console:sam", ""}}, "console:pat", "and <@console:sam>, who covers, is away too, so this comes to you as pathway lead for maternity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := coverEnv(t)
			for _, a := range tt.aways {
				e.away(t, a[0], a[1], thursday)
			}
			e.runUntil(t, time.Date(2026, 12, 8, 18, 0, 0, 0, london))
			got := contactNudges(e.rec.all)
			if len(got) != 1 || got[0].to != tt.wantTo || !strings.Contains(got[0].reply.Text, tt.wantText) {
				t.Fatalf("nudges = %+v, want one to %s saying %q", got, tt.wantTo, tt.wantText)
			}
			events, err := e.st.Timeline(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if last.Kind != pathway.EventReminder || len(last.People) != 1 || last.People[0] != tt.wantTo {
				t.Errorf("timeline records the reminder as %+v, want it to %s", last, tt.wantTo)
			}
		})
	}
}

// A time away ends by itself at the end of its last day: the next nudge
// goes to the named contact again.
func TestCoverEndsByItself(t *testing.T) {
	e, _ := coverEnv(t)
	e.away(t, "console:alex", "console:sam", time.Date(2026, 12, 8, 0, 0, 0, 0, london)) // away Monday and Tuesday
	e.runUntil(t, time.Date(2026, 12, 9, 18, 0, 0, 0, london))
	var to []string
	for _, s := range contactNudges(e.rec.all) {
		to = append(to, s.to+"@"+s.at.In(london).Format("Mon 15:04"))
	}
	want := []string{"console:sam@Tue 10:00", "console:alex@Wed 10:00"}
	if strings.Join(to, " ") != strings.Join(want, " ") {
		t.Errorf("nudges went to %v, want %v", to, want)
	}
}

// Escalating while the pathway lead already has the nudges sends them no
// heads-up about themself; while a cover has them, the heads-up names the
// cover.
func TestCoverEscalation(t *testing.T) {
	for _, cover := range []string{"", "console:sam"} {
		t.Run("cover="+cover, func(t *testing.T) {
			e, _ := coverEnv(t)
			e.away(t, "console:alex", cover, time.Date(2026, 12, 18, 0, 0, 0, 0, london))
			e.runUntil(t, time.Date(2026, 12, 11, 18, 0, 0, 0, london))
			var headsUp []sent
			for _, s := range e.rec.to("console:pat") {
				if strings.Contains(s.reply.Text, "A gentle heads-up") {
					headsUp = append(headsUp, s)
				}
			}
			switch cover {
			case "":
				if len(headsUp) != 0 {
					t.Errorf("the pathway lead, who has the nudges, got a heads-up: %+v", headsUp)
				}
				if len(e.rec.to("console:alex")) != 0 {
					t.Errorf("the named contact, away, was sent %+v", e.rec.to("console:alex"))
				}
			default:
				if len(headsUp) != 1 || !strings.Contains(headsUp[0].reply.Text, "<@console:sam> (covering for <@console:alex>, who is away) has had 3 reminders") {
					t.Errorf("heads-up = %+v", headsUp)
				}
				for _, s := range e.rec.to("console:sam") {
					if strings.Contains(s.reply.Text, "After 3 reminders") {
						return
					}
				}
				t.Errorf("the cover was not told about the escalation: %+v", e.rec.to("console:sam"))
			}
		})
	}
}

// With a preferred time, the nudge comes at the start of the working day
// contact is due and says the family's time.
func TestPreferredTimeNudge(t *testing.T) {
	e, c := coverEnv(t)
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		ev, _, err := c.RecordPreferredTime("17:00", "console:alex", e.clock.Now())
		return ev, err
	})
	e.runUntil(t, time.Date(2026, 12, 8, 18, 0, 0, 0, london))
	got := contactNudges(e.rec.all)
	if len(got) != 1 {
		t.Fatalf("nudges = %+v", got)
	}
	if at := got[0].at.In(london); at.Hour() != 8 || at.Minute() != 0 || at.Day() != 8 {
		t.Errorf("nudge at %v, want 08:00 on Tue 8 Dec", at)
	}
	want := "Contact with the family for *HPP-1* (INC-7) is due today (Tue 8 Dec 2026, 10:00). The family prefers around 17:00. Even a short call"
	if !strings.Contains(got[0].reply.Text, want) {
		t.Errorf("nudge = %q, want %q", got[0].reply.Text, want)
	}
}

func TestWithPreferredTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Contact with the family for *HPP-1* (INC-7) is due now (Tue 8 Dec 2026, 08:00). Even a short call.", "Contact with the family for *HPP-1* (INC-7) is due now (Tue 8 Dec 2026, 08:00). The family prefers the evening (17:00–20:00). Even a short call."},
		{"Contact with the family for *HPP-1* (INC-7) was due Tue 8 Dec 2026, 08:00.\nThis is reminder 2.", "Contact with the family for *HPP-1* (INC-7) was due Tue 8 Dec 2026, 08:00. The family prefers the evening (17:00–20:00).\nThis is reminder 2."},
		{"For *HPP-1* (INC-7), a few things are waiting:\n• Contact with the family is due now (Tue 8 Dec 2026, 08:00).\n• The notification", "For *HPP-1* (INC-7), a few things are waiting:\n• Contact with the family is due now (Tue 8 Dec 2026, 08:00). The family prefers the evening (17:00–20:00).\n• The notification"},
		{"Something else", "Something else The family prefers the evening (17:00–20:00)."},
	}
	for _, tt := range tests {
		if got := withPreferredTime(tt.in, "evening"); got != tt.want {
			t.Errorf("withPreferredTime(%q) =\n%q, want\n%q", tt.in, got, tt.want)
		}
	}
}

// The weekly view goes to each service's pathway lead once a week, on the
// first working morning, however many replicas run it.
func TestWeeklyOncePerWeek(t *testing.T) {
	e, _ := coverEnv(t)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "surgery", Lead: "console:kit"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveService(ctx, pathway.Service{Name: "no-lead"}); err != nil {
		t.Fatal(err)
	}
	built := map[string]int{}
	view := func(_ context.Context, service string, now time.Time) (bot.Reply, error) {
		built[service]++
		return bot.Reply{Text: "week of " + service + " " + now.Format("2006-01-02")}, nil
	}
	e.s.cfg.WeekView = view
	replica := New(Config{Store: e.st, Policy: e.p, Messenger: e.rec, Clock: e.clock.Now, Workers: 1, WeekView: view})
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, london) }
	for _, now := range []time.Time{
		at(2026, 12, 7), at(2026, 12, 7), // Monday: once, on either replica
		at(2026, 12, 8), at(2026, 12, 11), // later that week: nothing
		at(2026, 12, 14), // the next Monday
		at(2026, 12, 28), // a bank holiday Monday (Boxing Day's substitute): nothing
		at(2026, 12, 29), // Tuesday, the first working day of that week
		at(2026, 12, 30),
	} {
		for _, s := range []*Scheduler{e.s, replica} {
			if err := s.Weekly(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	for _, s := range e.rec.all {
		got = append(got, s.to+": "+s.reply.Text)
	}
	want := []string{
		"console:pat: week of maternity 2026-12-07", "console:kit: week of surgery 2026-12-07",
		"console:pat: week of maternity 2026-12-14", "console:kit: week of surgery 2026-12-14",
		"console:pat: week of maternity 2026-12-29", "console:kit: week of surgery 2026-12-29",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if built["no-lead"] != 0 {
		t.Error("a view was built for a service with no pathway lead")
	}
}

// A weekly view the platform refused for a moment is tried again by the
// delivery queue, and goes once.
func TestWeeklyRetriedAfterFailure(t *testing.T) {
	e, _ := coverEnv(t)
	ctx := context.Background()
	e.s.cfg.WeekView = func(_ context.Context, service string, _ time.Time) (bot.Reply, error) {
		return bot.Reply{Text: "week of " + service}, nil
	}
	e.rec.fail = func(string) error { return bot.ErrNotReachable }
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, london)
	e.clock.Set(monday) // the delivery queue keeps the scheduler's time
	if err := e.s.Weekly(ctx, monday); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:pat"); len(got) != 0 {
		t.Fatalf("sent %+v while the platform refused", got)
	}
	// The view waits in the delivery queue and goes once the platform
	// takes it; running the weekly job again sends no second one.
	e.rec.fail = nil
	e.clock.Set(monday.Add(time.Hour))
	if err := e.s.Weekly(ctx, monday.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:pat"); len(got) != 1 {
		t.Errorf("after a failure then a success, sent %+v", got)
	}
}

// A named contact with several cases due in one tick has them bundled into
// one message; while they are away, each case's nudge goes to the cover
// instead, and nothing reaches the person who is away.
// While the named contact is away, one tick's nudges about their cases
// reach whoever has them now as one message, as they would have reached the
// named contact: saying why, with a line and a button for each case.
func TestCoverTakesABundlesCases(t *testing.T) {
	tests := []struct {
		name, cover, gets, intro, overflow string
	}{
		{"a cover", "console:sam", "console:sam", "You're covering for <@console:alex>, who is away until the end of Fri 18 Dec 2026.\n3 of <@console:alex>'s cases are waiting",
			"<@console:pat>, the pathway lead, sees them all with /hpp list overdue"},
		{"nobody covering: the pathway lead", "", "console:pat", "<@console:alex> is away until the end of Fri 18 Dec 2026 with nobody named to cover, so this comes to you as pathway lead for maternity.\n3 of <@console:alex>'s cases are waiting",
			"/hpp list overdue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := coverEnv(t)
			e.openCase(t, pathway.OpenInput{Ref: "INC-8", Service: "maternity", Harm: pathway.HarmLow, Lead: "console:alex"})
			e.openCase(t, pathway.OpenInput{Ref: "INC-9", Service: "maternity", Harm: pathway.HarmLow, Lead: "console:alex"})
			e.away(t, "console:alex", tc.cover, time.Date(2026, 12, 18, 0, 0, 0, 0, london))
			at := time.Date(2026, 12, 8, 10, 1, 0, 0, london) // all three first contacts due
			e.clock.Set(at)
			if _, err := e.s.Tick(context.Background(), at); err != nil {
				t.Fatal(err)
			}
			if got := e.rec.to("console:alex"); len(got) != 0 {
				t.Errorf("the person away was sent %d messages, want none", len(got))
			}
			got := e.rec.to(tc.gets)
			if len(got) != 1 {
				t.Fatalf("%s got %d messages in one tick; want one listing the 3 cases", tc.gets, len(got))
			}
			r := got[0].reply
			if !strings.HasPrefix(r.Text, tc.intro) {
				t.Errorf("the message begins %q; want %q", r.Text, tc.intro)
			}
			if r.Overflow != tc.overflow {
				t.Errorf("a surface with no room for them all points to %q; want %q (they are not their own cases)", r.Overflow, tc.overflow)
			}
			var cases []string
			for _, sec := range r.Sections {
				for _, name := range []string{"HPP-1", "HPP-2", "HPP-3"} {
					if strings.HasPrefix(sec.Text, "*"+name+"*") && sec.Button != nil {
						cases = append(cases, name)
					}
				}
			}
			if strings.Join(cases, " ") != "HPP-1 HPP-2 HPP-3" {
				t.Errorf("the message lists %v, each with a button; want HPP-1, HPP-2 and HPP-3", cases)
			}
		})
	}
}

// When the reminders go to someone covering and they can't be reached, the
// pathway lead's heads-up names them, not the named contact who is away and
// was sent nothing.
func TestAnUnreachedCoverIsWhoTheHeadsUpNames(t *testing.T) {
	tests := []struct {
		name, cover, unreachable, want string
	}{
		{"the cover can't be reached", "console:sam", "console:sam", "I couldn't reach <@console:sam> through hppbot (their Slack account has been deactivated). They are covering for <@console:alex>, the named contact, who is away, so "},
		{"the named contact can't be reached", "", "console:alex", "I couldn't reach <@console:alex>, the named contact, through hppbot (their Slack account has been deactivated)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := coverEnv(t)
			if tc.cover != "" {
				e.away(t, "console:alex", tc.cover, time.Date(2026, 12, 18, 0, 0, 0, 0, london))
			}
			e.rec.fail = func(to string) error {
				if to == tc.unreachable {
					return deactivated
				}
				return nil
			}
			e.runUntil(t, time.Date(2026, 12, 11, 18, 0, 0, 0, london))
			var heads []string
			for _, s := range e.rec.to("console:pat") {
				if strings.Contains(s.reply.Text, "A heads-up about") {
					heads = append(heads, s.reply.Text)
				}
			}
			if len(heads) == 0 {
				t.Fatal("no heads-up reached the pathway lead")
			}
			for _, h := range heads {
				if !strings.Contains(h, tc.want) {
					t.Errorf("heads-up:\n%s\nwant it to say %q", h, tc.want)
				}
			}
		})
	}
}

// Two of an away person's cases escalate in the same tick: their nudges
// reach the cover as one message, so the escalation names the cover (who
// had the reminders) and tells them, not the person away; when the cover
// can't be reached, the heads-up says so of the cover.
func TestABundledCoverEscalationNamesTheCover(t *testing.T) {
	tests := []struct {
		name      string
		reachable bool
		want      string // in the pathway lead's heads-up
	}{
		{"the cover had the reminders", true, "A gentle heads-up: <@console:sam> (covering for <@console:alex>, who is away) has 2 cases with something overdue"},
		{"the cover can't be reached", false, "A heads-up: <@console:sam> (covering for <@console:alex>, who is away) has 2 cases with something overdue, and I couldn't reach them through hppbot (their Slack account has been deactivated)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := coverEnv(t)
			e.openCase(t, pathway.OpenInput{Ref: "INC-8", Service: "maternity", Harm: pathway.HarmLow, Lead: "console:alex"})
			e.away(t, "console:alex", "console:sam", time.Date(2026, 12, 18, 0, 0, 0, 0, london))
			if !tc.reachable {
				e.rec.fail = func(to string) error {
					if to == "console:sam" {
						return deactivated
					}
					return nil
				}
			}
			e.runUntil(t, time.Date(2026, 12, 11, 18, 0, 0, 0, london))
			for _, s := range e.rec.to("console:alex") {
				t.Errorf("the named contact, away, was sent: %q", s.reply.Text)
			}
			heads := containing(e.rec.to("console:pat"), "heads-up")
			if len(heads) == 0 {
				t.Fatal("no heads-up reached the pathway lead")
			}
			for _, h := range heads {
				if !strings.Contains(h.reply.Text, tc.want) {
					t.Errorf("heads-up:\n%s\nwant it to say %q", h.reply.Text, tc.want)
				}
			}
			if tc.reachable && len(containing(e.rec.to("console:sam"), "After several reminders about some of the cases that came to you while <@console:alex> is away, I've asked colleagues")) == 0 {
				t.Error("the cover was not told who was asked to help")
			}
		})
	}
}
