package scheduler

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

var digits = regexp.MustCompile(`[0-9]+`)

// sameWords is a message's words with its numbers taken out, so "reminder
// 4" and "reminder 5" count as the same words.
func sameWords(text string) string { return digits.ReplaceAllString(text, "#") }

// TestNoReminderSaysTheSameWordsThreeTimesInARow lets a case's reminders
// run unanswered for three weeks and reads everything each person and the
// channel got in order: no message's words (numbers aside) come three times
// in a row, and after the escalation the repeats slow down and say who
// knows and can help.
func TestNoReminderSaysTheSameWordsThreeTimesInARow(t *testing.T) {
	for _, tc := range []struct {
		name          string
		harm          pathway.Harm
		escalateAfter int
	}{
		{"contact only", pathway.HarmNone, 2},
		{"contact and candour", pathway.HarmSevere, 2},
		{"a long run before escalating", pathway.HarmNone, 5},
		{"candour with a long run", pathway.HarmSevere, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, wed)
			e.p.EscalateAfter = tc.escalateAfter
			ctx := context.Background()
			if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"}); err != nil {
				t.Fatal(err)
			}
			e.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity", Harm: tc.harm})
			e.runUntil(t, wed.Add(21*24*time.Hour))

			for _, who := range []string{"console:lee", "console:pat", "console:maternity"} {
				var got []sent
				for _, s := range e.rec.to(who) {
					// The morning digest is a daily list of what is overdue,
					// not a reminder: it is meant to read the same while
					// nothing changes.
					if !strings.HasPrefix(s.reply.Text, "Good morning. In ") {
						got = append(got, s)
					}
				}
				run := 1
				for i := 1; i < len(got); i++ {
					if sameWords(got[i].reply.PlainText()) == sameWords(got[i-1].reply.PlainText()) {
						run++
					} else {
						run = 1
					}
					if run >= 3 {
						t.Fatalf("%s got the same words three times in a row (messages %d–%d):\n%s", who, i-1, i+1, got[i].reply.PlainText())
					}
				}
			}
			nudges := e.rec.to("console:lee")
			if len(nudges) < 6 {
				t.Fatalf("the named contact got %d messages in three weeks; want a run of reminders to read", len(nudges))
			}
			// Working days between nudges: one before the escalation, two after.
			var last time.Time
			var gaps []int
			for _, s := range nudges {
				if !strings.Contains(s.reply.PlainText(), "Contact with the family") {
					continue
				}
				if !last.IsZero() {
					gaps = append(gaps, e.p.Calendar.WorkingDaysBetween(last, s.at))
				}
				last = s.at
			}
			for i, g := range gaps {
				want := 1
				if i+1 > tc.escalateAfter {
					want = 2
				}
				if g != want {
					t.Errorf("contact nudges %d and %d are %d working days apart; want %d (gaps %v)", i+1, i+2, g, want, gaps)
					break
				}
			}
			// The first repeat after the escalation says reminders have slowed;
			// the later ones don't say it again.
			paced := 0
			for _, s := range nudges {
				if strings.Contains(s.reply.PlainText(), "Contact with the family") && strings.Contains(s.reply.PlainText(), "I'll remind you every 2 working days from now on") {
					paced++
				}
			}
			if paced != 1 {
				t.Errorf("%d contact nudges say reminders have slowed; want the first after the escalation only", paced)
			}
			knows := 0
			for _, s := range nudges {
				if strings.Contains(s.reply.PlainText(), "The pathway lead, <@console:pat>, knows and can help.") {
					knows++
				}
			}
			if knows == 0 {
				t.Error("no reminder after the escalation says the pathway lead knows and can help")
			}
		})
	}
}
