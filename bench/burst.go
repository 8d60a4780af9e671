package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
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

// burstPeople is the morning burst: people with one due case, and people
// with five, half of each on Slack and half on Teams.
type burstPeople struct{ single, five int }

// morningBurst delivers a Monday morning's reminders — every case due at
// the start of working hours — through the real scheduler, delivery queue
// and surfaces to stand-in Slack and Teams servers that keep the documented
// limits, sped up scale times (the stand-ins' clock and hppbot's limits
// alike), and answer 429 with Retry-After when pushed. Then again with 10%
// of sends refused at random with 429 or 503.
func morningBurst(ctx context.Context, p *pathway.Policy, people burstPeople, scale float64, quick bool, res *results) {
	limits := delivery.DefaultLimits()
	limits.Scale = scale
	fmt.Fprintf(res.log, "  %d people with one due case and %d with five, half on Slack and half on Teams; limits %s per Slack channel, %s per workspace, %s per Teams conversation, %s per tenant, kept by the stand-ins and by hppbot at %g× speed\n",
		people.single, people.five, delivery.FormatRates(limits.SlackChannel), delivery.FormatRates(limits.SlackWorkspace),
		delivery.FormatRates(limits.TeamsConversation), delivery.FormatRates(limits.TeamsTenant), scale)
	for _, faults := range []float64{0, 0.10} {
		runBurst(ctx, p, people, limits, faults, quick, res)
	}
}

func runBurst(ctx context.Context, p *pathway.Policy, people burstPeople, limits delivery.Limits, faults float64, quick bool, res *results) {
	st, err := store.Connect(storetest.URL(), "hppbench:burst:"+randomHex()+":")
	if err != nil {
		fail("burst store", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_ = storetest.Clean(cctx, st)
		st.Close()
	}()
	plat := deliverytest.New(deliverytest.Options{Limits: limits, Enforce: true, Latency: 40 * time.Millisecond, Faults: faults})
	defer plat.Close()

	// Cases opened on a Friday at 08:00 are first due on Monday at the
	// start of working hours.
	loc := p.Location()
	opened := time.Date(2026, 12, 4, 8, 0, 0, 0, loc)
	var slackMsgs, teamsMsgs int
	perChannel := map[string]int{}
	var leads []string
	person := func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("slack:U%07d", i)
		}
		return fmt.Sprintf("teams:aad-%07d", i)
	}
	for i := range people.single + people.five {
		n := 1
		if i >= people.single {
			n = 5
		}
		who := person(i)
		for range n {
			leads = append(leads, who)
		}
		// One message per person: one tick's nudges to a person are
		// bundled (a person with five due cases gets one message).
		perChannel[who]++
		if i%2 == 0 {
			slackMsgs++
		} else {
			teamsMsgs++
			if err := st.SaveConversationRef(ctx, who, store.ConversationRef{ServiceURL: plat.TeamsServiceURL(),
				Conversation: fmt.Sprintf("a:%07d", i), Type: "personal", Tenant: "tenant-bench", Bot: "28:bench-app"}); err != nil {
				fail("burst refs", err)
			}
		}
	}
	due := seedLeads(ctx, st, p, leads, opened)
	start := p.Calendar.NextWorkingStart(due)

	began := time.Now()
	clock := func() time.Time { return start.Add(time.Since(began)) }
	router := bot.Router{}
	core := app.New(app.Config{Store: st, Policy: p, Messenger: router, Clock: clock, Limits: limits, Senders: 32,
		Log: slog.New(slog.DiscardHandler)})
	ss, err := slack.New(slack.Config{Token: "xoxb-bench", APIURL: plat.SlackAPI(), Handler: core.Handlers})
	if err != nil {
		fail("burst slack", err)
	}
	ts, err := teams.New(teams.Config{AppID: "bench-app", AppPassword: "bench", TokenURL: plat.TokenURL(), Store: st, Handler: core.Handlers})
	if err != nil {
		fail("burst teams", err)
	}
	router[bot.Slack], router[bot.Teams] = ss, ts
	q := core.Scheduler.Outbox()
	q.Start()
	defer q.Stop()

	began = time.Now()
	total := slackMsgs + teamsMsgs
	for {
		r, err := core.Scheduler.Tick(ctx, clock())
		if err != nil {
			fail("burst tick", err)
		}
		if r.Claimed == 0 {
			break
		}
	}
	deadline := time.Now().Add(4 * time.Minute)
	for plat.Counts().Messages < total && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(began)
	// Anything still queued would show as lost; wait a moment for doubles.
	time.Sleep(200 * time.Millisecond)
	c := plat.Counts()

	least := leastTime(limits, slackMsgs, teamsMsgs, perChannel)
	section := "burst"
	label := "no faults"
	if faults > 0 {
		label = fmt.Sprintf("%.0f%% of sends refused at random (429 or 503)", faults*100)
	}
	fmt.Fprintf(res.log, "  — %s: %d messages (%d Slack, %d Teams), %d posts reached the stand-ins, %d refused\n", label, total, slackMsgs, teamsMsgs, c.Started, c.Refused)
	if faults == 0 {
		res.info(section, "least time the limits allow (at the stand-ins' speed)", least.Seconds(), "s", fmt.Sprintf("%.0f s in real time", least.Seconds()*limits.Scale))
		if quick {
			// A few seconds' burst is mostly fixed costs: for information.
			res.info(section, "time taken ÷ least time", took.Seconds()/least.Seconds(), "×", fmt.Sprintf("%.1f s; the target applies to the full burst", took.Seconds()))
		} else {
			res.check(section, "time taken ÷ least time", took.Seconds()/least.Seconds(), "×", "≤ 1.15", took.Seconds() <= 1.15*least.Seconds(), fmt.Sprintf("%.1f s", took.Seconds()))
		}
	} else {
		res.info(section, "time taken with faults", took.Seconds(), "s", fmt.Sprintf("%.2f× the least time", took.Seconds()/least.Seconds()))
	}
	res.check(section, "lost ("+label+")", float64(max(0, total-c.Messages)), "", "= 0", c.Messages >= total, "")
	res.check(section, "doubled ("+label+")", float64(c.Doubled), "", "= 0", c.Doubled == 0, "")
	res.info(section, "messages per person ("+label+")", float64(c.Messages)/float64(people.single+people.five), "", "one tick's nudges to a person are one message; a person whose cases were claimed in two ticks gets two")
}

// leastTime is the shortest time the limits allow for the burst: each
// platform's messages at its workspace or tenant rate after the first
// burst, or the busiest conversation at its own rate, whichever is longer;
// the two platforms in parallel.
func leastTime(l delivery.Limits, slackMsgs, teamsMsgs int, perChannel map[string]int) time.Duration {
	busiest := 0
	for _, n := range perChannel {
		busiest = max(busiest, n)
	}
	platform := func(msgs int, wide, conv []delivery.Rate) float64 {
		t := 0.0
		for _, r := range wide {
			t = max(t, float64(max(0, msgs-r.N))*r.Per.Seconds()/float64(r.N))
		}
		for _, r := range conv {
			t = max(t, float64(max(0, busiest-r.N))*r.Per.Seconds()/float64(r.N))
		}
		return t
	}
	s := max(platform(slackMsgs, l.SlackWorkspace, l.SlackChannel), platform(teamsMsgs, l.TeamsTenant, l.TeamsConversation))
	return time.Duration(s / l.Scale * float64(time.Second))
}

// seedLeads opens one case for each entry of leads (a person may lead
// several) at opened, and returns when the first is due.
func seedLeads(ctx context.Context, st *store.Store, p *pathway.Policy, leads []string, opened time.Time) time.Time {
	const writers = 32
	var wg sync.WaitGroup
	next := make(chan int, writers)
	var mu sync.Mutex
	var firstErr error
	var due time.Time
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				in := pathway.OpenInput{Ref: fmt.Sprintf("INC-B%d", i), Harm: pathway.HarmLow, Lead: leads[i]}
				c, ev, err := pathway.Open(in, leads[i], p, opened)
				if err == nil {
					_, err = st.CreateCase(ctx, c, p, ev)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && (due.IsZero() || c.NextContact.Before(due)) {
					due = c.NextContact
				}
				mu.Unlock()
			}
		}()
	}
	for i := range leads {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		fail("seeding the burst", firstErr)
	}
	return due
}
