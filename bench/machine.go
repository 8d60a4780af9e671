package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/bot"
	"hppbot/store"
)

// machineSpeed measures two small pieces of work that stand for a tick's,
// one for each side of it, so that a run on a slower machine can be told
// from a slower hppbot (the tick's target is in milliseconds, and the same
// code has taken from 87 to over 200 ms a tick on machines of different
// speed; docs/performance.md keeps these figures beside each run's):
//   - hppbot's side: a nudge's message (its text, a case's section and the
//     button with its contact form) encoded and read back with
//     encoding/json, as the delivery queue does for every message;
//   - Redis's side: its CPU time for each command a script calls, from a
//     script that calls 100 (Redis's own count, INFO commandstats).
//
// Both are information only.
func machineSpeed(ctx context.Context, st *store.Store, res *results) {
	msg := bot.Reply{
		Text:     "A contact with the family of HPP-1 is 2 working days overdue.",
		Sections: []bot.Section{{Title: "HPP-1 · INC-1", Text: "Contact the family — due Wed 25 Nov, 10:00", Fields: []bot.Field{{Label: "Lead", Value: "<@UBENCHLEAD>"}}}},
		Buttons:  []bot.Button{{Label: "Log contact", Command: "contact HPP-1", Style: "primary", Form: bot.ContactForm("HPP-1")}},
	}
	const each = 1000
	var rounds []time.Duration
	for range 21 {
		start := time.Now()
		for range each {
			data, err := json.Marshal(msg)
			if err != nil {
				fail("machine speed", err)
			}
			var back bot.Reply
			if err := json.Unmarshal(data, &back); err != nil {
				fail("machine speed", err)
			}
		}
		rounds = append(rounds, time.Since(start)/each)
	}
	res.info("redis", "machine speed, Go: a nudge's message to JSON and back", float64(percentile(rounds, 0.5).Nanoseconds())/1000, "µs",
		"median of 21 × 1,000; to tell a slower machine from a slower hppbot")

	const runs, calls = 2000, 100
	script := redis.NewScript(`
for i = 1, 50 do
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('GET', KEYS[1])
end
return 1`)
	key := st.Prefix() + "machine"
	if err := script.Load(ctx, st.Client()).Err(); err != nil {
		fail("machine speed", err)
	}
	before, ok0 := scriptMicros(ctx, st)
	for range runs {
		if err := script.EvalSha(ctx, st.Client(), []string{key}, "a value of some twenty bytes").Err(); err != nil {
			fail("machine speed", err)
		}
	}
	after, ok1 := scriptMicros(ctx, st)
	if err := st.Client().Del(ctx, key).Err(); err != nil {
		fail("machine speed", err)
	}
	if ok0 && ok1 {
		res.info("redis", "machine speed, Redis: CPU per SET or GET in a script", float64(after-before)/(runs*calls), "µs",
			fmt.Sprintf("%d scripts of %d; to tell a slower machine from a slower hppbot", runs, calls))
	}
}

// scriptMicros is the CPU time Redis has spent running scripts by EVALSHA
// since its statistics were last reset, in µs (INFO commandstats).
func scriptMicros(ctx context.Context, st *store.Store) (int64, bool) {
	info, err := st.Client().Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(info, "\n") {
		stats, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_evalsha:")
		if !ok {
			continue
		}
		for _, field := range strings.Split(stats, ",") {
			if v, ok := strings.CutPrefix(field, "usec="); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, true // no script has run since the reset
}
