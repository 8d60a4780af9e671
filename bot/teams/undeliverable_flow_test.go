package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store"
)

// From the connector's 403 to what people see: Teams refuses every post to
// one person's chat (their admin turned hppbot off); their reminders on two
// cases are recorded as not delivered over several days, their pathway
// lead is told once, in their own chat, and the state clears when the
// person next messages hppbot.
func TestATeams403IsRecordedAndTheLeadToldOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for id, conv := range map[string]string{"teams:aad-sam": "a:conv-sam", "teams:aad-pat": "a:conv-pat"} {
		ref := store.ConversationRef{ServiceURL: e.conn.serviceURL(), Tenant: testTenant, Bot: testBotID, User: "29:" + id, Channel: "msteams", Conversation: conv, Type: "personal"}
		if err := e.st.SaveConversationRef(ctx, id, ref); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "teams:aad-pat"}); err != nil {
		t.Fatal(err)
	}
	opened := time.Date(2026, 11, 25, 10, 0, 0, 0, e.p.Location())
	var cases []*pathway.Case
	for i := 0; i < 2; i++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i+1), Service: "maternity", Lead: "teams:aad-sam"}, "teams:aad-sam", e.p, opened)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateCase(ctx, c, e.p, ev); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	e.conn.refuseIn.Store("a:conv-sam", "BotDisabledByAdmin")

	var mu sync.Mutex
	now := opened
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setClock := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	s := scheduler.New(scheduler.Config{Store: e.st, Policy: e.p, Messenger: bot.Router{bot.Teams: e.s}, Clock: clock, Workers: 1})
	if err := s.RunDue(ctx, opened.AddDate(0, 0, 6), setClock); err != nil {
		t.Fatal(err)
	}

	told := 0
	for _, p := range e.conn.posts() {
		body, _ := json.Marshal(p.Body)
		if strings.Contains(p.Path, "a:conv-pat") && strings.Contains(string(body), "can't reach") {
			told++
			if !strings.Contains(string(body), "Teams admin") {
				t.Errorf("the lead's message should say how to fix it: %s", body)
			}
		}
	}
	if told != 1 {
		t.Fatalf("the pathway lead was told %d times that @sam can't be reached, want once", told)
	}
	for _, c := range cases {
		events, err := e.st.Timeline(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range events {
			if ev.Kind == pathway.EventUndelivered && strings.Contains(ev.Why, "Teams admin") {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%s: %d reminders recorded as not delivered, want each of them", c.Name(), n)
		}
	}
	if marked, err := e.st.Unreachable(ctx, "teams:aad-sam"); err != nil || !marked {
		t.Fatalf("marked = %v, %v", marked, err)
	}
	// Sam says hello in Teams (the admin has allowed the app again).
	e.conn.refuseIn.Delete("a:conv-sam")
	if code := e.post(t, e.personalMessage("9001", "help"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if marked, err := e.st.Unreachable(ctx, "teams:aad-sam"); err != nil || marked {
		t.Fatalf("marked = %v, %v; a message from @sam should clear it", marked, err)
	}
}
