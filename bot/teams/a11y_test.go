package teams

import (
	"strings"
	"testing"

	"hppbot/bot"
)

// Every Adaptive Card hppbot sends carries its words for those who can't
// see it: fallbackText for clients that can't draw the card, speak for
// voice assistants — plain text, short, and starting where the card starts.
func TestEveryCardHasFallbackTextAndSpeak(t *testing.T) {
	names := map[string]string{"teams:aad-sam": "Sam Example"}
	var lines []string
	for i := 0; i < 300; i++ {
		lines = append(lines, "• Mon 2 Mar, 10:00 — logged contact by phone")
	}
	cases := []struct {
		name  string
		r     bot.Reply
		o     renderOpts
		start string // what the words begin with
	}{
		{"text with a mention", bot.Reply{Text: "*HPP-3 is open*\nNamed contact: <@teams:aad-sam>."}, renderOpts{names: names}, "HPP-3 is open. Named contact: Sam Example."},
		{"sections only", bot.Reply{Sections: []bot.Section{{Title: "What falls due", Text: "• First contact: by Tue 3 Mar"}}}, renderOpts{}, "What falls due. First contact: by Tue 3 Mar."},
		{"fields only", bot.Reply{Sections: []bot.Section{{Fields: []bot.Field{{Label: "Named contact", Value: "<@teams:aad-sam>"}}}}}, renderOpts{names: names}, "Named contact: Sam Example."},
		{"note only", bot.Reply{Note: "Only you can see this."}, renderOpts{}, "Only you can see this."},
		{"buttons only", bot.Reply{Buttons: []bot.Button{{Label: "Log contact", Command: "contact HPP-3"}}}, renderOpts{}, "Choose what to do next:"},
		{"a form", bot.Reply{Form: bot.OpenForm()}, renderOpts{}, "Open a harm case."},
		{"a long reply over several cards", bot.Reply{Text: "Timeline of *HPP-3*", Sections: []bot.Section{{Text: strings.Join(lines, "\n")}}}, renderOpts{}, "Timeline of HPP-3."},
		{"a file in a channel", bot.Reply{Text: "The record.", Files: []bot.File{{Name: "HPP-3.csv", Type: "text/csv", Data: []byte("a\n")}}}, renderOpts{line: "export HPP-3"}, "The record."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cards := 0
			for i, act := range renderReply(c.r, c.o) {
				for _, att := range act.Attachments {
					if att.ContentType != cardType {
						continue
					}
					cards++
					card := att.Content.(object)
					fb, _ := card["fallbackText"].(string)
					sp, _ := card["speak"].(string)
					if fb == "" || sp == "" {
						t.Fatalf("activity %d: fallbackText %q, speak %q", i, fb, sp)
					}
					if n := len([]rune(fb)); n > maxSpokenRunes {
						t.Errorf("fallbackText of %d characters", n)
					}
					if strings.Contains(fb, "**") || strings.Contains(fb, "<at>") || strings.ContainsAny(sp, "<>&") {
						t.Errorf("markup in the words: %q / %q", fb, sp)
					}
					if i == 0 && !strings.HasPrefix(fb, c.start) {
						t.Errorf("fallbackText %q, want it to start %q", fb, c.start)
					}
				}
			}
			if cards == 0 {
				t.Fatal("no card rendered")
			}
		})
	}
}

// What someone typed reaches the words as typed: the card's Markdown
// escapes and word joiners are not read out.
func TestSpokenWordsDropEscapes(t *testing.T) {
	acts := renderReply(bot.Reply{Text: "Logged: “see [the notes](http://x) *now* <at>Sam</at>”"}, renderOpts{})
	card := acts[0].Attachments[0].Content.(object)
	fb := card["fallbackText"].(string)
	if strings.Contains(fb, `\`) || strings.Contains(fb, wordJoiner) {
		t.Errorf("fallbackText %q keeps the card's escapes", fb)
	}
	if !strings.Contains(fb, "[the notes](http://x) *now*") {
		t.Errorf("fallbackText %q doesn't give the typed text as typed", fb)
	}
}
