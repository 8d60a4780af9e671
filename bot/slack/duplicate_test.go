package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

// replyButtons returns the run buttons (action id → value) of a recorded
// message's blocks.
func replyButtons(t *testing.T, msg map[string]any) map[string]string {
	t.Helper()
	raw, err := json.Marshal(msg["blocks"])
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type     string           `json:"type"`
		Elements []map[string]any `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			label, _ := e["text"].(map[string]any)["text"].(string)
			id, _ := e["action_id"].(string)
			value, _ := e["value"].(string)
			out[label] = id + "\x00" + value
		}
	}
	return out
}

// A second case for an open reference, from the modal: the form closes, the
// question comes back with its buttons, nothing is opened until the
// "Open another case" button is pressed.
func TestModalOpenForAnOpenReferenceAsksFirst(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase() // INC-7, as HPP-1
	st := formState{Form: bot.OpenForm(), Channel: "C0WARD", ResponseURL: tb.slack.responseURL()}
	res := tb.interact(tb.submission(st, map[string]map[string]any{"ref": text("INC-7"), "harm": choice("moderate"), "text": text("A second fall")}))
	tb.settle()
	if res.code != http.StatusOK || res.body != "" {
		t.Fatalf("want the form to close, got %d %s", res.code, res.body)
	}
	if n := len(tb.cases()); n != 1 {
		t.Fatalf("%d cases open after the question, want 1", n)
	}
	replies := tb.slack.recorded("response_url")
	if len(replies) != 1 {
		t.Fatalf("want the question through the response_url, got %v", tb.slack.methods())
	}
	q := replies[0].JSON
	if !strings.Contains(q["text"].(string), "INC-7 is already open as HPP-1 — open another case for it?") || q["response_type"] != "ephemeral" {
		t.Fatalf("question: %v", q)
	}
	buttons := replyButtons(t, q)
	another, ok := buttons["Open another case"]
	if !ok {
		t.Fatalf("no Open another case button: %v", buttons)
	}
	id, value, _ := strings.Cut(another, "\x00")
	if value != "open INC-7 again=yes harm=moderate A second fall" {
		t.Fatalf("the button runs %q", value)
	}
	tb.interact(tb.press(id, value))
	tb.settle()
	cases := tb.cases()
	if len(cases) != 2 || cases[1].Summary != "A second fall" {
		t.Fatalf("after the button: %+v", cases)
	}
}

// The reference works where Slack people type a case id.
func TestSlashCommandByReference(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "status inc-7"), testSecret, time.Now()))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "HPP-1") || !strings.Contains(w.Body.String(), "Named contact") {
		t.Fatalf("status inc-7: %d %s", w.Code, w.Body)
	}
}
