package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"hppbot/store/storetest"
)

// validCards fails t for every card posted that doesn't validate.
func validCards(t *testing.T, posts []sent) {
	t.Helper()
	for _, p := range posts {
		atts, _ := p.Body["attachments"].([]any)
		for _, a := range atts {
			att, _ := a.(map[string]any)
			if att["contentType"] != cardType {
				continue
			}
			card, _ := att["content"].(map[string]any)
			for _, prob := range cardProblems(card) {
				t.Errorf("a card posted to %s doesn't validate: %s", p.Path, prob)
			}
		}
	}
}

// Issue 20, item 4: Markdown and <at> typed into a note are shown as text,
// wherever the note is shown, and every card validates.
func TestTypedMarkupIsShownAsText(t *testing.T) {
	e := newEnv(t)
	say := func(id, text string) string {
		t.Helper()
		before := len(e.conn.posts())
		if code := e.post(t, e.personalMessage(id, text), e.bearer(t)); code != http.StatusOK {
			t.Fatalf("%s: status %d", text, code)
		}
		var b strings.Builder
		for _, p := range e.conn.posts()[before:] {
			for _, s := range blockTexts(p.Body) {
				b.WriteString(s + "\n")
			}
		}
		return b.String()
	}
	// Teams sends what was typed as HTML: a typed <at> arrives escaped.
	const typed = "Please [Verify here](https://evil.example) **urgent** _now_ &lt;at&gt;Sam&lt;/at&gt; said ok"
	// In a summary (shown by status) and a note (shown by timeline).
	say("m1", "open INC-7 harm=low "+typed)
	logged := say("m2", "contact HPP-1 via=phone "+typed)
	if !strings.Contains(logged, "Contact logged") {
		t.Fatalf("the note was not logged:\n%s", logged)
	}
	for _, view := range []string{"timeline HPP-1", "status HPP-1"} {
		got := say("m-"+view, view)
		if !strings.Contains(got, `\[Verify here\](https://evil.example)`) {
			t.Errorf("%s: the typed link is not escaped:\n%s", view, got)
		}
		if strings.Contains(got, "[Verify here](") {
			t.Errorf("%s: a masked link reached the card:\n%s", view, got)
		}
		if !strings.Contains(got, `\*\*urgent\*\* \_now\_`) {
			t.Errorf("%s: typed emphasis is not escaped:\n%s", view, got)
		}
		if !strings.Contains(got, "<\u2060at>Sam<\u2060/at>") || strings.Contains(got, "<at>Sam</at>") {
			t.Errorf("%s: a typed <at> is a tag:\n%s", view, got)
		}
	}
	validCards(t, e.conn.posts())
	// What is stored is what was typed.
	kept := false
	for _, c := range storetest.Contents(t, e.st) {
		if strings.Contains(c, "[Verify here](https://evil.example) **urgent** _now_") {
			kept = true
		}
	}
	if !kept {
		t.Error("the note is not stored as typed")
	}
}

// Mention markup typed by hand is text: it mentions nobody, and the guard
// reads what is inside it.
func TestTypedMentionsStayText(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.st.Names().Remember(ctx, "teams:aad-boss", "Boss Person")
	post := func(id, text string) string {
		t.Helper()
		before := len(e.conn.posts())
		if code := e.post(t, e.personalMessage(id, text), e.bearer(t)); code != http.StatusOK {
			t.Fatalf("%s: status %d", text, code)
		}
		var b strings.Builder
		for _, p := range e.conn.posts()[before:] {
			b.WriteString(strings.Join(blockTexts(p.Body), "\n"))
			if ms, ok := p.Body["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)["msteams"].(map[string]any); ok && ms["entities"] != nil {
				raw, _ := json.Marshal(ms["entities"])
				if strings.Contains(string(raw), "aad-boss") {
					t.Errorf("a typed mention became a real one: %s", raw)
				}
			}
		}
		return b.String()
	}
	post("t1", "open INC-7 harm=low Fall on ward 4")
	if got := post("t2", "contact HPP-1 via=phone told &lt;@teams:aad-boss&gt; about it"); !strings.Contains(got, "Contact logged") {
		t.Fatalf("note not logged: %s", got)
	}
	if got := post("t3", "timeline HPP-1"); !strings.Contains(got, "told <\u2060@teams:aad-boss> about it") || strings.Contains(got, "Boss Person") {
		t.Errorf("the typed mention is not shown as typed:\n%s", got)
	}
	// An identifier dressed as mention markup is refused, and not stored.
	for i, typed := range []string{"&lt;@teams:9434765919&gt;", "&lt;@U9434765919&gt;", "&lt;#teams:9434765919&gt;"} {
		got := post("t4"+strconv.Itoa(i), "contact HPP-1 via=phone spoke about "+typed)
		if !strings.Contains(got, "Nothing was saved") {
			t.Errorf("%s was not refused: %s", typed, got)
		}
	}
	for _, c := range storetest.Contents(t, e.st) {
		if strings.Contains(c, "9434765919") {
			t.Errorf("an identifier reached Redis: %s", c)
		}
	}
}

// Every card the commands people use most answer with validates.
func TestEveryCardValidates(t *testing.T) {
	e := newEnv(t)
	for i, line := range []string{
		"help", "open", "open INC-7 harm=moderate Fall on ward 4", "status HPP-1", "timeline HPP-1",
		"export HPP-1", "checkin", "checkin history", "contact HPP-1", "prompt first-contact", "involve HPP-1", "nonsense",
	} {
		if code := e.post(t, e.personalMessage("v"+string(rune('a'+i)), line), e.bearer(t)); code != http.StatusOK {
			t.Fatalf("%s: status %d", line, code)
		}
	}
	if n := len(e.conn.posts()); n < 12 {
		t.Fatalf("only %d posts", n)
	}
	validCards(t, e.conn.posts())
}
