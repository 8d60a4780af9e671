package teams

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
)

// personalMessageFrom is a message in a personal chat from another
// synthetic person.
func (e *env) personalMessageFrom(id, text, who string) map[string]any {
	act := e.personalMessage(id, text)
	act["from"] = map[string]any{"id": "29:user-" + who, "name": who + " Example", "aadObjectId": "aad-" + who}
	act["conversation"] = map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-" + who}
	return act
}

// actionsOf lists a card's top-level actions.
func actionsOf(body map[string]any) []map[string]any {
	var out []map[string]any
	for _, a := range body["attachments"].([]any) {
		card := a.(map[string]any)["content"].(map[string]any)
		acts, _ := card["actions"].([]any)
		for _, x := range acts {
			out = append(out, x.(map[string]any))
		}
	}
	return out
}

// TestEscalationButtonsInTeams runs the real scheduler until a case's
// unanswered reminders escalate to the pathway lead in Teams, then presses
// the card's Hand to… (a people picker), I'll take it and Remind them
// tomorrow through the real activity handler.
func TestEscalationButtonsInTeams(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "teams:aad-pat"}); err != nil {
		t.Fatal(err)
	}
	// The pathway lead has said hello, so hppbot can write to them.
	if code := e.post(t, e.personalMessageFrom("6001", "help", "pat"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if code := e.post(t, e.personalMessage("6002", "open INC-7 service=maternity harm=low Fall on the ward"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	s := scheduler.New(scheduler.Config{Store: e.st, Policy: e.p, Messenger: bot.Router{bot.Teams: e.s}, Clock: clock, Workers: 1})
	if err := s.RunDue(ctx, now.Add(14*24*time.Hour), set); err != nil {
		t.Fatal(err)
	}
	var headsUp map[string]any
	for _, p := range e.conn.posts() {
		if strings.Contains(p.Path, "a:conv-pat") && strings.Contains(cardText(p.Body), "heads-up") {
			headsUp = p.Body
			break
		}
	}
	if headsUp == nil {
		t.Fatal("no heads-up reached the pathway lead")
	}
	for _, a := range headsUp["attachments"].([]any) {
		if problems := cardProblems(a.(map[string]any)["content"].(map[string]any)); len(problems) > 0 {
			t.Errorf("Teams would refuse the escalation card: %v", problems)
		}
	}
	acts := actionsOf(headsUp)
	var titles []string
	for _, a := range acts {
		titles = append(titles, a["title"].(string))
	}
	if strings.Join(titles, "|") != "I'll take it|Hand to…|Remind them tomorrow|Status" {
		t.Fatalf("escalation card actions %v", titles)
	}
	caseLead := func() string {
		c, err := e.st.GetCase(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return c.Lead
	}
	lastTo := func(who string) string {
		posts := e.conn.posts()
		for i := len(posts) - 1; i >= 0; i-- {
			if strings.Contains(posts[i].Path, "a:conv-"+who) {
				return cardText(posts[i].Body)
			}
		}
		return ""
	}

	// Hand to…: a card with a people picker; its submission hands over.
	hand := acts[1]
	if hand["type"] != "Action.ShowCard" {
		t.Fatalf("Hand to… is %v; want a card to show", hand["type"])
	}
	sub := hand["card"].(map[string]any)
	body := sub["body"].([]any)
	var picker map[string]any
	for _, el := range body {
		if m := el.(map[string]any); m["id"] == inputPrefix+"to" {
			picker = m
		}
	}
	if picker == nil || picker["type"] != "Input.ChoiceSet" || picker["choices.data"] == nil {
		t.Fatalf("Hand to… card has no people picker: %v", body)
	}
	data := sub["actions"].([]any)[0].(map[string]any)["data"].(map[string]any)
	value := map[string]any{}
	for k, v := range data {
		value[k] = v
	}
	value[inputPrefix+"to"] = "aad-alex"
	act := e.personalMessageFrom("6003", "", "pat")
	act["value"] = value
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if got := caseLead(); got != "teams:aad-alex" {
		t.Fatalf("after Hand to…, the named contact is %s", got)
	}
	if txt := lastTo("pat"); !strings.Contains(txt, "is now the named contact for **HPP-1**") {
		t.Errorf("reply to the pathway lead:\n%s", txt)
	}

	// I'll take it: the pathway lead becomes acting named contact.
	press := func(id, title string) {
		t.Helper()
		var cmd string
		for _, a := range acts {
			if a["title"] == title {
				cmd = a["data"].(map[string]any)[submitKey].(string)
			}
		}
		if !strings.Contains(cmd, "HPP-1") {
			t.Fatalf("%s carries %q, not the case id", title, cmd)
		}
		act := e.personalMessageFrom(id, "", "pat")
		act["value"] = map[string]any{submitKey: cmd}
		if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	press("6004", "I'll take it")
	if got := caseLead(); got != "teams:aad-pat" {
		t.Fatalf("after I'll take it, the named contact is %s", got)
	}
	if txt := lastTo("pat"); !strings.Contains(txt, "You're now the acting named contact for **HPP-1**") {
		t.Errorf("reply to the pathway lead:\n%s", txt)
	}

	// Remind them tomorrow: a snooze of a working day, recorded.
	press("6005", "Remind them tomorrow")
	if txt := lastTo("pat"); !strings.Contains(txt, "are snoozed until") {
		t.Errorf("reply to the pathway lead:\n%s", txt)
	}
	if c, err := e.st.GetCase(ctx, 1); err != nil || c.SnoozedUntil.IsZero() {
		t.Errorf("not snoozed: %v %v", c, err)
	}
}
