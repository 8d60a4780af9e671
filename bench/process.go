package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store"
)

// processMemory measures hppbot's own memory while it serves the largest
// trust the scheduler section seeded (its cases stay in Redis, under the
// section's prefix): a tick with 1,000 due, `list all` and `list overdue`
// as an admin, and `report days=90` for every service, whose figures are
// worked out after the answer. The process gives back what seeding used
// (debug.FreeOSMemory), its peak resident size is reset
// (/proc/self/clear_refs), and the peak is read after (VmHWM): the
// process's own memory while serving. The Go heap in use is sampled too.
func processMemory(ctx context.Context, main *store.Store, p *pathway.Policy, size int, at time.Time, res *results) {
	st := store.New(main.Client(), main.Prefix()+"tick:")
	box := &later{}
	// The reads are three months after the tick: the section's cases were
	// opened up to two months after the due ones, so every case is open and
	// in the report's window, and the report reads them all.
	readAt := at.AddDate(0, 3, 0)
	h := handlers.New(handlers.Config{
		Store: st, Policy: p, Messenger: box, Admins: []string{readsAdmin},
		Clock: func() time.Time { return readAt }, Log: slog.New(slog.DiscardHandler),
	})
	s := scheduler.New(scheduler.Config{Store: st, Policy: p, Messenger: noop{}, Clock: func() time.Time { return at }})

	debug.FreeOSMemory()
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	base := heapInUse()
	peak := &heapPeak{}
	stop := peak.watch()
	start := time.Now()
	if _, err := s.Tick(ctx, at); err != nil {
		fail("tick", err)
	}
	for _, line := range []string{"/hpp list all", "/hpp list overdue", "/hpp report days=90"} {
		sent := box.expect()
		reply, err := h.Run(ctx, bot.Request{Surface: bot.Slack, Person: readsAdmin, Text: line})
		if err != nil {
			fail("serving "+line, fmt.Errorf("%s (%v)", reply.PlainText(), err))
		}
		if strings.Contains(reply.PlainText(), "in a moment") {
			select {
			case r := <-sent:
				if !strings.Contains(r.PlainText(), "Learning figures") {
					fail("serving "+line, fmt.Errorf("the figures sent after: %s", r.PlainText()))
				}
				// "Overdue now: N of M open cases": M is every open case.
				m := regexp.MustCompile(`of (\d+) open cases`).FindStringSubmatch(r.PlainText())
				if n := 0; m == nil || func() bool { n, _ = strconv.Atoi(m[1]); return n < size }() {
					fail("serving "+line, fmt.Errorf("the report did not count every open case: %v, want %d", m, size))
				}
			case <-time.After(15 * time.Minute):
				fail("serving "+line, fmt.Errorf("the figures did not arrive within 15 minutes"))
			}
		}
	}
	took := time.Since(start)
	stop()
	hwm, rss := procStatus("VmHWM"), procStatus("VmRSS")
	res.info("memory", fmt.Sprintf("Go heap in use while serving %d open cases: at rest / peak", size), float64(base)/(1<<20), "MB",
		fmt.Sprintf("peak %.0f MB; a tick, list all, list overdue and report days=90 for every service took %s", float64(peak.max.Load())/(1<<20), took.Round(time.Second)))
	if resetPeak != nil || hwm == 0 {
		res.info("memory", "process peak resident size while serving (VmHWM)", 0, "", "could not be read here: "+fmt.Sprint(resetPeak))
		return
	}
	mb := float64(hwm) / 1024
	res.check("memory", fmt.Sprintf("process peak resident size while serving %d open cases (VmHWM)", size), mb, "MB", "≤ 100 MB", mb <= 100,
		fmt.Sprintf("resident after %.0f MB; GOGC %s", float64(rss)/1024, gogc()))
}

// procStatus reads one kB figure of /proc/self/status (0 when it can't).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func gogc() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v
	}
	return "100 (default); " + runtime.Version()
}
