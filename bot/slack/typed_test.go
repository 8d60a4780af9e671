package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway/pathwaytest"
)

func TestUnescape(t *testing.T) {
	const wj = wordJoiner
	tests := []struct{ in, want string }{
		{"no entities", "no entities"},
		{"Mum &amp; son; sats &lt; 90 &gt; later", "Mum & son; sats < 90 > later"},
		{"&amp;lt;as typed&amp;gt;", "&lt;as typed&gt;"},
		{"real <@U0SAM|syn.sam> and <#C0GEN|general> and <!here>", "real <@U0SAM|syn.sam> and <#C0GEN|general> and <!here>"},
		{"typed &lt;@U0BOSS&gt;", "typed <" + wj + "@U0BOSS>"},
		{"typed &lt;#C0GEN&gt; and &lt;!here&gt;", "typed <" + wj + "#C0GEN> and <" + wj + "!here>"},
		{"&lt;@U0BOSS|boss&gt; <@U0SAM>", "<" + wj + "@U0BOSS|boss> <@U0SAM>"},
		{"ends &lt;", "ends <"},
		{"&lt", "&lt"},
		{"&", "&"},
	}
	for _, tt := range tests {
		if got := unescape(tt.in); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInert(t *testing.T) {
	const wj = wordJoiner
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"sats < 90", "sats < 90"},
		{"<@U0BOSS> <#C0GEN> <!here>", "<" + wj + "@U0BOSS> <" + wj + "#C0GEN> <" + wj + "!here>"},
		{"<", "<"},
		{"<<@U1>", "<<" + wj + "@U1>"},
	}
	for _, tt := range tests {
		if got := inert(tt.in); got != tt.want {
			t.Errorf("inert(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// answerTexts is every "text" string in an answer's JSON, decoded.
func answerTexts(t *testing.T, body string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					b.WriteString(s + "\n")
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}

// Mentions typed by hand, in a slash command (which Slack escapes) and in a
// form (which it doesn't), stay text in the timeline; a mention picked from
// Slack's list stays a live mention.
func TestTypedMentionsStayInert(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	typed := "contact HPP-1 via=phone Agreed &lt;@U0BOSS&gt; and &lt;#C0GEN&gt; and &lt;!here&gt; are told; <@U0SAM|syn.sam> calls next"
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", typed), testSecret, time.Now()))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Contact logged") {
		t.Fatalf("contact: %d %s", w.Code, w.Body)
	}
	st := formState{Form: bot.ContactForm("HPP-1"), Channel: "C0WARD", ResponseURL: tb.slack.responseURL()}
	if res := tb.interact(tb.submission(st, map[string]map[string]any{"via": choice("meeting"), "text": text("Form note <@U0BOSS> <#C0GEN|general> <!channel>")})); res.body != "" {
		t.Fatalf("form: %s", res.body)
	}
	tb.settle()
	w = tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "timeline HPP-1"), testSecret, time.Now()))
	shown := answerTexts(t, w.Body.String())
	if !strings.Contains(shown, "<@U0SAM>") {
		t.Errorf("the real mention is no longer live:\n%s", shown)
	}
	for _, live := range []string{"<@U0BOSS", "<#C0GEN", "<!here", "<!channel"} {
		if strings.Contains(shown, live) {
			t.Errorf("typed %s…> became markup:\n%s", live, shown)
		}
	}
	for _, asText := range []string{"&lt;" + wordJoiner + "@U0BOSS&gt;", "&lt;" + wordJoiner + "#C0GEN&gt;", "&lt;" + wordJoiner + "!here&gt;", "&lt;" + wordJoiner + "#C0GEN|general&gt;"} {
		if !strings.Contains(shown, asText) {
			t.Errorf("typed text %q not shown as text:\n%s", asText, shown)
		}
	}
}

// FuzzTypedText: whatever a person types reaches the handlers as they typed
// it (Slack's escaping undone; word joiners aside) and holds no mention —
// neither as Slack sends it escaped (a slash command, a message) nor as a
// form sends it.
func FuzzTypedText(f *testing.F) {
	for _, s := range []string{"<@U0BOSS>", "<#C0GEN|general>", "<!here>", "&lt;@U1&gt;", "a < b > c & d", "<<@U1>>", "<@slack:U1>", "<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		for name, got := range map[string]string{"escaped": unescape(escape(typed)), "form": inert(typed)} {
			if m, ok := bot.NextMention(got, 0); ok {
				t.Fatalf("%s: %q reads as a mention: %q", name, typed, got[m.Start:m.End])
			}
			if strings.ReplaceAll(got, wordJoiner, "") != strings.ReplaceAll(typed, wordJoiner, "") {
				t.Fatalf("%s: %q came through as %q", name, typed, got)
			}
		}
	})
}

// A mention typed by hand is text to the identifier guard too: digits
// inside it are read. The same id picked from Slack's list is a mention,
// whose id is not.
func TestTypedMentionIsReadByTheGuard(t *testing.T) {
	nhs := pathwaytest.NHSNumber()
	for _, tt := range []struct {
		name, note string
		refused    bool
	}{
		{"typed", "Called &lt;@U" + nhs + "&gt; today", true},
		{"typed channel", "See &lt;#C" + nhs + "&gt;", true},
		{"picked from the list", "Called <@U" + nhs + "|syn.sam> today", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBed(t)
			tb.openCase()
			w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "contact HPP-1 via=phone "+tt.note), testSecret, time.Now()))
			tb.settle()
			if got := strings.Contains(w.Body.String(), "Nothing was saved"); got != tt.refused {
				t.Fatalf("refused=%v, want %v: %s", got, tt.refused, w.Body)
			}
			want := 1
			if tt.refused {
				want = 0
			}
			if c := tb.cases(); len(c) != 1 || c[0].Contacts != want {
				t.Fatalf("contacts: %+v", c)
			}
		})
	}
}
