package slack

import (
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

// answerSurface is a Surface for rendering answers; it calls nothing.
func answerSurface(t testing.TB) *Surface {
	t.Helper()
	s, err := New(Config{Token: "xoxb-answer", Handler: echoHandler{}})
	if err != nil {
		t.Fatal(err)
	}
	// A Teams colleague whose name is known, and one whose isn't.
	s.names.put("teams:29:abc", "Alex <Synthetic> & \"co\"", time.Hour, time.Now())
	s.names.put("teams:29:zzz", "", time.Hour, time.Now())
	t.Cleanup(s.Close)
	return s
}

// awkward are texts that exercise every escape encoding/json makes.
var awkward = []string{
	"",
	"plain",
	`<@U0LEAD> & <#C0WARD> "quoted" 'single' back\slash /slash`,
	"<script>alert(1)</script> a&b a&amp;b &lt;",
	"tab\tnew\nline\rreturn\bback\fform\x00nul\x01\x1f\x7f",
	"line\u2028sep\u2029para \u00a0nbsp \u200b zwsp \ufeff bom",
	"émoji 🩺🏥 ü 中文 עברית \U0010ffff",
	"bad \xff utf8 \xc3 half \xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big \xe2\x82",
	"\xff",
	"\xe2\x80\xa8",
	"\\u2028 literally",
	strings.Repeat("• *HPP-1* contact overdue · <@slack:U0LEAD> & co\n", 120),
	strings.Repeat("é", 2500),
}

// openedReply is what /hpp open answers: a title, sections of bullets,
// a note and three buttons.
func openedReply() bot.Reply {
	return bot.Reply{
		Text: "*HPP-1 is open* — INC-7 · maternity · moderate harm\nNamed contact for the family: <@slack:U0LEAD>. Staff involved: <@slack:U0SAM> and <@slack:U0JO>.",
		Sections: []bot.Section{
			{Title: "What falls due", Text: "• First contact with the family: due Mon 12 Jan, 09:00 (in 3 days)\n• Duty of Candour notification: by the end of Fri 23 Jan 2026"},
			{Title: "Before the first conversation", Text: "When you have spoken, log it: /hpp contact HPP-1 via=phone next=7d <a short note>"},
			{Title: "People", Text: "• Named contact: <@slack:U0LEAD>\n• Staff involved: <@slack:U0SAM>, <@slack:U0JO>"},
		},
		Note: "Only you can see this. /hpp status HPP-1 shows it again.",
		Buttons: []bot.Button{
			{Label: "Log contact", Command: "contact HPP-1", Style: "primary", Form: bot.ContactForm("HPP-1")},
			{Label: "Status", Command: "status HPP-1"},
			{Label: "Timeline", Command: "timeline HPP-1"},
		},
	}
}
