package console_test

import (
	"strings"
	"testing"
)

// escalationScript opens a maternity case whose pathway lead is @pat and
// lets its reminders go unanswered until they escalate (Monday 30 November).
var escalationScript = []string{
	":as @admin", "/hpp service maternity lead=@pat channel=#maternity",
	":as @lee", "/hpp open INC-7 service=maternity harm=low Fall on ward 4",
	":advance 3d", ":advance 2d",
}

// TestEscalationTakenInConsole is issue 22's "I'll take it": the pathway
// lead presses it on the escalation; both are told, the channel hears it is
// taken care of, the timeline records it, and the reminders go to the lead.
func TestEscalationTakenInConsole(t *testing.T) {
	script := append(append([]string{}, escalationScript...),
		"/hpp take HPP-1",
		":as @pat", ":press 1",
		":as @lee", "/hpp timeline HPP-1",
		":advance 3d")
	out := runNation(t, "england", []string{"admin"}, wednesday, t.TempDir(), script...)
	for _, want := range []string{
		"[DM @pat] A gentle heads-up about HPP-1 (maternity)",
		"[1] I'll take it  [2] Hand to…  [3] Remind them tomorrow  [4] Status",
		"Only the maternity pathway lead, @pat, or an admin can take HPP-1 on from an escalation.",
		`(pressed "I'll take it")`,
		"You're now the acting named contact for HPP-1 (INC-7)",
		"[DM @lee] @pat, the pathway lead for maternity, has taken on HPP-1 (INC-7) as acting named contact",
		// The escalation post itself now says so (its buttons gone).
		"[update #maternity #11] HPP-1 (maternity): the pathway lead has taken this on. Thank you to everyone who offered a hand.",
		"@pat took the case on from @lee as acting named contact.",
		"[DM @pat] Contact with the family for HPP-1 (INC-7)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	golden(t, "escalation.txt", out)
}

// Hand to… in the console asks for the @name (the console shows no
// forms); Remind them tomorrow snoozes a working day and tells the named
// contact.
func TestEscalationHandAndRemindInConsole(t *testing.T) {
	out := runNation(t, "england", []string{"admin"}, wednesday, t.TempDir(), append(append([]string{}, escalationScript...),
		":as @pat", ":press 2", "/hpp lead HPP-1 @alex")...)
	for _, want := range []string{
		`(pressed "Hand to…")`,
		"Name one person to hand over to, for example: /hpp lead HPP-1 @alex",
		"@alex is now the named contact for HPP-1.",
		"] HPP-1 (maternity): a colleague has taken on the named-contact role.",
		"[update #maternity #",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("hand-to transcript lacks %q:\n%s", want, out)
		}
	}
	out = runNation(t, "england", []string{"admin"}, wednesday, t.TempDir(), append(append([]string{}, escalationScript...),
		":as @pat", ":press 3")...)
	for _, want := range []string{
		`(pressed "Remind them tomorrow")`,
		"Reminders for HPP-1 are snoozed until Tue 1 Dec, 10:00",
		"[DM @lee] @pat has paused the reminders for HPP-1 (INC-7) until Tue 1 Dec, 10:00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("remind-tomorrow transcript lacks %q:\n%s", want, out)
		}
	}
}
