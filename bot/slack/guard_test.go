package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"hppbot/bot"
	"hppbot/pathway/pathwaytest"
	"hppbot/store/storetest"
)

// Issue 20, item 2: identifiers written with other characters were stored
// through Slack. Each one is refused through the HTTP handler and through
// Socket Mode, in a new case, a contact note and the open form, and a scan
// of Redis finds none of them.
func TestIdentifierVariantsAreRefused(t *testing.T) {
	tb := newTestBed(t)
	ctx := context.Background()
	ack := &acks{}

	// answer sends a slash command one way or the other and returns all
	// that came back: the acknowledgement, and anything sent later to the
	// response_url.
	envelope := 0
	answer := func(socket bool, text string) string {
		t.Helper()
		before := len(tb.slack.recorded("response_url"))
		var got string
		if socket {
			envelope++
			cmd := slack.SlashCommand{UserID: "U0LEAD", UserName: "syn.lead", ChannelID: "C0WARD", Command: "/hpp",
				Text: text, ResponseURL: tb.slack.responseURL(), TriggerID: "1337.46.abc"}
			id := fmt.Sprintf("env-%d", envelope)
			tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
				Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: id}})
			tb.settle()
			for _, a := range ack.all() {
				if a.EnvelopeID == id {
					raw, _ := json.Marshal(a.Payload)
					got = string(raw)
				}
			}
		} else {
			w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", text), testSecret, time.Now()))
			tb.settle()
			got = w.Body.String()
		}
		for _, c := range tb.slack.recorded("response_url")[before:] {
			raw, _ := json.Marshal(c.JSON)
			got += string(raw)
		}
		return got
	}

	if got := answer(false, "open INC-7 harm=moderate Fall on the ward"); !strings.Contains(got, "HPP-1 is open") {
		t.Fatalf("the first case was not opened: %s", got)
	}
	// A note the guard lets through, with invisible and full-width
	// characters of its own, to show the scan below sees stored text.
	kept := "Spoke\u200b with the family on ward ４ \u00a0today"
	if got := answer(true, "contact HPP-1 via=phone "+kept); !strings.Contains(got, "Contact logged") {
		t.Fatalf("an ordinary note was not logged: %s", got)
	}

	variants := pathwaytest.Variants()
	for _, v := range variants {
		for _, socket := range []bool{false, true} {
			for _, line := range []string{
				"open INC-8 harm=low Patient " + v.Text + " fell",
				"contact HPP-1 via=phone Spoke with the family, " + v.Text,
			} {
				got := answer(socket, line)
				if !strings.Contains(got, "Nothing was saved") {
					t.Errorf("%s (socket mode %v): %q was not refused: %s", v.Name, socket, line, got)
				}
			}
		}
	}
	// The open form, submitted through Socket Mode: each field is checked.
	for _, v := range variants {
		st := formState{Form: bot.OpenForm(), Channel: "C0WARD"}
		meta, _ := encodeState(st, true)
		envelope++
		id := fmt.Sprintf("env-%d", envelope)
		cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: "U0LEAD"},
			View: slack.View{CallbackID: "hpp-form:open", PrivateMetadata: meta, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
				"ref": {"ref": {Value: "INC-9"}}, "text": {"text": {Value: "Patient " + v.Text + " fell"}},
			}}}}
		tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb,
			Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: id}})
		tb.settle()
		var got string
		for _, a := range ack.all() {
			if a.EnvelopeID == id {
				raw, _ := json.Marshal(a.Payload)
				got = string(raw)
			}
		}
		if !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, "Nothing was saved") {
			t.Errorf("%s: the open form was not refused: %s", v.Name, got)
		}
	}
	if n := tb.openCases(); n != 1 {
		t.Errorf("%d cases stored, want 1", n)
	}

	contents := storetest.Contents(t, tb.store)
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
