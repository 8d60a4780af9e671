package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// One live nudge per case and person in Slack: each newer reminder to the
// named contact collapses the one before it by chat.update (one line, no
// buttons), and logging contact updates the live one to say so.
func TestANudgeIsUpdatedInPlaceInSlack(t *testing.T) {
	tb, _ := escalationBed(t)
	nudges := 0
	for _, c := range tb.slack.recorded("chat.postMessage") {
		if c.Form.Get("channel") == "U0LEAD" && strings.Contains(c.Form.Get("text"), "Contact with the family for *HPP-1*") {
			nudges++
		}
	}
	collapsed := 0
	for _, c := range tb.slack.recorded("chat.update") {
		if c.Form.Get("channel") == "U0LEAD" && c.Form.Get("text") == "Replaced by a newer reminder below." {
			collapsed++
			if bs := buttonsOf(t, c.Form.Get("blocks")); len(bs) != 0 {
				t.Errorf("a collapsed nudge kept buttons: %+v", bs)
			}
		}
	}
	if nudges < 2 || collapsed != nudges-1 {
		t.Fatalf("%d nudges, %d collapsed; want all but the latest collapsed", nudges, collapsed)
	}
	// The latest nudge's ts: the last post to the named contact about it.
	latest := tb.slack.lastTsOf("chat.postMessage", "U0LEAD", "Contact with the family for *HPP-1*")
	before := len(tb.slack.recorded("chat.update"))
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "contact HPP-1 via=phone Spoke with the family"), testSecret, time.Now()))
	if w.Code != http.StatusOK {
		t.Fatalf("contact: %d %s", w.Code, w.Body)
	}
	tb.settle()
	var logged bool
	for _, c := range tb.slack.recorded("chat.update")[before:] {
		if c.Form.Get("channel") == "U0LEAD" && c.Form.Get("ts") == latest && strings.Contains(c.Form.Get("text"), "contact logged by <@U0LEAD> at ") {
			logged = len(buttonsOf(t, c.Form.Get("blocks"))) == 0
		}
	}
	if !logged {
		t.Errorf("the live nudge (ts %s) was not updated to say the contact was logged: %+v", latest, tb.slack.recorded("chat.update")[before:])
	}
}
