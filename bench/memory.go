package main

import (
	"context"
	"fmt"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// memoryPerCase opens cases under a prefix of their own, logs four contacts
// on each (five timeline events in all) and divides the Redis memory of
// every key under the prefix (MEMORY USAGE, exact) by the number of cases.
func memoryPerCase(ctx context.Context, main *store.Store, p *pathway.Policy, res *results) {
	const n = 10000
	st := store.New(main.Client(), main.Prefix()+"mem:")
	defer func() { _ = storetest.Clean(ctx, st) }()
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	seed(ctx, st, p, n, wed, "M")
	for round := 1; round <= 4; round++ {
		now := wed.Add(time.Duration(round) * 24 * time.Hour)
		work := make(chan int64, 64)
		done := make(chan error, 32)
		for w := 0; w < 32; w++ {
			go func() {
				var err error
				for id := range work {
					if err != nil {
						continue
					}
					old, e := st.GetCase(ctx, id)
					if e != nil {
						err = e
						continue
					}
					c := old.Clone()
					ev, e := c.LogContact(pathway.ContactInput{Via: "phone", Note: "Spoke with the family; agreed to call again next week"}, c.Lead, p, now)
					if e == nil {
						e = st.SaveCase(ctx, old, c, p, ev)
					}
					if e != nil {
						err = e
					}
				}
				done <- err
			}()
		}
		for id := int64(1); id <= n; id++ {
			work <- id
		}
		close(work)
		for w := 0; w < 32; w++ {
			if err := <-done; err != nil {
				fail("logging contacts", err)
			}
		}
	}
	rdb := st.Client()
	var kept, passing int64
	keys, passingKeys := 0, 0
	iter := rdb.Scan(ctx, 0, st.Prefix()+"*", 1000).Iterator()
	for iter.Next(ctx) {
		m, err := rdb.MemoryUsage(ctx, iter.Val(), 0).Result()
		if err != nil {
			fail("MEMORY USAGE", err)
		}
		ttl, err := rdb.PTTL(ctx, iter.Val()).Result()
		if err != nil {
			fail("PTTL", err)
		}
		// A key that lives minutes (a command's outcome, kept so a lost
		// reply can be looked up) is not what a case costs to keep.
		if ttl > 0 && ttl <= transientFor {
			passing += m
			passingKeys++
			continue
		}
		kept += m
		keys++
	}
	if err := iter.Err(); err != nil {
		fail("SCAN", err)
	}
	per := float64(kept) / n
	res.check("memory", fmt.Sprintf("Redis bytes per open case with five events (%d cases, %d keys)", n, keys), per, "bytes", "≤ 2048", per <= 2048, "")
	res.info("memory", fmt.Sprintf("and for minutes after the writes (%d keys that expire within %s)", passingKeys, transientFor), float64(passing)/n, "bytes", "each write's outcome, kept so a lost reply can be looked up; not part of what a case costs to keep")
}

// transientFor is the longest a key may live and still count as passing
// rather than kept: the store keeps a command's outcome for 10 minutes.
const transientFor = 15 * time.Minute
