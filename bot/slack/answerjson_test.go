package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

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

// sameAsMarshal checks appendAnswer against json.Marshal for v: the same
// bytes when it takes v, and a refusal exactly when wantFallback.
func sameAsMarshal(t testing.TB, v any, wantFallback bool) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := appendAnswer(make([]byte, 0, 8), v)
	if ok == wantFallback {
		t.Fatalf("appendAnswer ok=%v, want %v for %s", ok, !wantFallback, want)
	}
	if ok && !bytes.Equal(got, want) {
		t.Fatalf("appendAnswer differs from json.Marshal\n got: %s\nwant: %s", got, want)
	}
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

// answerReplies are replies of every shape the package renders: the golden
// ones of render_test.go, the echo fuzz reply, and awkward text in each
// place text can go.
func answerReplies() map[string]bot.Reply {
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
	replies := map[string]bot.Reply{
		"opened":          openedReply(),
		"public":          {Text: "*HPP-1* was handed over to <@slack:U0JO>.", Public: true},
		"empty":           {},
		"only-note":       {Note: "Only you can see this."},
		"only-buttons":    {Buttons: []bot.Button{{Label: "Status", Command: "status HPP-1", Style: "danger"}}},
		"fields-and-note": {Text: "*HPP-3* · INC-7 · open", Sections: []bot.Section{{Title: "People", Fields: fields}, {Fields: []bot.Field{{Label: "Named contact", Value: "<@slack:U0LEAD>"}}}}, Note: "Only you can see this. /hpp timeline HPP-3 shows every step."},
		"too-many-blocks": {Text: "*Open cases you can see*", Sections: many, Note: "A note", Buttons: buttons},
		"mentions": {Text: "Handed over by <@console:sam> to <@teams:29:abc>; <@teams:29:zzz> was told. Posted in <#slack:C0WARD> and <#console:maternity>.\n" +
			"Typed in Slack: <@U0RAW|raw> and <!here> and <@here>. Fish & chips <reason> -> done; <@slack:U0LEAD|the lead> & <#slack:C0WARD|ward>."},
		"form-button": {Text: "Log a contact", Buttons: []bot.Button{{Label: "Log contact", Command: "contact HPP-1", Form: bot.ContactForm("HPP-1")}, {Label: "Open a case", Command: "open", Form: bot.OpenForm()}}},
	}
	for i, s := range awkward {
		replies[fmt.Sprintf("awkward-%d", i)] = bot.Reply{
			Text:     s,
			Sections: []bot.Section{{Title: s, Text: s, Fields: []bot.Field{{Label: s, Value: s}, {Value: s}}}, {Title: s}},
			Note:     s,
			Buttons:  []bot.Button{{Label: s, Command: "status " + s}, {Label: "Go", Command: s, Style: "primary"}},
			Public:   i%2 == 0,
		}
	}
	return replies
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

func TestAnswerJSONReplies(t *testing.T) {
	s := answerSurface(t)
	for name, r := range answerReplies() {
		t.Run(name, func(t *testing.T) {
			sameAsMarshal(t, s.answer(context.Background(), r), false)
		})
	}
}

// TestAnswerJSONGolden encodes the blocks of each golden render, read back
// from testdata.
func TestAnswerJSONGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "render-*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden renders: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var golden struct {
				Text   string       `json:"text"`
				Blocks slack.Blocks `json:"blocks"`
			}
			if err := json.Unmarshal(data, &golden); err != nil {
				t.Fatal(err)
			}
			sameAsMarshal(t, &slack.WebhookMessage{Text: golden.Text, Blocks: &golden.Blocks, ResponseType: slack.ResponseTypeEphemeral}, false)
		})
	}
}

// TestAnswerJSONMessages covers what render doesn't make but a
// WebhookMessage can hold: each omitempty field set and unset, nils, and the
// blocks and elements appendAnswer leaves to json.Marshal.
func TestAnswerJSONMessages(t *testing.T) {
	yes, no := true, false
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
	}
	plain := slack.NewTextBlockObject(slack.PlainTextType, "Plain <b>", true, true)
	button := slack.NewButtonBlockElement("hpp:run:0", "status HPP-1", slack.NewTextBlockObject(slack.PlainTextType, "Status", false, false))
	full := *button
	full.URL, full.Style, full.AccessibilityLabel, full.AgentPrompt, full.AgentPromptDisplay = "https://example.invalid/?a=1&b=<2>", slack.StyleDanger, "label", "prompt", "display"
	full.VisibleToUserIDs = []string{"U1", "U<2>"}
	noType := *button
	noType.Type, noType.Text = "", nil
	confirmed := *button
	confirmed.Confirm = slack.NewConfirmationBlockObject(plain, plain, plain, plain)
	expand := slack.NewSectionBlock(text("expand"), []*slack.TextBlockObject{text("f1"), nil, plain}, nil, slack.SectionBlockOptionBlockID("b<1>"))
	expand.Expand = true
	for _, tt := range []struct {
		name     string
		msg      any
		fallback bool
	}{
		{"all-fields", &slack.WebhookMessage{Username: "hpp", IconEmoji: ":x:", IconURL: "https://i.invalid/a&b", Channel: "C1", ThreadTimestamp: "1.2", Text: "t", Parse: "full",
			Blocks: &slack.Blocks{BlockSet: []slack.Block{}}, ResponseType: "in_channel", ReplaceOriginal: true, DeleteOriginal: true, ReplyBroadcast: true, UnfurlLinks: &yes, UnfurlMedia: &no}, false},
		{"zero", &slack.WebhookMessage{}, false},
		{"nil-block-set", &slack.WebhookMessage{Blocks: &slack.Blocks{}}, false},
		{"nil-blocks", &slack.WebhookMessage{Text: "x", Blocks: &slack.Blocks{BlockSet: []slack.Block{nil, (*slack.SectionBlock)(nil), (*slack.ContextBlock)(nil), (*slack.ActionBlock)(nil)}}}, false},
		{"section-options", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{expand, slack.NewSectionBlock(plain, []*slack.TextBlockObject{}, nil)}}}, false},
		{"context-elements", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("ctx", text("a"), plain, nil), slack.NewContextBlock(""), &slack.ContextBlock{Type: slack.MBTContext, ContextElements: slack.ContextElements{Elements: []slack.MixedElement{}}},
		}}}, false},
		{"action-elements", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{
			slack.NewActionBlock("act", button, &full, &noType, nil, (*slack.ButtonBlockElement)(nil)), slack.NewActionBlock(""), &slack.ActionBlock{Type: slack.MBTAction},
			&slack.ActionBlock{Type: slack.MBTAction, Elements: &slack.BlockElements{ElementSet: []slack.BlockElement{}}},
		}}}, false},
		{"nil-message", (*slack.WebhookMessage)(nil), true},
		{"attachments", &slack.WebhookMessage{Text: "x", Attachments: []slack.Attachment{{Text: "a"}}}, true},
		{"divider", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}, true},
		{"header", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "H", false, false))}}}, true},
		{"section-value", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{*slack.NewSectionBlock(text("v"), nil, nil)}}}, true},
		{"accessory", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(text("a"), nil, slack.NewAccessory(button))}}}, true},
		{"context-image", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewContextBlock("", slack.NewImageBlockElement("https://i.invalid/x.png", "alt"))}}}, true},
		{"confirm", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewActionBlock("", &confirmed)}}}, true},
		{"select", &slack.WebhookMessage{Blocks: &slack.Blocks{BlockSet: []slack.Block{slack.NewActionBlock("", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain, "sel"))}}}, true},
		{"view-submission", slack.NewErrorsViewSubmissionResponse(map[string]string{"ref": "Give a reference <like INC-7>"}), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sameAsMarshal(t, tt.msg, tt.fallback)
			if tt.msg != nil {
				// Whichever way it is encoded, the HTTP answer is json.Marshal's.
				want, _ := json.Marshal(tt.msg)
				w := httptest.NewRecorder()
				answerSurface(t).writeAnswer(w, httptest.NewRequest(http.MethodPost, "/slack/commands", nil), "", "", tt.msg)
				if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), want) || w.Header().Get("Content-Type") != "application/json" {
					t.Fatalf("writeAnswer: %d %q\n got: %s\nwant: %s", w.Code, w.Header().Get("Content-Type"), w.Body.Bytes(), want)
				}
			}
		})
	}
}

// FuzzAnswerJSON: whatever the text, titles and labels, appendAnswer gives
// the bytes json.Marshal does, for a rendered reply and for raw text
// objects that render hasn't escaped.
func FuzzAnswerJSON(f *testing.F) {
	for _, s := range awkward[:11] {
		f.Add(s, "What falls due", "Log contact")
	}
	f.Add("*HPP-1* <@slack:U1> & <#slack:C1|x> <reason>", "a <title>", "label & \"co\"")
	f.Add("<@teams:29:abc> \u2028", "\xff\xfe", "\x00\x1f\x7f")
	s := answerSurface(f)
	f.Fuzz(func(t *testing.T, text, title, label string) {
		r := bot.Reply{
			Text:     text,
			Sections: []bot.Section{{Title: title, Text: text, Fields: []bot.Field{{Label: label, Value: text}}}, {Title: label, Text: title}},
			Note:     text,
			Buttons:  []bot.Button{{Label: label, Command: title}, {Label: title, Command: "status " + label, Style: "primary"}},
			Public:   len(text)%2 == 0,
		}
		sameAsMarshal(t, s.answer(context.Background(), r), false)
		raw := slack.NewButtonBlockElement(label, title, slack.NewTextBlockObject(slack.PlainTextType, label, true, false))
		raw.URL, raw.VisibleToUserIDs = text, []string{title, label}
		sameAsMarshal(t, &slack.WebhookMessage{
			Text: text, Channel: title, Username: label, ResponseType: label,
			Blocks: &slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), []*slack.TextBlockObject{slack.NewTextBlockObject(title, label, false, false)}, nil),
				slack.NewContextBlock(title, slack.NewTextBlockObject(slack.PlainTextType, text, false, false)),
				slack.NewActionBlock(label, raw),
			}},
		}, false)
	})
}
