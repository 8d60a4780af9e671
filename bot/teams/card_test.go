package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hppbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tinyPNG is a 2×2 picture, standing in for a chart.
var tinyPNG = func() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.NRGBA{0, 94, 184, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// golden compares v, as indented JSON, with testdata/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, b.String())
	}
}

func TestRenderGolden(t *testing.T) {
	names := map[string]string{"teams:aad-sam": "Sam Example", "slack:U1": "Alex Slack", "teams:aad-jo": "Jo <Bloggs>"}
	channels := map[string]string{"teams:19:mat@thread.tacv2": "Maternity safety"}
	contact := bot.ContactForm("HPP-3")
	tests := []struct {
		name string
		r    bot.Reply
		o    renderOpts
	}{
		{"opened", bot.Reply{
			Text: "*HPP-3 is open* — INC-7 · moderate harm\nNamed contact for the family: <@teams:aad-sam>. Staff involved: <@teams:aad-jo>, <@slack:U1> and <@teams:aad-unknown>.",
			Sections: []bot.Section{
				{Title: "What falls due", Text: "• First contact with the family: by Tue 3 Mar, 10:00\n• Duty of Candour notification: by the end of Mon 16 Mar"},
				{Title: "Before the first conversation", Text: "Think about who should be there.\nWhen you have spoken, log it: /hpp contact HPP-3 via=phone next=7d <a short note>"},
			},
			Buttons: []bot.Button{
				{Label: "Log contact", Command: "contact HPP-3", Style: "primary", Form: contact},
				{Label: "Status", Command: "status HPP-3"},
				{Label: "Close", Command: "close HPP-3", Style: "danger"},
			},
		}, renderOpts{names: names, channels: channels}},
		{"status-fields", bot.Reply{
			Text:     "*HPP-3* — INC-7",
			Sections: []bot.Section{{Fields: []bot.Field{{Label: "Named contact", Value: "<@teams:aad-sam>"}, {Label: "Channel", Value: "<#teams:19:mat@thread.tacv2>"}, {Label: "Other", Value: "<#teams:19:other@thread.tacv2>"}}}},
			Note:     "Only you can see this.",
		}, renderOpts{names: names, channels: channels}},
		{"checkin", bot.Reply{
			Text:    "How are you doing after the incident on *HPP-3*? Whatever you answer stays between you and hppbot.",
			Buttons: []bot.Button{{Label: "I'm OK", Command: "checkin answer ok"}, {Label: "I'd like to talk to someone", Command: "checkin answer talk"}},
		}, renderOpts{}},
		{"open-form", bot.Reply{Text: "To open a harm case, type: /hpp open <ref>", Form: bot.OpenForm()}, renderOpts{names: names, viewer: "teams:aad-sam"}},
		{"files-personal", bot.Reply{Text: "The candour record for *HPP-3*.", Files: []bot.File{
			{Name: "HPP-3-timeline.csv", Type: "text/csv", Title: "HPP-3 timeline", Data: []byte("a,b\n")},
			{Name: "chart.png", Type: "image/png", Data: tinyPNG},
		}}, renderOpts{personal: true, line: "export HPP-3", pending: map[int]string{0: "pending-1"}}},
		{"files-channel", bot.Reply{Text: "The candour record for *HPP-3*.", Files: []bot.File{
			{Name: "../HPP-3 timeline.md", Type: "text/markdown", Data: []byte("# x\n")},
		}}, renderOpts{line: "export HPP-3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acts := renderReply(tc.r, tc.o)
			golden(t, tc.name, acts)
			for _, a := range acts {
				for _, att := range a.Attachments {
					if att.ContentType != cardType {
						continue
					}
					checkCard(t, att.Content.(object))
				}
			}
		})
	}
}

// checkCard checks what Teams needs of a card: version 1.4, wrapped text,
// and a mention entity for every <at>…</at>.
func checkCard(t *testing.T, c object) {
	t.Helper()
	if c["type"] != "AdaptiveCard" || c["version"] != cardVersion {
		t.Errorf("card type %v version %v", c["type"], c["version"])
	}
	data, _ := json.Marshal(c["body"])
	ms, _ := c["msteams"].(object)
	ents, _ := ms["entities"].([]object)
	for _, e := range ents {
		tag := e["text"].(string)
		q, _ := json.Marshal(tag)
		if !bytes.Contains(data, bytes.Trim(q, `"`)) {
			t.Errorf("entity %s is not in the card", tag)
		}
	}
	if n := bytes.Count(data, []byte(`\u003cat\u003e`)); n > 0 && len(ents) == 0 {
		t.Errorf("%d <at> tags but no entities", n)
	}
	if len(data) > maxCardBytes {
		t.Errorf("card body is %d bytes, over the limit", len(data))
	}
	for _, p := range cardProblems(c) {
		t.Errorf("card doesn't validate: %s", p)
	}
}

func TestLongRepliesAreSplit(t *testing.T) {
	var lines []string
	for i := 0; i < 400; i++ {
		lines = append(lines, "• Mon 2 Mar, 10:00 — Sam Example logged contact by phone; next due in 7 days")
	}
	r := bot.Reply{
		Text:     "Timeline of *HPP-3*",
		Sections: []bot.Section{{Text: strings.Join(lines[:200], "\n")}, {Text: strings.Join(lines[200:], "\n")}},
		Buttons:  []bot.Button{{Label: "Export", Command: "export HPP-3"}},
	}
	acts := renderReply(r, renderOpts{})
	if len(acts) < 2 {
		t.Fatalf("%d cards for a long reply, want several", len(acts))
	}
	total := 0
	for i, a := range acts {
		c := a.Attachments[0].Content.(object)
		checkCard(t, c)
		_, hasActions := c["actions"]
		if hasActions != (i == len(acts)-1) {
			t.Errorf("card %d: actions=%v; buttons belong on the last card only", i, hasActions)
		}
		data, _ := json.Marshal(c)
		body, _ := json.Marshal(c["body"]) // the body: fallbackText and speak repeat its opening words
		total += bytes.Count(body, []byte("logged contact"))
		if len(data) > maxCardBytes+1000 {
			t.Errorf("card %d is %d bytes", i, len(data))
		}
	}
	if total != 400 {
		t.Errorf("%d of 400 lines made it into the cards", total)
	}
	// One enormous paragraph is shortened, not dropped.
	huge := renderReply(bot.Reply{Text: strings.Repeat("word ", 20000)}, renderOpts{})
	data, _ := json.Marshal(huge[0].Attachments[0].Content)
	if len(huge) != 1 || len(data) > maxCardBytes+1000 || !bytes.Contains(data, []byte("too long to show in full")) {
		t.Errorf("huge paragraph: %d cards, %d bytes", len(huge), len(data))
	}
}

func TestMarkup(t *testing.T) {
	w := &markup{o: renderOpts{names: map[string]string{"teams:aad-sam": "Sam Example", "console:kim": "Kim"}}}
	tests := []struct{ in, want string }{
		{"*HPP-3* is open", "**HPP-3** is open"},
		{"by <@teams:aad-sam>", "by <at>Sam Example</at>"},
		{"by <@teams:aad-sam|Sam>", "by <at>Sam Example</at>"},
		{"by <@console:kim>", "by Kim"},
		{"by <@teams:nobody>", "by a colleague"},
		{"in <#teams:19:x>", "in the team channel"},
		{"in <#slack:C1>", "in the service channel"},
		{"2 * 3 = 6", "2 * 3 = 6"},
		{"Type /hpp help, or (/hpp open). Not a/hpp or /hppx.", "Type hpp help, or (hpp open). Not a/hpp or /hppx."},
		// What someone typed, quoted, is shown as typed (issue 20, item 4).
		{"Note: “[Verify here](https://evil.example)”", `Note: “\[Verify here\](https://evil.example)”`},
		{"Note: “**urgent** and *this* and _that_”", `Note: “\*\*urgent\*\* and \*this\* and \_that\_”`},
		{"Note: “~~gone~~ `code` back\\slash”", "Note: “\\~\\~gone\\~\\~ \\`code\\` back\\\\slash”"},
		{"Note: “a ” inside *it*” then *bold*", `Note: “a ” inside \*it\*” then **bold**`},
		{"Note: “agreed that <@teams:aad-sam> calls”", "Note: “agreed that <at>Sam Example</at> calls”"},
		{"Note: “<at>Sam</at> and <AT>x</At>”", "Note: “<\u2060at>Sam<\u2060/at> and <\u2060AT>x<\u2060/At>”"},
		{"Summary: “snake_case_name”", `Summary: “snake\_case\_name”`},
		// Outside quotes, links, underscores and <at> are text too; *bold* is hppbot's.
		{"INC_7 [x](https://evil.example) <at>Sam</at> *bold*", "INC\\_7 \\[x\\](https://evil.example) <\u2060at>Sam<\u2060/at> **bold**"},
		// A line that would start a list.
		{"- not a list", `\- not a list`},
		{"+ not a list", `\+ not a list`},
		{"* not a list", `\* not a list`},
		{"12. not a list", `12\. not a list`},
		{"3) not a list", `3\) not a list`},
		{"# not a heading", `\# not a heading`},
		{"-1 °C is fine", "-1 °C is fine"},
		{"2026-03-02 is fine", "2026-03-02 is fine"},
	}
	for _, tc := range tests {
		if got := w.rich(tc.in); got != tc.want {
			t.Errorf("rich(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	blocks := w.textBlocks("Intro line\nsecond line\n• one\n• two\n\nAfter", nil)
	var texts []string
	for _, b := range blocks {
		texts = append(texts, b["text"].(string))
	}
	want := []string{"Intro line\n\nsecond line", "- one\r- two", "After"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("blocks = %q, want %q", texts, want)
	}
}
