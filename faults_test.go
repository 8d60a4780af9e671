package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store"
	"hppbot/store/storetest"
)

// inbox is a Messenger that keeps what hppbot sends.
type inbox struct {
	mu   sync.Mutex
	sent map[string][]bot.Reply
}

func newInbox() *inbox { return &inbox{sent: map[string][]bot.Reply{}} }

func (b *inbox) SendDirect(_ context.Context, to string, r bot.Reply) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent[to] = append(b.sent[to], r)
	return nil
}

func (b *inbox) PostChannel(ctx context.Context, to string, r bot.Reply) error {
	return b.SendDirect(ctx, to, r)
}

// reminders counts the reminders each person got.
func (b *inbox) reminders() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for to, rs := range b.sent {
		for _, r := range rs {
			if strings.Contains(r.Text, "is due now") || strings.Contains(r.Text, "was due") {
				out[to]++
			}
		}
	}
	return out
}

// ticks counts the scheduler's ticks (it reports Deferred on every tick
// that reaches Redis) and passes everything on to the real metrics.
type ticks struct {
	*app.Metrics
	ok, failed atomic.Int64
}

func (t *ticks) Deferred(n int) { t.ok.Add(1); t.Metrics.Deferred(n) }
func (t *ticks) TickError()     { t.failed.Add(1); t.Metrics.TickError() }

// eventually waits for cond, failing the test after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settable is a clock a test moves.
type settable struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settable) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *settable) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// bench is hppbot wired as serve() wires it — the handler, the scheduler on
// its cron, the metrics and the health endpoints — wired by app.New as main
// wires them, on a Redis of the test's own, with a clock the test moves.
type bench struct {
	srv   *storetest.Server
	st    *store.Store
	h     *handlers.Handler
	sched *scheduler.Scheduler
	m     *ticks
	box   *inbox
	clock *settable
	logs  *syncBuffer
	http  *httptest.Server
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Wednesday 25 November 2026, 10:00 in London.
var wedMorning = time.Date(2026, 11, 25, 10, 0, 0, 0, london)

func newBench(t *testing.T, srv *storetest.Server, url string) *bench {
	t.Helper()
	cfg, err := readConfig(env(map[string]string{"REDIS_URL": url}))
	if err != nil {
		t.Fatal(err)
	}
	return newBenchWith(t, srv, cfg)
}

func newBenchWith(t *testing.T, srv *storetest.Server, cfg *config) *bench {
	t.Helper()
	st, err := connectRedis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := &bench{srv: srv, st: st, box: newInbox(), clock: &settable{now: wedMorning}, logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	core := app.New(app.Config{Store: st, Policy: cfg.Policy, Messenger: b.box, Admins: []string{"admin"},
		Clock: b.clock.Now, Log: log, Every: time.Second,
		SchedulerMetrics: func(m *app.Metrics) scheduler.Metrics {
			b.m = &ticks{Metrics: m}
			return b.m
		}})
	b.h, b.sched = core.Handlers, core.Scheduler
	mux := http.NewServeMux()
	healthRoutes(mux, st, core.Metrics)
	b.http = httptest.NewServer(mux)
	t.Cleanup(b.http.Close)
	return b
}

// do runs a command line as a console person and returns the reply's text
// and how long it took.
func (b *bench) do(person, line string) (string, time.Duration) {
	start := time.Now()
	r := b.h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:" + person, Text: line})
	return r.PlainText(), time.Since(start)
}

func (b *bench) ready(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	code, _ := get(t, b.http.URL+"/readyz")
	return code, time.Since(start)
}

func TestRedisGoesAwayAndComesBack(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{}) // append-only, fsync always
	b := newBench(t, srv, srv.URL())
	leads := []string{"lee", "sam", "kim"}
	for i, lead := range leads {
		if got, _ := b.do(lead, fmt.Sprintf("/hpp open INC-%d harm=low Synthetic-summary-%d", 100+i, i)); !strings.Contains(got, "is open") {
			t.Fatalf("open: %s", got)
		}
	}
	if err := b.sched.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.sched.Stop()
	eventually(t, 10*time.Second, "a first tick", func() bool { return b.m.ok.Load() > 0 })

	srv.Stop() // Redis goes away

	// Every command that changes something says plainly that nothing was
	// saved, and every read that it couldn't show it and nothing changed,
	// within 2 seconds and with no internal error text.
	for _, line := range []string{
		"/hpp open INC-200 harm=moderate Synthetic-summary-lost",
		"/hpp contact HPP-1 via=phone Synthetic-note-lost",
		"/hpp status HPP-1",
		"/hpp list",
		"/hpp timeline HPP-2",
		"/hpp service maternity lead=@pat",
	} {
		person := "lee"
		if strings.Contains(line, "service") {
			person = "admin"
		}
		got, took := b.do(person, line)
		if want := unavailableWant(line); got != want {
			t.Errorf("%q with Redis down: %q; want %q", line, got, want)
		}
		if took > 2*time.Second {
			t.Errorf("%q took %v with Redis down; want under 2s", line, took)
		}
		t.Logf("%-55q answered in %v", line, took.Round(time.Millisecond))
	}
	if code, took := b.ready(t); code != http.StatusServiceUnavailable || took > 2*time.Second {
		t.Errorf("/readyz with Redis down: %d in %v; want 503 within 2s", code, took)
	}

	// The first contacts fall due while Redis is down: ticks skip, quietly.
	b.clock.Set(wedMorning.Add(24*time.Hour + 30*time.Minute))
	failedBefore := b.m.failed.Load()
	eventually(t, 15*time.Second, "three skipped ticks", func() bool { return b.m.failed.Load() >= failedBefore+3 })
	if n := strings.Count(b.logs.String(), "reminders paused"); n != 1 {
		t.Errorf("the outage was logged %d times; want once:\n%s", n, b.logs.String())
	}
	if got := b.box.reminders(); len(got) != 0 {
		t.Fatalf("reminders went with Redis down: %v", got)
	}

	srv.Start() // Redis is back, with its append-only file

	eventually(t, 15*time.Second, "the due reminders", func() bool { return len(b.box.reminders()) == len(leads) })
	if code, _ := b.ready(t); code != http.StatusOK {
		t.Errorf("/readyz after Redis returned: %d; want 200", code)
	}
	okBefore := b.m.ok.Load()
	eventually(t, 15*time.Second, "two more ticks", func() bool { return b.m.ok.Load() >= okBefore+2 })
	for _, lead := range leads {
		if n := b.box.reminders()["console:"+lead]; n != 1 {
			t.Errorf("%s got %d reminders; want exactly 1", lead, n)
		}
	}
	if n := strings.Count(b.logs.String(), "catching up"); n != 1 {
		t.Errorf("recovery logged %d times; want once:\n%s", n, b.logs.String())
	}
	// Nothing typed while Redis was down was kept, and what was kept before is whole.
	if got, _ := b.do("lee", "/hpp list"); !strings.Contains(got, "1 case") {
		t.Errorf("lee's list after recovery: %s", got)
	}
	if got, _ := b.do("admin", "/hpp status HPP-4"); !strings.Contains(got, "I can't find HPP-4") {
		t.Errorf("the open typed while Redis was down: %s", got)
	}
	if got, _ := b.do("lee", "/hpp contact HPP-1 via=phone Synthetic-note-kept"); !strings.Contains(got, "Contact logged") {
		t.Errorf("contact after recovery: %s", got)
	}

	text := scrape(t, b.m.Metrics)
	for _, want := range []string{
		`hpp_commands_total{command="open",outcome="unavailable"} 1`,
		`hpp_commands_total{command="contact",outcome="ok"} 1`,
		`hpp_reminders_total{outcome="sent"} 3`,
		`hpp_redis_up 1`,
		`hpp_redis_errors_total{command=`,
		`hpp_scheduler_tick_errors_total`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(b.logs.String(), "Synthetic") {
		t.Errorf("logs hold typed text:\n%s", b.logs.String())
	}
}

func TestAHungRedisStillAnswersWithinTwoSeconds(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true})
	b := newBench(t, srv, srv.URL())
	if got, _ := b.do("lee", "/hpp open INC-1 harm=low Fall"); !strings.Contains(got, "is open") {
		t.Fatalf("open: %s", got)
	}
	srv.Pause() // it accepts connections and answers nothing
	for _, line := range []string{"/hpp contact HPP-1 via=phone", "/hpp open INC-2 harm=low", "/hpp status HPP-1"} {
		got, took := b.do("lee", line)
		if want := unavailableWant(line); got != want || took > 2*time.Second {
			t.Errorf("%q with Redis hung: %q in %v; want %q within 2s", line, got, took, want)
		}
		t.Logf("%-35q answered in %v", line, took.Round(time.Millisecond))
	}
	if code, took := b.ready(t); code != http.StatusServiceUnavailable || took > 2*time.Second {
		t.Errorf("/readyz with Redis hung: %d in %v; want 503 within 2s", code, took)
	}
	srv.Resume()
	eventually(t, 10*time.Second, "Redis to answer again", func() bool { code, _ := b.ready(t); return code == http.StatusOK })
	if got, _ := b.do("lee", "/hpp contact HPP-1 via=phone"); !strings.Contains(got, "Contact logged") {
		t.Errorf("contact after Redis resumed: %s", got)
	}
}

func TestSIGTERMFinishesRequestsInFlight(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true})
	port := storetest.FreePort(t)
	base := "http://" + addr(port)
	p := startProcess(t, "--serve", map[string]string{"REDIS_URL": srv.URL(), "HPP_ADDR": addr(port)})
	waitHTTP(t, base+"/healthz")
	srv.Pause() // /readyz now takes half a second to say 503
	type answer struct {
		code int
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			got <- answer{0, err}
			return
		}
		res.Body.Close()
		got <- answer{res.StatusCode, nil}
	}()
	time.Sleep(150 * time.Millisecond) // the request is in flight
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.err != nil || a.code != http.StatusServiceUnavailable {
		t.Errorf("the request in flight at SIGTERM: %d, %v; want its answer (503)", a.code, a.err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("exit %d; want 0\n%s", code, p.stderr.String())
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still taking requests after SIGTERM")
	}
	srv.Resume()
}

func botReply(text string) bot.Reply { return bot.Reply{Text: text} }

// unavailableWant is what a command says when Redis does not answer: a
// change, that nothing was saved; a read, that it couldn't show what was
// asked for and nothing changed.
func unavailableWant(line string) string {
	reads := map[string]string{
		"/hpp status":   "I couldn't show the case just now — I couldn't reach my records. Nothing has changed. Please try again in a minute.",
		"/hpp list":     "I couldn't show the list just now — I couldn't reach my records. Nothing has changed. Please try again in a minute.",
		"/hpp timeline": "I couldn't show the case's timeline just now — I couldn't reach my records. Nothing has changed. Please try again in a minute.",
	}
	for prefix, want := range reads {
		if strings.HasPrefix(line, prefix) {
			return want
		}
	}
	return pathway.NothingSaved
}
