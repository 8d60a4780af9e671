package slack

import (
	"context"
	"strings"
	"testing"

	"hppbot/bot"
)

// Every Block Kit message carries a `text` fallback that says what the
// message says: Slack reads it out, and shows it in notifications.
func TestEveryMessageHasMeaningfulTextFallback(t *testing.T) {
	cases := []struct {
		name  string
		r     bot.Reply
		start string
	}{
		{"text", bot.Reply{Text: "*HPP-3 is open* — INC-7\n\nWhat falls due next."}, "*HPP-3 is open* — INC-7"},
		{"sections only", bot.Reply{Sections: []bot.Section{{Title: "What falls due", Text: "• First contact: by Tue 3 Mar"}}}, "What falls due"},
		{"fields only", bot.Reply{Sections: []bot.Section{{Fields: []bot.Field{{Label: "Named contact", Value: "<@U0SAM>"}}}}}, "Named contact: <@U0SAM>"},
		{"note only", bot.Reply{Note: "Only you can see this."}, "Only you can see this."},
		{"buttons only", bot.Reply{Buttons: []bot.Button{{Label: "Log contact", Command: "contact HPP-3"}, {Label: "Snooze 1 day", Command: "snooze HPP-3 1d"}}}, "Choose what to do next: Log contact, Snooze 1 day"},
		{"long text", bot.Reply{Text: strings.Repeat("A long line of the timeline. ", 40)}, "A long line of the timeline."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := render(c.r, nil, maxMessageBlocks)
			if !strings.HasPrefix(msg.Text, c.start) {
				t.Errorf("fallback %q, want it to start %q", msg.Text, c.start)
			}
			if msg.Text == "A message from hppbot" || len(msg.Text) > maxFallbackText {
				t.Errorf("fallback %q (%d bytes)", msg.Text, len(msg.Text))
			}
		})
	}
}

// A chart goes to Slack with its text alternative (alt_txt), which states
// its figures.
func TestChartAltTextReachesSlack(t *testing.T) {
	tb := newTestBed(t)
	alt := "Chart for maternity. Week of 2 Nov 2026: 2 on time, 1 late."
	r := bot.Reply{Text: "Learning figures", Files: []bot.File{{Name: "report.png", Type: "image/png", Title: "Chart", Alt: alt, Data: []byte("\x89PNG")}}}
	if err := tb.surface.SendDirect(context.Background(), "slack:U0LEAD", r); err != nil {
		t.Fatal(err)
	}
	get := tb.slack.recorded("files.getUploadURLExternal")
	if len(get) != 1 {
		t.Fatalf("%d upload requests", len(get))
	}
	if got := get[0].Form.Get("alt_txt"); got != alt {
		t.Errorf("alt_txt = %q, want %q", got, alt)
	}
}
