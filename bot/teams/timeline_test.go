package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// A 300-event case's timeline in Teams is one page of its latest events:
// one card within the size limit, pointing back to older pages and to
// export, written as Teams people type commands (it used to be as many cards as the whole timeline filled).
func TestLongTimelineIsOneCard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if code := e.post(t, e.personalMessage("3001", "open INC-300 harm=moderate Fall on ward 4"), e.bearer(t)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	old, err := e.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := old.Clone()
	var events []pathway.Event
	for i := range 299 {
		ev, err := c.LogContact(pathway.ContactInput{Via: "phone", Note: fmt.Sprintf("Call %d: spoke with the family about the review and when we next meet", i+1)},
			"teams:aad-sam", e.p, time.Now().Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	if err := e.st.SaveCase(ctx, old, c, e.p, events...); err != nil {
		t.Fatal(err)
	}
	before := len(e.conn.posts())
	if code := e.post(t, e.personalMessage("3002", "timeline HPP-1"), e.bearer(t)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	posts := e.conn.posts()[before:]
	if len(posts) != 1 {
		t.Fatalf("want one card, got %d posts", len(posts))
	}
	card := posts[0].Body["attachments"].([]any)[0].(map[string]any)["content"]
	raw, _ := json.Marshal(card)
	if len(raw) > maxCardBytes+1024 {
		t.Errorf("the card is %d bytes, past the limit of %d", len(raw), maxCardBytes)
	}
	text := cardText(posts[0].Body)
	for _, want := range []string{"300 events, oldest first; showing events 251–300, page 1 of 6", "(entry 300)", "(entry 251)", "Older events: hpp timeline HPP-1 page=2.", "The whole record, every event: hpp export HPP-1."} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q", want)
		}
	}
	if strings.Contains(text, "(entry 250)") {
		t.Errorf("the card shows entry 250, from page 2")
	}
	t.Logf("300-event timeline in Teams: one card of %d bytes", len(raw))
}
