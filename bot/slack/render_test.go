package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got := readableJSON(t, v)
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file; if the change is right, run go test ./bot/slack -update\ngot:\n%s", path, got)
	}
}

func withoutState(t *testing.T, v any) json.RawMessage {
	t.Helper()
	return json.RawMessage(readableJSON(t, v))
}

// readableJSON is indented JSON without HTML escapes, so <@U1> reads as it
// is sent.
func readableJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRenderGolden(t *testing.T) {
	longLines := make([]string, 80)
	for i := range longLines {
		longLines[i] = fmt.Sprintf("• *HPP-%d* INC-%d — contact with the family overdue (2 days ago) · named contact <@slack:U0LEAD>", i+1, 1000+i)
	}
	var fields []bot.Field
	for i := range 12 {
		fields = append(fields, bot.Field{Label: fmt.Sprintf("Field %d", i+1), Value: fmt.Sprintf("value %d", i+1)})
	}
	var many []bot.Section
	for i := range 60 {
		many = append(many, bot.Section{Text: fmt.Sprintf("Section %d", i+1)})
	}
	var buttons []bot.Button
	for i := range 30 {
		buttons = append(buttons, bot.Button{Label: fmt.Sprintf("Status HPP-%d", i+1), Command: fmt.Sprintf("status HPP-%d", i+1)})
	}
	nm := names{"teams:29:abc": "Alex Synthetic"}
	tests := []struct {
		name  string
		reply bot.Reply
		limit int
	}{
		{"opened", bot.Reply{
			Text: "*HPP-1 is open* — INC-7 · maternity · moderate harm\nNamed contact for the family: <@slack:U0LEAD>. Staff involved: <@slack:U0SAM> and <@slack:U0JO>.",
			Sections: []bot.Section{
				{Title: "What falls due", Text: "• First contact with the family: due Mon 12 Jan, 09:00 (in 3 days)\n• Duty of Candour notification: by the end of Fri 23 Jan 2026"},
				{Title: "Before the first conversation", Text: "When you have spoken, log it: /hpp contact HPP-1 via=phone next=7d <a short note>"},
			},
			Buttons: []bot.Button{
				{Label: "Log contact", Command: "contact HPP-1", Style: "primary", Form: bot.ContactForm("HPP-1")},
				{Label: "Status", Command: "status HPP-1"},
			},
		}, maxMessageBlocks},
		{"fields-and-note", bot.Reply{
			Text:     "*HPP-3* · INC-7 · open",
			Sections: []bot.Section{{Title: "People", Fields: fields}, {Fields: []bot.Field{{Label: "Named contact", Value: "<@slack:U0LEAD>"}}}},
			Note:     "Only you can see this. /hpp timeline HPP-3 shows every step.",
		}, maxMessageBlocks},
		{"long-text", bot.Reply{Text: "*Timeline*", Sections: []bot.Section{{Title: "Events", Text: strings.Join(longLines, "\n")}}}, maxMessageBlocks},
		{"mentions-and-escaping", bot.Reply{
			Text: "Handed over by <@console:sam> to <@teams:29:abc>; <@teams:29:zzz> was told. Posted in <#slack:C0WARD> and <#console:maternity>.\n" +
				"Typed in Slack: <@U0RAW|raw> and <!here> and <@here>. Fish & chips <reason> -> done; <@slack:U0LEAD|the lead> & <#slack:C0WARD|ward>.",
		}, maxMessageBlocks},
		{"too-many-blocks", bot.Reply{Text: "*Open cases you can see*", Sections: many, Note: "A note", Buttons: buttons}, maxMessageBlocks},
		{"home-limit", bot.Reply{Text: "*My open cases*", Sections: many, Buttons: buttons[:2]}, maxViewBlocks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := render(tt.reply, nm, tt.limit)
			checkLimits(t, msg, tt.limit)
			golden(t, "render-"+tt.name, struct {
				Text   string          `json:"text"`
				Blocks json.RawMessage `json:"blocks"`
			}{msg.Text, withoutState(t, msg.Blocks)})
		})
	}
}

// checkLimits checks a rendered message against Slack's limits.
func checkLimits(t *testing.T, msg message, limit int) {
	t.Helper()
	if len(msg.Blocks) > limit {
		t.Errorf("%d blocks, limit %d", len(msg.Blocks), limit)
	}
	if msg.Text == "" || len(msg.Text) > maxFallbackText {
		t.Errorf("fallback text of %d bytes", len(msg.Text))
	}
	ids := map[string]bool{}
	for _, b := range msg.Blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil && len(b.Text.Text) > maxSectionText {
				t.Errorf("section text of %d bytes", len(b.Text.Text))
			}
			if len(b.Fields) > maxFields {
				t.Errorf("%d fields in a section", len(b.Fields))
			}
			for _, f := range b.Fields {
				if len(f.Text) > maxFieldText {
					t.Errorf("field of %d bytes", len(f.Text))
				}
			}
			if b.Text == nil && len(b.Fields) == 0 {
				t.Error("an empty section")
			}
		case *slack.ActionBlock:
			if len(b.Elements.ElementSet) > maxButtons {
				t.Errorf("%d buttons in an actions block", len(b.Elements.ElementSet))
			}
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				if ids[btn.ActionID] {
					t.Errorf("action id %s used twice", btn.ActionID)
				}
				ids[btn.ActionID] = true
				if len(btn.Value) > maxButtonValue || len([]rune(btn.Text.Text)) > maxButtonLabel {
					t.Errorf("button %q too long", btn.Text.Text)
				}
			}
		}
	}
}

func TestModalGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		form *bot.Form
	}{
		{"open", bot.OpenForm()},
		{"contact", bot.ContactForm("HPP-3")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := formState{Form: tt.form, Channel: "C0WARD", ResponseURL: "https://hooks.slack.com/commands/T0/1/x"}
			view, err := modal(st)
			if err != nil {
				t.Fatal(err)
			}
			if len(view.PrivateMetadata) > maxMetadata || len([]rune(view.Title.Text)) > maxTitle {
				t.Fatalf("modal over Slack's limits: metadata %d, title %q", len(view.PrivateMetadata), view.Title.Text)
			}
			back, err := decodeState(view.PrivateMetadata)
			if err != nil || back.Channel != st.Channel || back.ResponseURL != st.ResponseURL || back.Form.Command != tt.form.Command || len(back.Form.Inputs) != len(tt.form.Inputs) {
				t.Fatalf("state does not come back: %+v %v", back, err)
			}
			golden(t, "modal-"+tt.name, withoutState(t, view))
		})
	}
}

func TestMrkdwn(t *testing.T) {
	nm := names{"teams:29:abc": "Alex <Synthetic>"}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"<@slack:U1> and <#slack:C1>", "<@U1> and <#C1>"},
		{"<@slack:U1|label>", "<@U1>"},
		{"<@console:sam>", "@sam"},
		{"<@teams:29:abc>", "@Alex &lt;Synthetic&gt;"},
		{"<@teams:29:new>", "a colleague on Teams"},
		{"<#teams:19:x>", "a Teams channel"},
		{"<!channel> <@channel>", "&lt;!channel&gt; @channel"},
		{"<@U0RAW|someone>", "<@U0RAW>"},
		{"<@slack:u1>", "@u1"},
		{"*bold* _it_", "*bold* _it_"},
		{"<http://example.invalid|click>", "&lt;http://example.invalid|click&gt;"},
	}
	for _, tt := range tests {
		if got := mrkdwn(tt.in, nm); got != tt.want {
			t.Errorf("mrkdwn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitText(t *testing.T) {
	long := strings.Repeat("word ", 1000) // 5000 bytes, no line breaks
	mention := strings.Repeat("x", 2990) + " <@U123456789> tail"
	entity := strings.Repeat("y", 2998) + "&amp;z"
	for _, s := range []string{long, mention, entity, strings.Repeat("é", 4000), strings.Repeat("line\n", 900)} {
		chunks := splitText(s, maxSectionText)
		joined := strings.Join(chunks, "")
		for _, c := range chunks {
			if len(c) > maxSectionText || c == "" {
				t.Fatalf("chunk of %d bytes", len(c))
			}
			if strings.Count(c, "<") != strings.Count(c, ">") || strings.Count(c, "&") > strings.Count(c, ";") {
				t.Fatalf("a chunk breaks a token: …%s", c[max(0, len(c)-20):])
			}
		}
		if len(joined) < len(s)-len(chunks)*2-10 {
			t.Fatalf("text lost in splitting: %d of %d bytes kept", len(joined), len(s))
		}
	}
}
