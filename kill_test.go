package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/bot/slack"
	"hppbot/bot/teams"
	"hppbot/delivery"
	"hppbot/delivery/deliverytest"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// recoveries counts the delivery queue's recoveries by platform and outcome.
type recoveries struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *recoveries) Sent(string)            {}
func (r *recoveries) Retried(string, string) {}
func (r *recoveries) Waited(string)          {}
func (r *recoveries) Failed(string, string)  {}
func (r *recoveries) Recovered(p, outcome string) {
	r.mu.Lock()
	r.n[p+":"+outcome]++
	r.mu.Unlock()
}

// A replica delivering a burst is killed with SIGKILL; another takes over.
// Nothing is lost; on Slack nothing is sent twice (the in-flight sends are
// found in the conversation by their key); on Teams, which can't be asked,
// the doubles are at most the sends in flight at the kill, and are counted.
func TestAReplicaKilledMidBurstLosesNothingAndDoublesOnlyWhatTeamsCantBeAsked(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hppbot as a process")
	}
	if !sharedRedis() {
		t.Skip("needs a Redis both processes can reach")
	}
	for _, tc := range []struct {
		name   string
		faults float64
	}{{"a quiet platform", 0}, {"in a storm of 429 and 503", 0.3}} {
		t.Run(tc.name, func(t *testing.T) { killMidBurst(t, tc.faults) })
	}
}

func killMidBurst(t *testing.T, faults float64) {
	st := storetest.New(t)
	ctx := context.Background()
	plat := deliverytest.New(deliverytest.Options{Latency: 40 * time.Millisecond, Faults: faults})
	defer plat.Close()

	const perPlatform = 400
	q := delivery.New(delivery.Config{Store: st, Sender: delivery.AsSender(bot.Router{})})
	for i := range perPlatform {
		slackPerson := fmt.Sprintf("slack:U%06d", i)
		teamsPerson := fmt.Sprintf("teams:aad-%06d", i)
		if err := st.SaveConversationRef(ctx, teamsPerson, store.ConversationRef{ServiceURL: plat.TeamsServiceURL(),
			Conversation: fmt.Sprintf("a:%06d", i), Type: "personal", Tenant: "tenant-kill", Bot: "28:kill-app"}); err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{slackPerson, teamsPerson} {
			m := delivery.Message{Key: fmt.Sprintf("remind:%s:contact:0:0", to), To: to,
				Reply: bot.Reply{Text: fmt.Sprintf("Contact with the family on case HPP-%d is due today.", i)}}
			if _, err := q.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}

	env := map[string]string{
		"REDIS_URL": storetest.URL(), "HPP_REDIS_PREFIX": st.Prefix(), "HPP_ADDR": "127.0.0.1:0",
		"SLACK_BOT_TOKEN": "xoxb-kill-test", "SLACK_SIGNING_SECRET": "kill-test-secret", "SLACK_API_URL": plat.SlackAPI(),
		"MICROSOFT_APP_ID": "kill-app", "MICROSOFT_APP_PASSWORD": "kill-password", "BOTFRAMEWORK_TOKEN_URL": plat.TokenURL(),
		"BOTFRAMEWORK_OPENID_METADATA": plat.Srv.URL + "/openid",
		"HPP_SLACK_RATE_CHANNEL":       "100/1s", "HPP_SLACK_RATE_WORKSPACE": "100000/1s", "HPP_TEAMS_RATE_TENANT": "100000/1s",
	}
	proc := startProcess(t, "", env)
	deadline := time.Now().Add(60 * time.Second)
	for plat.Counts().Messages < perPlatform/2 {
		if time.Now().After(deadline) {
			t.Fatalf("the replica delivered %d of %d in a minute\nstderr:\n%s", plat.Counts().Messages, 2*perPlatform, proc.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.wait(t, 10*time.Second)
	time.Sleep(100 * time.Millisecond) // the stand-in answers the posts it had
	inDoubt, err := q.InDoubt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	atKill := plat.Counts().Messages
	t.Logf("killed after %d of %d delivered; in flight at the kill: %v", atKill, 2*perPlatform, inDoubt)
	if atKill >= 2*perPlatform {
		t.Fatalf("the burst finished before the kill; nothing was tested")
	}

	// Another replica takes over once the dead one's leases have run out
	// (its clock two minutes on, rather than the test waiting).
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	router := bot.Router{}
	core := app.New(app.Config{Store: st, Policy: p, Messenger: router})
	ss, err := slack.New(slack.Config{Token: "xoxb-kill-test", APIURL: plat.SlackAPI(), Handler: core.Handlers})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := teams.New(teams.Config{AppID: "kill-app", AppPassword: "kill-password", TokenURL: plat.TokenURL(), Store: st, Handler: core.Handlers})
	if err != nil {
		t.Fatal(err)
	}
	router[bot.Slack], router[bot.Teams] = ss, ts
	rec := &recoveries{n: map[string]int{}}
	later := func() time.Time { return time.Now().Add(2 * time.Minute) }
	next := delivery.New(delivery.Config{Store: st, Sender: router, Clock: later, Metrics: rec,
		Backoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		Limits: delivery.Limits{SlackChannel: []delivery.Rate{{N: 100, Per: time.Second}}, SlackWorkspace: []delivery.Rate{{N: 100000, Per: time.Second}},
			TeamsTenant: []delivery.Rate{{N: 100000, Per: time.Second}}}})
	next.Start()
	deadline = time.Now().Add(60 * time.Second)
	for {
		bl, err := next.Backlogs(ctx, []string{bot.Slack, bot.Teams})
		if err != nil {
			t.Fatal(err)
		}
		if bl[bot.Slack].Length == 0 && bl[bot.Teams].Length == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the next replica left %+v queued", bl)
		}
		time.Sleep(10 * time.Millisecond)
	}
	next.Stop()
	rec.mu.Lock()
	defer rec.mu.Unlock()

	sc, tc := plat.CountsFor(bot.Slack), plat.CountsFor(bot.Teams)
	t.Logf("Slack: %d delivered, %d doubled, %d found in history; Teams: %d delivered, %d doubled, %d resent in doubt",
		sc.Messages, sc.Doubled, rec.n["slack:found"], tc.Messages, tc.Doubled, rec.n["teams:resent_in_doubt"])
	if sc.Messages != perPlatform || sc.Doubled != 0 {
		t.Errorf("Slack: %d delivered, %d doubled; want %d, 0", sc.Messages, sc.Doubled, perPlatform)
	}
	if tc.Messages != perPlatform {
		t.Errorf("Teams: %d delivered; want %d", tc.Messages, perPlatform)
	}
	if tc.Doubled > inDoubt[bot.Teams] || rec.n["teams:resent_in_doubt"] != inDoubt[bot.Teams] {
		t.Errorf("Teams: %d doubled, %d resent in doubt; want at most the %d in flight at the kill, each counted", tc.Doubled, rec.n["teams:resent_in_doubt"], inDoubt[bot.Teams])
	}
	if rec.n["slack:found"]+rec.n["slack:resent"] != inDoubt[bot.Slack] {
		t.Errorf("Slack: %d found and %d resent; want the %d in flight at the kill looked up", rec.n["slack:found"], rec.n["slack:resent"], inDoubt[bot.Slack])
	}
}

// sharedRedis reports whether storetest's Redis is a server (not the
// embedded one) that another process can reach.
func sharedRedis() bool {
	opt, err := store.Options(storetest.URL())
	if err != nil || len(opt.Addrs) == 0 {
		return false
	}
	c, err := net.DialTimeout("tcp", opt.Addrs[0], time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
