package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store"
)

// tickRuns is how many ticks each size measures (the median is kept);
// -ticks raises it, to profile the tick.
var tickRuns = 5

// tickProfile, when set (-tick-cpuprofile), is where a CPU profile of the
// largest size's ticks alone is written: without the seeding before them.
var tickProfile string

// tickMemProfile, when set (-tick-memprofile), is where the allocations of
// the largest size's ticks alone are written: F.before is the allocation
// profile as the ticks start and F as they end, so that
// "go tool pprof -diff_base F.before F" shows the ticks' own.
var tickMemProfile string

// noop is a Messenger that sends nowhere.
type noop struct{}

func (noop) SendDirect(context.Context, string, bot.Reply) error  { return nil }
func (noop) PostChannel(context.Context, string, bot.Reply) error { return nil }

// seed opens n cases at opened, each led by its own person, through the
// store's real write path, with several writers at once.
func seed(ctx context.Context, st *store.Store, p *pathway.Policy, n int, opened time.Time, tag string) {
	const writers = 48
	var wg sync.WaitGroup
	next := make(chan int, writers)
	var once sync.Once
	var firstErr error
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				in := pathway.OpenInput{Ref: fmt.Sprintf("INC-%s%d", tag, i), Service: "surgery", Harm: pathway.HarmLow}
				c, ev, err := pathway.Open(in, fmt.Sprintf("slack:U%s%07d", tag, i), p, opened)
				// A busy machine can make Redis miss its read timeout: tried
				// again a few times (a retried open may leave one case more).
				for try := 0; err == nil && try < 5; try++ {
					if _, err = st.CreateCase(ctx, c, p, ev); pathway.ErrorCode(err) != pathway.Unavailable {
						break
					}
					time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		fail("seeding cases", firstErr)
	}
}

// schedulerTicks measures one tick with 1,000 cases due among each size of
// open cases. The 1,000 are opened first, due on Thursday; the rest are
// opened two months later, so they are not due during the measurement.
// After each tick the same 1,000 are due again a working day later (the
// nudge repeats), so every measured tick delivers 1,000.
//
// It returns the largest size seeded and the time of the next tick with
// the 1,000 due, for processMemory.
func schedulerTicks(ctx context.Context, main *store.Store, p *pathway.Policy, sizes []int, res *results) (largest int, next time.Time) {
	const due = 1000
	if len(sizes) == 0 {
		return 0, time.Time{}
	}
	st := store.New(main.Client(), main.Prefix()+"tick:")
	// Repeats stay daily after the escalation here, so every measured tick
	// has the same 1,000 due (the policy's default slows them to every 2
	// working days once the pathway lead has been asked).
	dp := *p
	dp.NudgeRepeatEscalated = pathway.Span{N: 1, Unit: pathway.WorkingDay}
	daily := &dp
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	seed(ctx, st, p, due, wed, "D")
	background := 0
	at := p.Calendar.Add(wed, pathway.Span{N: 1, Unit: pathway.WorkingDay}).Add(time.Minute)
	var ticks []time.Duration
	for i, size := range sizes {
		if size < due {
			continue
		}
		start := time.Now()
		// Letters, not the size, tell the batches apart: a run of ten
		// digits could look like an NHS number, which the store refuses.
		seed(ctx, st, p, size-due-background, wed.AddDate(0, 2, 0), fmt.Sprintf("B%c-", 'a'+rune(i%26)))
		background = size - due
		forgetOutcomes(ctx, st)
		fmt.Fprintf(res.log, "  (seeded %d open cases in %s)\n", size, time.Since(start).Round(time.Second))
		s := scheduler.New(scheduler.Config{Store: st, Policy: daily, Messenger: noop{}, Clock: func() time.Time { return at }})
		var runs, selfCPU, redisCPU []time.Duration
		var heapBytes, heapObjects, calls []float64
		stop := startTickProfile(i == len(sizes)-1)
		for k := 0; k < tickRuns; k++ {
			n0, nok0 := redisCalls(ctx, st)
			c0 := cpuNow(ctx, st)
			t0 := time.Now()
			r, err := s.Tick(ctx, at)
			d := time.Since(t0)
			if c1 := cpuNow(ctx, st); c0.ok && c1.ok {
				selfCPU = append(selfCPU, c1.self-c0.self)
				redisCPU = append(redisCPU, c1.redis-c0.redis)
				heapBytes = append(heapBytes, float64(c1.bytes-c0.bytes))
				heapObjects = append(heapObjects, float64(c1.allocs-c0.allocs))
			}
			// The calls counted include three INFOs of the bench's own:
			// the first count's and the two CPU samples'. (Another client
			// of the same Redis would be counted too.)
			if n1, nok1 := redisCalls(ctx, st); nok0 && nok1 {
				calls = append(calls, float64(n1-n0-3))
			}
			if err != nil {
				fail("tick", err)
			}
			if r.Sent != due {
				fail("tick", fmt.Errorf("sent %d reminders at %s; want %d", r.Sent, at, due))
			}
			runs = append(runs, d)
			at = p.Calendar.Add(at, pathway.Span{N: 1, Unit: pathway.WorkingDay})
		}
		stop()
		med := percentile(runs, 0.5)
		ticks = append(ticks, med)
		res.check("scheduler", fmt.Sprintf("tick, 1,000 due among %d open cases (median of %d)", size, tickRuns), float64(med.Microseconds())/1000, "ms", "≤ 100 ms per 1,000 due", med <= 100*time.Millisecond, "")
		if len(redisCPU) > 0 {
			// Redis runs commands on one thread: its CPU time per tick is
			// the least the tick can take, whatever hppbot does meanwhile.
			res.info("scheduler", fmt.Sprintf("  CPU per tick at %d: hppbot / Redis (median of %d)", size, tickRuns), float64(percentile(selfCPU, 0.5).Microseconds())/1000, "ms",
				fmt.Sprintf("Redis %.1f ms: on its one thread, the least a tick can take", float64(percentile(redisCPU, 0.5).Microseconds())/1000))
		}
		if len(heapBytes) > 0 {
			// The collector's work follows what is allocated: with a
			// replica's small heap, each few MB allocated is a collection.
			res.info("scheduler", fmt.Sprintf("  hppbot's heap allocations per tick at %d (median of %d)", size, tickRuns), median(heapBytes)/1e6, "MB",
				fmt.Sprintf("%.0f objects", median(heapObjects)))
		}
		if len(calls) > 0 {
			res.info("scheduler", fmt.Sprintf("  Redis commands per tick at %d (median of %d)", size, tickRuns), median(calls), "",
				"counting each command a script runs, and the script")
		}
	}
	if len(ticks) >= 2 {
		ratio := float64(ticks[len(ticks)-1]) / float64(ticks[0])
		res.check("scheduler", fmt.Sprintf("tick at %d ÷ tick at %d", sizes[len(sizes)-1], sizes[0]), ratio, "×", "≤ 1.5", ratio <= 1.5, "")
	}
	return background + due, at
}

// redisCalls is how many commands Redis has run since its statistics were
// last reset, counting those its scripts ran.
func redisCalls(ctx context.Context, st *store.Store) (int64, bool) {
	info, err := st.Client().Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, false
	}
	var n int64
	for _, line := range strings.Split(info, "\n") {
		_, stats, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok {
			continue
		}
		calls, _, _ := strings.Cut(stats, ",")
		v, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			return 0, false
		}
		n += v
	}
	return n, true
}

// startTickProfile starts the ticks' profiles asked for (-tick-cpuprofile,
// -tick-memprofile) when on; it returns what stops and writes them.
func startTickProfile(on bool) (stop func()) {
	if !on {
		return func() {}
	}
	stopMem := startTickMemProfile()
	if tickProfile == "" {
		return stopMem
	}
	f, err := os.Create(tickProfile)
	if err != nil {
		fail("tick-cpuprofile", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fail("tick-cpuprofile", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fail("tick-cpuprofile", err)
		}
		stopMem()
	}
}

// startTickMemProfile writes the allocation profile as the ticks start, when
// asked for; it returns what writes it as they end.
func startTickMemProfile() (stop func()) {
	if tickMemProfile == "" {
		return func() {}
	}
	writeAllocs(tickMemProfile + ".before")
	return func() { writeAllocs(tickMemProfile) }
}

// writeAllocs writes the allocation profile so far to path.
func writeAllocs(path string) {
	f, err := os.Create(path)
	if err != nil {
		fail("tick-memprofile", err)
	}
	runtime.GC() // the profile is as of the last collection
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fail("tick-memprofile", err)
	}
	if err := f.Close(); err != nil {
		fail("tick-memprofile", err)
	}
}

// forgetOutcomes deletes the write outcomes the seeding left. The store
// keeps each write's outcome for 10 minutes, so that a lost reply can be
// looked up; seeding a million cases in a minute leaves a million of them,
// which a trust's Redis never holds (its cases were opened over months), and
// which would make Redis's keyspace a third larger than a trust's is, and
// its look-ups slower, while the ticks are measured. Deleted, they are what
// they would be ten minutes later: gone.
func forgetOutcomes(ctx context.Context, st *store.Store) {
	rdb := st.Client()
	iter := rdb.Scan(ctx, 0, st.Prefix()+"{p*}:cmd:*", 5000).Iterator()
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				fail("deleting the seeding's write outcomes", err)
			}
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			flush()
		}
	}
	if err := iter.Err(); err != nil {
		fail("SCAN", err)
	}
	flush()
}
