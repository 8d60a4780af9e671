package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
)

// escalationBed is a Slack test bed with a maternity service whose pathway
// lead is U0PAT and channel C0MAT, a case HPP-1 opened there by U0LEAD
// through the slash command, and the real scheduler run until the case's
// unanswered reminders have escalated to the pathway lead in Slack.
func escalationBed(t *testing.T) (*testBed, []button) {
	t.Helper()
	tb := newTestBed(t)
	ctx := context.Background()
	if err := tb.store.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "slack:U0PAT", Channel: "slack:C0MAT"}); err != nil {
		t.Fatal(err)
	}
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "open INC-7 service=maternity harm=low Fall on the ward"), testSecret, time.Now()))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "HPP-1 is open") {
		t.Fatalf("opening a case: %d %s", w.Code, w.Body)
	}
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	s := scheduler.New(scheduler.Config{Store: tb.store, Policy: p, Messenger: bot.Router{bot.Slack: tb.surface}, Clock: clock, Workers: 1})
	if err := s.RunDue(ctx, now.Add(14*24*time.Hour), set); err != nil {
		t.Fatal(err)
	}
	tb.settle()
	for _, c := range tb.slack.recorded("chat.postMessage") {
		// The delivery queue posts to the person's user id (Slack opens the
		// direct message itself).
		if ch := c.Form.Get("channel"); (ch == "D0PAT" || ch == "U0PAT") && strings.Contains(c.Form.Get("text"), "heads-up") {
			return tb, buttonsOf(t, c.Form.Get("blocks"))
		}
	}
	t.Fatalf("no heads-up reached the pathway lead; Slack saw %v", tb.slack.methods())
	return nil, nil
}

type button struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Text     struct {
		Text string `json:"text"`
	} `json:"text"`
}

// buttonsOf reads the buttons out of a message's blocks.
func buttonsOf(t *testing.T, blocks string) []button {
	t.Helper()
	var bs []struct {
		Type     string   `json:"type"`
		Elements []button `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		t.Fatalf("blocks: %v: %s", err, blocks)
	}
	var out []button
	for _, b := range bs {
		if b.Type == "actions" {
			out = append(out, b.Elements...)
		}
	}
	return out
}

func find(t *testing.T, bs []button, label string) button {
	t.Helper()
	for _, b := range bs {
		if b.Text.Text == label {
			return b
		}
	}
	t.Fatalf("no %q button among %+v", label, bs)
	return button{}
}

// pressAs is a block_actions payload for one button, pressed by user in
// their direct message with hppbot.
func (tb *testBed) pressAs(user string, b button) map[string]any {
	p := tb.press(b.ActionID, b.Value)
	p["user"] = map[string]any{"id": user, "name": "syn.person"}
	p["channel"] = map[string]any{"id": "D" + strings.TrimPrefix(user, "U")}
	return p
}

func responses(tb *testBed) []string {
	var out []string
	for _, r := range tb.slack.recorded("response_url") {
		if s, ok := r.JSON["text"].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestEscalationButtonsInSlack(t *testing.T) {
	_, bs := escalationBed(t)
	labels := []string{}
	for _, b := range bs {
		labels = append(labels, b.Text.Text)
		// Every button carries the case id (a form's in its encoded state).
		if b.ActionID[:len(actionRun)] == actionRun && !strings.Contains(b.Value, "HPP-1") {
			t.Errorf("button %q carries %q, not the case id", b.Text.Text, b.Value)
		}
	}
	if strings.Join(labels, "|") != "I'll take it|Hand to…|Remind them tomorrow|Status" {
		t.Fatalf("escalation buttons %v", labels)
	}

	t.Run("I'll take it", func(t *testing.T) {
		tb, bs := escalationBed(t)
		before := len(tb.slack.recorded("chat.postMessage"))
		res := tb.interact(tb.pressAs("U0PAT", find(t, bs, "I'll take it")))
		tb.settle()
		if res.code != http.StatusOK {
			t.Fatalf("status %d %s", res.code, res.body)
		}
		if r := responses(tb); len(r) != 1 || !strings.Contains(r[0], "You're now the acting named contact for *HPP-1*") {
			t.Fatalf("reply to the pathway lead: %q", r)
		}
		var toLead, toChannel bool
		for _, c := range tb.slack.recorded("chat.postMessage")[before:] {
			switch c.Form.Get("channel") {
			case "D0LEAD", "U0LEAD": // the delivery queue posts to the user id
				toLead = toLead || strings.Contains(c.Form.Get("text"), "has taken on *HPP-1* (INC-7) as acting named contact")
			case "C0MAT":
				t.Errorf("a follow-up was posted to the channel; want its escalation post updated: %q", c.Form.Get("text"))
			}
		}
		// The escalation post itself says it is taken, its buttons gone.
		escalation := tb.slack.tsOf("chat.postMessage", "C0MAT", "overdue — contact with the family")
		for _, c := range tb.slack.recorded("chat.update") {
			if c.Form.Get("channel") == "C0MAT" && strings.Contains(c.Form.Get("text"), "*HPP-1* (maternity): the pathway lead has taken this on.") {
				toChannel = escalation != "" && c.Form.Get("ts") == escalation && len(buttonsOf(t, c.Form.Get("blocks"))) == 0
			}
		}
		if !toLead || !toChannel {
			t.Errorf("former named contact told %v, channel's post updated without buttons %v; want both (updates %v)", toLead, toChannel, tb.slack.recorded("chat.update"))
		}
		if c, err := tb.store.GetCase(context.Background(), 1); err != nil || c.Lead != "slack:U0PAT" {
			t.Errorf("named contact after I'll take it: %v %v", c, err)
		}
	})

	t.Run("I'll take it, pressed by someone else", func(t *testing.T) {
		tb, bs := escalationBed(t)
		tb.interact(tb.pressAs("U0LEAD", find(t, bs, "I'll take it")))
		tb.settle()
		if r := responses(tb); len(r) != 1 || !strings.Contains(r[0], "Only the maternity pathway lead") {
			t.Fatalf("reply to someone who may not take it: %q", r)
		}
		if c, err := tb.store.GetCase(context.Background(), 1); err != nil || c.Lead != "slack:U0LEAD" {
			t.Errorf("named contact moved: %v %v", c, err)
		}
	})

	t.Run("Hand to…", func(t *testing.T) {
		tb, bs := escalationBed(t)
		b := find(t, bs, "Hand to…")
		if !strings.HasPrefix(b.ActionID, actionForm) {
			t.Fatalf("Hand to… should open a form: %+v", b)
		}
		tb.interact(tb.pressAs("U0PAT", b))
		tb.settle()
		opens := tb.slack.recorded("views.open")
		if len(opens) != 1 {
			t.Fatalf("want views.open, got %v", tb.slack.methods())
		}
		view := opens[0].JSON["view"].(map[string]any)
		raw, _ := json.Marshal(view["blocks"])
		if !strings.Contains(string(raw), `"users_select"`) {
			t.Errorf("the modal has no people picker: %s", raw)
		}
		st, err := decodeState(view["private_metadata"].(string))
		if err != nil || st.Form.Command != "lead HPP-1" {
			t.Fatalf("modal state: %+v %v", st, err)
		}
		sub := tb.submission(st, map[string]map[string]any{"to": user("U0ALEX")})
		sub["user"] = map[string]any{"id": "U0PAT", "name": "syn.pat"}
		res := tb.interact(sub)
		tb.settle()
		if res.body != "" {
			t.Fatalf("want the form to close, got %s", res.body)
		}
		if c, err := tb.store.GetCase(context.Background(), 1); err != nil || c.Lead != "slack:U0ALEX" {
			t.Fatalf("named contact after Hand to…: %v %v", c, err)
		}
		if r := responses(tb); len(r) != 1 || !strings.Contains(r[0], "is now the named contact for *HPP-1*") {
			t.Errorf("reply: %q", r)
		}
	})

	t.Run("Remind them tomorrow", func(t *testing.T) {
		tb, bs := escalationBed(t)
		tb.interact(tb.pressAs("U0PAT", find(t, bs, "Remind them tomorrow")))
		tb.settle()
		if r := responses(tb); len(r) != 1 || !strings.Contains(r[0], "are snoozed until") {
			t.Fatalf("reply: %q", r)
		}
		c, err := tb.store.GetCase(context.Background(), 1)
		if err != nil || c.SnoozedUntil.IsZero() {
			t.Fatalf("not snoozed: %v %v", c, err)
		}
	})
	t.Run("I'll take it over Socket Mode", func(t *testing.T) {
		tb, bs := escalationBed(t)
		b := find(t, bs, "I'll take it")
		ack := &acks{}
		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: "U0PAT", Name: "syn.pat"},
			Channel:     slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: "D0PAT"}}},
			ResponseURL: tb.slack.responseURL(), TriggerID: "1337.46.abc",
			ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: b.ActionID, Value: b.Value}}}}
		tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb,
			Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-take"}})
		tb.settle()
		if got := ack.all(); len(got) != 1 || got[0].EnvelopeID != "env-take" {
			t.Fatalf("acks: %+v", got)
		}
		if c, err := tb.store.GetCase(context.Background(), 1); err != nil || c.Lead != "slack:U0PAT" {
			t.Fatalf("named contact after I'll take it over Socket Mode: %v %v", c, err)
		}
		if r := responses(tb); len(r) != 1 || !strings.Contains(r[0], "You're now the acting named contact for *HPP-1*") {
			t.Errorf("reply: %q", r)
		}
	})
}
