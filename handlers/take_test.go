package handlers

import (
	"context"
	"strings"
	"testing"

	"hppbot/bot"
)

// escalated sets a maternity case up as the scheduler leaves it after an
// escalation: the pathway lead (@pat) told, the channel posted to.
func escalatedCase(t *testing.T, f *fixture) {
	t.Helper()
	f.as("admin", "/hpp service maternity lead=@pat channel=#maternity")
	f.as("lee", "/hpp open INC-7 service=maternity harm=low involved=@sam Fall on ward 4")
	ctx := context.Background()
	old, err := f.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := f.st.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := old.Clone()
	c.ContactNudges, c.Escalated = 3, true
	c.EscalatedTo, c.EscalatedChannel = []string{"console:pat"}, svcs["maternity"].Channel
	if c.EscalatedChannel == "" {
		t.Fatal("the service has no channel")
	}
	if err := f.st.SaveCase(ctx, old, c, f.h.Policy); err != nil {
		t.Fatal(err)
	}
	f.sent.sent = nil
}

func (f *fixture) channelPosts() []string {
	f.sent.mu.Lock()
	defer f.sent.mu.Unlock()
	var out []string
	for _, m := range f.sent.sent {
		if m.channel {
			out = append(out, unstarred(m.reply))
		}
	}
	return out
}

func TestTakeMakesThePathwayLeadActingNamedContact(t *testing.T) {
	f := newFixture(t)
	escalatedCase(t, f)
	r := unstarred(f.as("pat", "/hpp take HPP-1"))
	for _, want := range []string{"You're now the acting named contact for HPP-1 (INC-7)", "<@console:lee> has been told.", "I'm letting the team channel know it's taken care of.", "Understood: acting named contact <@console:lee> → <@console:pat>"} {
		if !strings.Contains(r, want) {
			t.Errorf("take reply lacks %q:\n%s", want, r)
		}
	}
	if got := f.sent.to("console:lee"); len(got) != 1 || !strings.Contains(unstarred(got[0]), "<@console:pat>, the pathway lead for maternity, has taken on HPP-1 (INC-7) as acting named contact") {
		t.Errorf("the former named contact heard %+v", got)
	}
	posts := f.channelPosts()
	if len(posts) != 1 || posts[0] != "HPP-1 (maternity): the pathway lead has taken this on. Thank you to everyone who offered a hand." {
		t.Errorf("channel posts %q; want one saying the pathway lead has taken it on, naming nobody", posts)
	}
	c, err := f.st.GetCase(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lead != "console:pat" || c.ContactNudges != 0 || c.Escalated {
		t.Errorf("after take: lead %s, nudges %d, escalated %v; want pat, a fresh round", c.Lead, c.ContactNudges, c.Escalated)
	}
	if tl := unstarred(f.as("pat", "/hpp timeline HPP-1")); !strings.Contains(tl, "<@console:pat> took the case on from <@console:lee> as acting named contact.") {
		t.Errorf("timeline lacks the take-over:\n%s", tl)
	}
	ex := f.as("pat", "/hpp export HPP-1")
	var md string
	for _, file := range ex.Files {
		if strings.HasSuffix(file.Name, ".md") {
			md = string(file.Data)
		}
	}
	if !strings.Contains(md, "Taken on by pat from lee as acting named contact") {
		t.Errorf("export lacks the take-over:\n%s", md)
	}
}

func TestOnlyThePathwayLeadOrAnAdminMayTake(t *testing.T) {
	for _, tc := range []struct {
		who, want string
		ok        bool
	}{
		{"sam", "Only the maternity pathway lead, <@console:pat>, or an admin can take HPP-1 on from an escalation. If you'd like to be its named contact, ask <@console:lee> to hand it to you with /hpp lead HPP-1 and your name.", false},
		{"lee", "You're already the named contact for HPP-1", false},
		{"stranger", "HPP-1 is only open to the people on it", false},
		{"admin", "You're now the acting named contact for HPP-1", true},
		{"pat", "You're now the acting named contact for HPP-1", true},
	} {
		t.Run(tc.who, func(t *testing.T) {
			f := newFixture(t)
			escalatedCase(t, f)
			// The named contact is refused as not the pathway lead; the
			// pathway lead as named contact is told they already are.
			if tc.who == "lee" {
				f.as("admin", "/hpp service maternity lead=@lee")
			}
			r := unstarred(f.as(tc.who, "/hpp take HPP-1"))
			if !strings.Contains(r, tc.want) {
				t.Errorf("%s: %s\nwant %q", tc.who, r, tc.want)
			}
			c, err := f.st.GetCase(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if moved := c.Lead == "console:"+tc.who && tc.who != "lee"; moved != tc.ok {
				t.Errorf("%s: named contact is now %s", tc.who, c.Lead)
			}
			if !tc.ok && len(f.channelPosts()) != 0 {
				t.Errorf("%s: a refused take-over told the channel %q", tc.who, f.channelPosts())
			}
		})
	}
}

func TestTakeWithoutAnEscalationTellsNoChannel(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat channel=#maternity")
	f.as("lee", "/hpp open INC-7 service=maternity harm=low Fall")
	f.sent.sent = nil
	r := unstarred(f.as("pat", "/hpp take HPP-1"))
	if !strings.Contains(r, "acting named contact") || strings.Contains(r, "team channel") {
		t.Errorf("take reply: %s", r)
	}
	if posts := f.channelPosts(); len(posts) != 0 {
		t.Errorf("channel told %q about a case it never heard was overdue", posts)
	}
}

func TestHandToFromAnEscalationTellsTheChannel(t *testing.T) {
	f := newFixture(t)
	escalatedCase(t, f)
	r := unstarred(f.as("pat", "/hpp lead HPP-1 @alex"))
	if !strings.Contains(r, "<@console:alex> is now the named contact for HPP-1") || !strings.Contains(r, "I'm letting the team channel know it's taken care of.") {
		t.Errorf("hand-over reply: %s", r)
	}
	if posts := f.channelPosts(); len(posts) != 1 || !strings.Contains(posts[0], "a colleague has taken on the named-contact role") || strings.Contains(posts[0], "alex") {
		t.Errorf("channel posts %q; want one, naming nobody", posts)
	}
	// Pressed in the console, the form's button runs its command as it
	// is: the reply asks for the @name.
	if r := unstarred(f.as("pat", "/hpp lead HPP-1")); !strings.Contains(r, "Name one person to hand over to, for example: /hpp lead HPP-1 @alex") {
		t.Errorf("lead with nobody named: %s", r)
	}
}

func TestRemindThemTomorrowSnoozesAndTellsTheNamedContact(t *testing.T) {
	f := newFixture(t)
	escalatedCase(t, f)
	r := unstarred(f.as("pat", "/hpp snooze HPP-1 1wd"))
	for _, want := range []string{"Reminders for HPP-1 are snoozed until Thu 26 Nov, 10:00", "<@console:lee> has been told I'll remind them then."} {
		if !strings.Contains(r, want) {
			t.Errorf("snooze reply lacks %q:\n%s", want, r)
		}
	}
	if got := f.sent.to("console:lee"); len(got) != 1 || !strings.Contains(unstarred(got[0]), "<@console:pat> has paused the reminders for HPP-1 (INC-7) until Thu 26 Nov, 10:00") {
		t.Errorf("named contact heard %+v", got)
	}
	if tl := unstarred(f.as("pat", "/hpp timeline HPP-1")); !strings.Contains(tl, "<@console:pat> snoozed reminders for 1 working day") {
		t.Errorf("timeline lacks the snooze:\n%s", tl)
	}
	// The named contact snoozing their own reminders hears nothing more.
	f.sent.sent = nil
	f.as("lee", "/hpp snooze HPP-1 1d")
	if got := f.sent.to("console:lee"); len(got) != 0 {
		t.Errorf("the named contact was messaged about their own snooze: %+v", got)
	}
}

func TestTakeIsListedInHelp(t *testing.T) {
	f := newFixture(t)
	if r := unstarred(f.as("lee", "/hpp help take")); !strings.Contains(r, "acting named contact") {
		t.Errorf("help take: %s", r)
	}
	if !f.h.HasCommand("take") {
		t.Error("take is not a command")
	}
}

// unstarred is a reply's plain text without its *bold* marks.
func unstarred(r bot.Reply) string { return strings.ReplaceAll(r.PlainText(), "*", "") }
