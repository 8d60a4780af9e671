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

// One live nudge per case and person in Teams: each newer reminder
// collapses the one before it by an activity update (PUT
// /v3/conversations/{id}/activities/{activityId}) to one line without
// actions, and taking an escalation on updates the channel's escalation
// post instead of posting a follow-up.
func TestANudgeAndTheChannelPostAreUpdatedInTeams(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const channel = "teams:19:maternity@thread.tacv2"
	for i, msg := range []map[string]any{
		e.personalMessage("7001", "help"),
		e.channelMessage("7002", "help"),
		e.personalMessageFrom("7003", "help", "pat"),
	} {
		if code := e.post(t, msg, e.bearer(t)); code != http.StatusOK {
			t.Fatalf("message %d: %d", i, code)
		}
	}
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "teams:aad-pat", Channel: channel}); err != nil {
		t.Fatal(err)
	}
	if code := e.post(t, e.personalMessage("7004", "open INC-7 service=maternity harm=low Fall on the ward"), e.bearer(t)); code != http.StatusOK {
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
	// activity ids: the fake connector numbers its answers by request.
	nudges, collapsed := 0, 0
	for _, r := range e.conn.requests() {
		switch {
		case r.Method == http.MethodPost && r.Path == "/uk/v3/conversations/a:conv-sam/activities" && strings.Contains(cardText(r.Body), "Contact with the family for **HPP-1**"):
			nudges++
		case r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/uk/v3/conversations/a:conv-sam/activities/activity-"):
			if !strings.Contains(cardText(r.Body), "Replaced by a newer reminder below.") {
				t.Errorf("an update said %q", cardText(r.Body))
			}
			if acts := actionsOf(r.Body); len(acts) != 0 {
				t.Errorf("a collapsed nudge kept its actions: %v", acts)
			}
			collapsed++
		}
	}
	if nudges < 2 || collapsed != nudges-1 {
		t.Fatalf("%d nudges, %d collapsed; want all but the latest collapsed", nudges, collapsed)
	}

	before := len(e.conn.requests())
	if code := e.post(t, e.personalMessageFrom("7005", "take HPP-1", "pat"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	var updated bool
	for _, r := range e.conn.requests()[before:] {
		onChannel := strings.Contains(r.Path, "/v3/conversations/19:maternity@thread.tacv2/activities")
		if onChannel && r.Method == http.MethodPost {
			t.Errorf("a follow-up was posted to the channel: %s", cardText(r.Body))
		}
		if onChannel && r.Method == http.MethodPut && strings.Contains(cardText(r.Body), "the pathway lead has taken this on") {
			updated = len(actionsOf(r.Body)) == 0
		}
	}
	if !updated {
		t.Errorf("the channel's escalation post was not updated to say it was taken on")
	}
}

// An update goes only to the service that serves the person: a kept
// message reference naming another host is not followed, and the bot's
// token is not sent there.
func TestAnUpdateGoesOnlyToThePersonsService(t *testing.T) {
	e := newEnv(t)
	if code := e.post(t, e.personalMessage("7101", "help"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	tests := []struct {
		name string
		conv string
		sent bool
	}{
		{"the person's own service", e.conn.serviceURL() + "/v3/conversations/a:conv-sam/activities", true},
		{"another host", "https://elsewhere.example/v3/conversations/a:conv-sam/activities", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.conn.requests())
			err := e.s.UpdateMessage(context.Background(), bot.MessageRef{To: "teams:aad-sam", Conv: tc.conv, ID: "1"}, bot.Reply{Text: "Replaced by a newer reminder below."})
			puts := 0
			for _, r := range e.conn.requests()[before:] {
				if r.Method == http.MethodPut {
					puts++
				}
			}
			if tc.sent && (err != nil || puts != 1) {
				t.Errorf("update: %v, %d PUTs; want one", err, puts)
			}
			if !tc.sent && (err == nil || puts != 0) {
				t.Errorf("update: %v, %d PUTs; want it refused and nothing sent", err, puts)
			}
		})
	}
}
