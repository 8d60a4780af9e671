package teams

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hppbot/pathway/pathwaytest"
	"hppbot/store/storetest"
)

// Issue 20, item 2: identifiers written with other characters were stored
// through Teams. Each one is refused through the messaging endpoint, in a
// new case and in a contact note, and a scan of Redis finds none of them.
func TestIdentifierVariantsAreRefused(t *testing.T) {
	e := newEnv(t)
	id := 5000
	answer := func(text string) string {
		t.Helper()
		id++
		before := len(e.conn.posts())
		if code := e.post(t, e.personalMessage(fmt.Sprint(id), text), e.bearer(t)); code != http.StatusOK {
			t.Fatalf("%q: status %d", text, code)
		}
		var got strings.Builder
		for _, p := range e.conn.posts()[before:] {
			got.WriteString(cardText(p.Body))
		}
		return got.String()
	}

	if got := answer("open INC-7 harm=moderate Fall on the ward"); !strings.Contains(got, "HPP-1 is open") {
		t.Fatalf("the first case was not opened: %s", got)
	}
	// A note the guard lets through, with invisible and full-width
	// characters of its own, to show the scan below sees stored text.
	kept := "Spoke\u200b with the family on ward ４ today"
	if got := answer("contact HPP-1 via=phone " + kept); !strings.Contains(got, "Contact logged") {
		t.Fatalf("an ordinary note was not logged: %s", got)
	}

	variants := pathwaytest.Variants()
	for _, v := range variants {
		for _, line := range []string{
			"open INC-8 harm=low Patient " + v.Text + " fell",
			"contact HPP-1 via=phone Spoke with the family, " + v.Text,
		} {
			if got := answer(line); !strings.Contains(got, "Nothing was saved") {
				t.Errorf("%s: %q was not refused: %s", v.Name, line, got)
			}
		}
	}
	if _, err := e.st.GetCase(t.Context(), 2); err == nil {
		t.Error("a refused command opened a case")
	}

	contents := storetest.Contents(t, e.st)
	found := false
	for _, c := range contents {
		if strings.Contains(c, kept) {
			found = true
		}
		for _, v := range variants {
			for _, needle := range append([]string{v.Text}, v.Plain...) {
				if strings.Contains(c, needle) {
					t.Errorf("%s: Redis holds %q: %.200q", v.Name, needle, c)
				}
			}
		}
	}
	if !found {
		t.Fatalf("the scan of %d keys and values did not find the note that was kept, so it proves nothing", len(contents))
	}
}

// Issue 20, item 3: a note mentioning a colleague was refused when the
// digits of their Entra object id read as an NHS number.
func TestNoteMentioningAColleagueIsKept(t *testing.T) {
	e := newEnv(t)
	const objectID = "aaaa9990-0000-18bb-8ccc-dddddddddddd" // its digits read as 999 000 0018
	e.conn.members["29:user-jo"] = member{ID: "29:user-jo", Name: "Jo Bloggs", AADObjectID: objectID}
	if code := e.post(t, e.personalMessage("6001", "open INC-7 harm=moderate Fall on the ward"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	jo := map[string]any{"type": "mention", "text": "<at>Jo Bloggs</at>", "mentioned": map[string]any{"id": "29:user-jo", "name": "Jo Bloggs"}}
	before := len(e.conn.posts())
	act := e.channelMessage("6002", "contact HPP-1 via=phone agreed that <at>Jo Bloggs</at> calls next", jo)
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	var got strings.Builder
	for _, p := range e.conn.posts()[before:] {
		got.WriteString(cardText(p.Body))
	}
	if !strings.Contains(got.String(), "Contact logged") || strings.Contains(got.String(), "Nothing was saved") {
		t.Fatalf("the note was not kept: %s", got.String())
	}
	kept := false
	for _, c := range storetest.Contents(t, e.st) {
		if strings.Contains(c, "agreed that") && strings.Contains(c, "teams:"+objectID) { // < and > are escaped in JSON
			kept = true
		}
	}
	if !kept {
		t.Error("the note with Jo's mention is not in Redis")
	}
}
