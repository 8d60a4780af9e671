package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/store"
)

// interactionBody is an interactivity request's form body.
func interactionBody(t testing.TB, payload map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"payload": {string(raw)}}.Encode()
}

// submission is a view_submission of form with the given state values.
func (tb *testBed) submission(st formState, values map[string]map[string]any) map[string]any {
	meta, err := encodeState(st, true)
	if err != nil {
		tb.t.Fatal(err)
	}
	state := map[string]any{}
	for name, v := range values {
		state[name] = map[string]any{name: v}
	}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T0TEST"},
		"user":       map[string]any{"id": "U0LEAD", "name": "syn.lead"},
		"trigger_id": "1337.43.abcdef",
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": "hpp-form:" + st.Form.ID, "private_metadata": meta,
			"state": map[string]any{"values": state},
		},
	}
}

func text(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }
func choice(v string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
}
func date(v string) map[string]any { return map[string]any{"type": "datepicker", "selected_date": v} }
func users(ids ...string) map[string]any {
	return map[string]any{"type": "multi_users_select", "selected_users": ids}
}
func user(id string) map[string]any {
	return map[string]any{"type": "users_select", "selected_user": id}
}

func (tb *testBed) interact(payload map[string]any) *httptestResult {
	w := tb.serve(signed("/slack/interactivity", interactionBody(tb.t, payload), testSecret, time.Now()))
	return &httptestResult{code: w.Code, body: w.Body.String()}
}

type httptestResult struct {
	code int
	body string
}

func (tb *testBed) cases() []*caseView {
	tb.t.Helper()
	cs, err := tb.store.ListOpen(context.Background(), store.CaseFilter{All: true})
	if err != nil {
		tb.t.Fatal(err)
	}
	var out []*caseView
	for _, c := range cs {
		out = append(out, &caseView{Ref: c.Ref, Lead: c.Lead, Involved: c.Involved, Harm: string(c.Harm), Contacts: c.Contacts, Summary: c.Summary})
	}
	return out
}

type caseView struct {
	Ref, Lead, Harm, Summary string
	Involved                 []string
	Contacts                 int
}

func TestModalSubmission(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]map[string]any
		errors map[string]string // field -> fragment; nil: the form closes
		stored int
	}{
		{
			name: "a good form opens the case",
			values: map[string]map[string]any{
				"ref": text("INC-7"), "service": text("maternity"), "harm": choice("moderate"),
				"lead": user("U0ALEX"), "involved": users("U0SAM", "U0JO"), "aware": date(time.Now().Format("2006-01-02")),
				"candour": choice("auto"), "text": text("Fall on the ward\nafter a delayed escalation"),
			},
			stored: 1,
		},
		{
			name:   "an NHS number in the summary stays on the form",
			values: map[string]map[string]any{"ref": text("INC-7"), "text": text("Patient 999 000 0018 fell")},
			errors: map[string]string{"text": "Nothing was saved: that looks like it contains an NHS number (999"},
		},
		{
			name:   "a space in the incident reference",
			values: map[string]map[string]any{"ref": text("INC 7")},
			errors: map[string]string{"ref": "Please use one word here, without spaces — for example INC-1042."},
		},
		{
			name:   "a handler's mistake shown on its field",
			values: map[string]map[string]any{"ref": text("INC-7"), "aware": date("2099-01-05")},
			errors: map[string]string{"aware": "aware=2099-01-05 is in the future"},
		},
		{
			name:   "a reference the handler refuses",
			values: map[string]map[string]any{"ref": text("HPP-3")},
			errors: map[string]string{"ref": "looks like an hppbot case id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBed(t)
			st := formState{Form: bot.OpenForm(), Channel: "C0WARD", ResponseURL: tb.slack.responseURL()}
			res := tb.interact(tb.submission(st, tt.values))
			tb.settle()
			if res.code != http.StatusOK {
				t.Fatalf("status %d: %s", res.code, res.body)
			}
			cases := tb.cases()
			if len(cases) != tt.stored {
				t.Fatalf("%d cases stored, want %d", len(cases), tt.stored)
			}
			if tt.errors == nil {
				if res.body != "" {
					t.Fatalf("a good form should close with an empty answer, got %s", res.body)
				}
				c := cases[0]
				if c.Ref != "INC-7" || c.Lead != "slack:U0ALEX" || c.Harm != "moderate" || strings.Join(c.Involved, ",") != "slack:U0SAM,slack:U0JO" || !strings.HasPrefix(c.Summary, "Fall on the ward") {
					t.Fatalf("case stored from the form: %+v", c)
				}
				replies := tb.slack.recorded("response_url")
				if len(replies) != 1 || !strings.Contains(replies[0].JSON["text"].(string), "HPP-1 is open") || replies[0].JSON["response_type"] != "ephemeral" {
					t.Fatalf("want the confirmation through the response_url, got %v", tb.slack.recorded("response_url", "chat.postEphemeral", "chat.postMessage"))
				}
				if got := fmt.Sprint(replies[0].JSON); !strings.Contains(got, "Understood: harm moderate") {
					t.Errorf("the form's reply lacks the say-back: %s", got)
				}
				return
			}
			var answer struct {
				ResponseAction string            `json:"response_action"`
				Errors         map[string]string `json:"errors"`
			}
			if err := json.Unmarshal([]byte(res.body), &answer); err != nil {
				t.Fatalf("answer: %v: %s", err, res.body)
			}
			if answer.ResponseAction != "errors" || len(answer.Errors) != len(tt.errors) {
				t.Fatalf("want field errors %v, got %s", tt.errors, res.body)
			}
			for field, fragment := range tt.errors {
				if !strings.Contains(answer.Errors[field], fragment) {
					t.Errorf("error on %s: %q, want it to contain %q", field, answer.Errors[field], fragment)
				}
			}
			if sent := tb.slack.recorded("response_url", "chat.postMessage", "chat.postEphemeral"); len(sent) > 0 {
				t.Fatalf("a refused form sent messages: %v", sent)
			}
		})
	}
}

// openCase opens INC-7 as U0LEAD through the slash command.
func (tb *testBed) openCase() {
	tb.t.Helper()
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "open INC-7 harm=moderate Fall on the ward"), testSecret, time.Now()))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "HPP-1 is open") {
		tb.t.Fatalf("opening a case: %d %s", w.Code, w.Body)
	}
}

// press is a block_actions payload for one button.
func (tb *testBed) press(actionID, value string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U0LEAD", "name": "syn.lead"},
		"trigger_id": "1337.44.abcdef", "response_url": tb.slack.responseURL(),
		"channel":   map[string]any{"id": "D0LEAD"},
		"container": map[string]any{"type": "message", "channel_id": "D0LEAD", "message_ts": "1.2"},
		"actions":   []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b1", "value": value}},
	}
}

func TestRunButton(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	res := tb.interact(tb.press(actionRun+"1", "snooze HPP-1 1d"))
	tb.settle()
	if res.code != http.StatusOK || res.body != "" {
		t.Fatalf("want an empty acknowledgement, got %d %s", res.code, res.body)
	}
	replies := tb.slack.recorded("response_url")
	if len(replies) != 1 || !strings.Contains(replies[0].JSON["text"].(string), "snoozed") || replies[0].JSON["response_type"] != "ephemeral" {
		t.Fatalf("want the snooze confirmation to the presser, got %v", replies)
	}
}

func TestFormButtonOpensModalAndSubmissionLogsContact(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	msg := render(bot.Reply{Text: "Contact is due", Buttons: []bot.Button{
		{Label: "Log contact", Command: "contact HPP-1", Form: bot.ContactForm("HPP-1")},
	}}, nil, maxMessageBlocks)
	raw, _ := json.Marshal(msg.Blocks[len(msg.Blocks)-1])
	var actionsBlock struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &actionsBlock); err != nil || len(actionsBlock.Elements) != 1 {
		t.Fatalf("actions block: %s", raw)
	}
	el := actionsBlock.Elements[0]
	if !strings.HasPrefix(el.ActionID, actionForm) {
		t.Fatalf("a button with a form should open it: %s", raw)
	}
	tb.interact(tb.press(el.ActionID, el.Value))
	tb.settle()
	opens := tb.slack.recorded("views.open")
	if len(opens) != 1 {
		t.Fatalf("want views.open, got %v", tb.slack.methods())
	}
	view := opens[0].JSON["view"].(map[string]any)
	st, err := decodeState(view["private_metadata"].(string))
	if err != nil || st.Form.Command != "contact HPP-1" || st.Channel != "D0LEAD" || st.ResponseURL != tb.slack.responseURL() {
		t.Fatalf("modal state: %+v %v", st, err)
	}
	if view["callback_id"] != "hpp-form:contact" {
		t.Fatalf("callback: %v", view["callback_id"])
	}

	res := tb.interact(tb.submission(st, map[string]map[string]any{"via": choice("phone"), "next": text("7d"), "text": text("Spoke with the family")}))
	tb.settle()
	if res.body != "" {
		t.Fatalf("want the form to close, got %s", res.body)
	}
	if c := tb.cases(); len(c) != 1 || c[0].Contacts != 1 {
		t.Fatalf("contact not logged: %+v", c)
	}
	if r := tb.slack.recorded("response_url"); len(r) != 1 || !strings.Contains(r[0].JSON["text"].(string), "Contact logged for *HPP-1* (phone)") {
		t.Fatalf("reply: %v", r)
	}
}

func TestAppHome(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	event := `{"token":"x","team_id":"T0TEST","api_app_id":"A0TEST","type":"event_callback","event_id":"Ev1","event_time":1700000000,` +
		`"event":{"type":"app_home_opened","user":"U0LEAD","channel":"D0LEAD","tab":"home","event_ts":"1700000000.1"}}`
	w := tb.serve(signed("/slack/events", event, testSecret, time.Now()))
	tb.settle()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	pubs := tb.slack.recorded("views.publish")
	if len(pubs) != 1 || pubs[0].JSON["user_id"] != "U0LEAD" {
		t.Fatalf("want views.publish for U0LEAD, got %v", tb.slack.methods())
	}
	view, _ := json.Marshal(pubs[0].JSON["view"])
	for _, want := range []string{`"type":"home"`, "My open cases", "HPP-1", "INC-7", "Open a case"} {
		if !strings.Contains(string(view), want) {
			t.Errorf("home lacks %q: %s", want, view)
		}
	}
}
