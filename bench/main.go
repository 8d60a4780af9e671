// Command bench measures hppbot against its own floor, in one run, on the
// Redis at REDIS_URL (default 127.0.0.1:6379), under a key prefix of its own
// that it removes afterwards. It prints one table (or JSON with -json), each
// figure beside its target, and exits non-zero when a target is missed.
//
// Where the machine is shared and noisy, figures are measured side by side:
// the command path beside a floor served by the same server in the same run
// (its throughput ratio to the floor is information only, the target being
// p99 ≤ 10 ms at 1,000 requests a second), and the scheduler tick at a
// million cases against the tick at ten thousand.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// figure is one measured number beside its target.
type figure struct {
	Section string  `json:"section"`
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`
	Target  string  `json:"target,omitempty"`
	Pass    *bool   `json:"pass,omitempty"`
	Note    string  `json:"note,omitempty"`
}

type results struct {
	figures []figure
	log     io.Writer
}

func (r *results) add(f figure) {
	r.figures = append(r.figures, f)
	pass := ""
	if f.Pass != nil {
		pass = map[bool]string{true: "  ok", false: "  MISSED"}[*f.Pass]
	}
	note := ""
	if f.Note != "" {
		note = "  (" + f.Note + ")"
	}
	fmt.Fprintf(r.log, "  %-58s %12s %-6s %s%s%s\n", f.Name, format(f.Value), f.Unit, f.Target, pass, note)
}

func (r *results) check(section, name string, value float64, unit, target string, ok bool, note string) {
	r.add(figure{Section: section, Name: name, Value: value, Unit: unit, Target: target, Pass: &ok, Note: note})
}

func (r *results) info(section, name string, value float64, unit, note string) {
	r.add(figure{Section: section, Name: name, Value: value, Unit: unit, Note: note})
}

func format(v float64) string {
	switch {
	case v == float64(int64(v)) && v < 1e9:
		return fmt.Sprintf("%d", int64(v))
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func main() { os.Exit(run()) }

// failure unwinds a section that could not be measured back to run, so the
// cleanup still happens.
type failure struct{ msg string }

func run() (code int) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			fmt.Fprintln(os.Stderr, "bench:", f.msg)
			code = 2
		}
	}()
	asJSON := flag.Bool("json", false, "print the results as JSON")
	sizes := flag.String("cases", "10000,100000,1000000", "open-case counts for the scheduler tick")
	readSizes := flag.String("reads", "10000,100000", "case counts in one service for the scale of reads")
	quick := flag.Bool("quick", false, "a short run with small sizes, to check the benchmark itself")
	only := flag.String("only", "", "run one section: redis, round-trips, command, scheduler, memory, reads or burst")
	burstScale := flag.Float64("burst-scale", 12, "how many times faster than real time the morning burst's stand-in platforms (and hppbot's limits) keep time")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.IntVar(&tickRuns, "ticks", tickRuns, "how many ticks the scheduler section measures at each size")
	flag.StringVar(&tickProfile, "tick-cpuprofile", "", "write a CPU profile of the largest size's ticks alone to this file")
	flag.StringVar(&tickMemProfile, "tick-memprofile", "", "write the allocations of the largest size's ticks alone to this file (and the profile before them to this file.before, for pprof -diff_base)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail("cpuprofile", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail("cpuprofile", err)
		}
		defer pprof.StopCPUProfile()
	}
	want := func(section string) bool { return *only == "" || *only == section }
	if *quick {
		*sizes = "2000,8000"
		*readSizes = "1000,4000"
	}
	out := io.Writer(os.Stdout)
	if *asJSON {
		out = os.Stderr
	}
	res := &results{log: out}
	ctx := context.Background()
	st, err := store.Connect(storetest.URL(), "hppbench:"+randomHex()+":")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: REDIS_URL:", err)
		return 2
	}
	if err := st.Ping(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "bench: Redis at %s does not answer: %v\n", storetest.URL(), err)
		return 2
	}
	counter := &roundTrips{}
	st.Client().AddHook(counter)
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := storetest.Clean(cctx, st); err != nil {
			fmt.Fprintln(os.Stderr, "bench: cleaning up:", err)
		}
		st.Close()
	}()

	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	fmt.Fprintf(out, "hppbot benchmark — Redis %s, %s\n", storetest.URL(), time.Now().Format(time.RFC3339))

	if want("redis") {
		fmt.Fprintln(out, "\nRedis, and this machine's speed")
		ping := pingRoundTrip(ctx, st)
		res.info("redis", "PING round trip, median of 2,000", float64(ping.Microseconds()), "µs", "")
		machineSpeed(ctx, st, res)
	}
	if want("round-trips") {
		fmt.Fprintln(out, "\nRedis round trips per command (counted with a go-redis hook)")
		roundTripsPerCommand(ctx, st, p, counter, res)
	}
	if want("command") {
		fmt.Fprintln(out, "\nCommand path: signed Slack requests over loopback HTTP, real server and store")
		commandPath(ctx, st, p, res)
	}
	if want("scheduler") {
		fmt.Fprintln(out, "\nScheduler: one due-scan tick, 1,000 due, no-op messenger")
		if size, at := schedulerTicks(ctx, st, p, parseSizes(*sizes), res); size > 0 {
			fmt.Fprintln(out, "\nProcess memory: serving the scheduler section's largest trust (cases in Redis)")
			processMemory(ctx, st, p, size, at, res)
		}
	}
	if want("burst") {
		fmt.Fprintln(out, "\nMorning burst: every reminder due at the start of working hours, through the delivery queue to stand-in Slack and Teams")
		people := burstPeople{single: 5000, five: 1000}
		if *quick {
			people = burstPeople{single: 500, five: 100}
		}
		morningBurst(ctx, p, people, *burstScale, *quick, res)
	}
	if want("memory") {
		fmt.Fprintln(out, "\nMemory")
		memoryPerCase(ctx, st, p, res)
	}

	if want("reads") {
		fmt.Fprintln(out, "\nScale of reads: one service's cases, read as a lead and an admin would")
		readsScale(ctx, st, p, parseSizes(*readSizes), res)
	}

	failed := 0
	for _, f := range res.figures {
		if f.Pass != nil && !*f.Pass {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"figures": res.figures, "missed": failed})
	}
	if failed > 0 {
		fmt.Fprintf(out, "\n%d target(s) missed.\n", failed)
		return 1
	}
	fmt.Fprintln(out, "\nEvery target met.")
	return 0
}

func parseSizes(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(part), "%d", &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

func randomHex() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func pingRoundTrip(ctx context.Context, st *store.Store) time.Duration {
	var ds []time.Duration
	for i := 0; i < 2000; i++ {
		start := time.Now()
		if err := st.Ping(ctx); err != nil {
			fail("ping", err)
		}
		ds = append(ds, time.Since(start))
	}
	return percentile(ds, 0.5)
}

// median is the middle of vs (the mean of the middle two when even).
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}

// fail stops the run: what could not be measured, and why.
func fail(what string, err error) {
	panic(failure{fmt.Sprintf("%s: %v", what, err)})
}

// newHandler returns a handler on st for the benchmark's people.
func newHandler(st *store.Store, p *pathway.Policy, clock func() time.Time) *handlers.Handler {
	return handlers.New(handlers.Config{
		Store: st, Policy: p, Messenger: bot.Router{}, Admins: []string{"admin"},
		Clock: clock, Log: slog.New(slog.DiscardHandler),
	})
}
