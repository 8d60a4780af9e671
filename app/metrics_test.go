package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// TestMetrics runs commands through the handlers New wires, reports
// scheduler outcomes and a dead Redis, and reads GET /metrics.
func TestMetrics(t *testing.T) {
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Store: st, Policy: p, EveryoneAdmin: true})
	m, h := a.Metrics, a.Handlers
	ctx := context.Background()
	for _, line := range []string{"/hpp open INC-1 harm=low Fall", "/hpp status HPP-1", "/hpp status HPP-9", "/hpp frobnicate", "/hpp open INC-2 9990000018"} {
		h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:lee", Text: line})
	}
	m.Reminders("due", 3)
	m.Reminders("sent", 2)
	m.Reminders("failed", 1)
	m.Deferred(4)
	m.Lag(90 * time.Second)
	m.TickError()

	// A client that can't reach Redis counts its failures by command.
	down, err := store.Connect(fmt.Sprintf("redis://127.0.0.1:%d", storetest.FreePort(t)), "hpp:")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	m.WatchRedis(down)
	if _, err := down.GetCase(ctx, 1); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Fatalf("GetCase on a dead Redis: %v", err)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	text := rec.Body.String()
	for _, want := range []string{
		`hpp_commands_total{command="open",outcome="ok"} 1`,
		`hpp_commands_total{command="open",outcome="identifiable"} 1`,
		`hpp_commands_total{command="status",outcome="ok"} 1`,
		`hpp_commands_total{command="status",outcome="not_found"} 1`,
		`hpp_commands_total{command="unknown",outcome="unknown"} 1`,
		`hpp_command_duration_seconds_count{command="status"} 2`,
		`hpp_reminders_total{outcome="due"} 3`,
		`hpp_reminders_total{outcome="sent"} 2`,
		`hpp_reminders_total{outcome="failed"} 1`,
		`hpp_reminders_total{outcome="escalated"} 0`,
		`hpp_reminders_deferred 4`,
		`hpp_scheduler_lag_seconds_bucket{le="120"} 1`,
		`hpp_scheduler_tick_errors_total 1`,
		`hpp_redis_errors_total{command="get"} 1`,
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// hpp_redis_up is read on metrics that watch only the dead client: the
	// ones above also watch the live store (the delivery queue's backlog is
	// read from it at each scrape), which is up.
	only := NewMetrics()
	only.WatchRedis(down)
	if _, err := down.GetCase(ctx, 1); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Fatalf("GetCase on a dead Redis: %v", err)
	}
	rec = httptest.NewRecorder()
	only.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "hpp_redis_up 0") {
		t.Errorf("/metrics of a dead Redis lacks hpp_redis_up 0")
	}
	if strings.Contains(text, "frobnicate") || strings.Contains(text, "INC-1") || strings.Contains(text, "lee") {
		t.Errorf("/metrics holds something typed:\n%s", text)
	}
}
