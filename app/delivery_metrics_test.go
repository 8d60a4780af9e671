package app

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

// refuser refuses every post for good.
type refuser struct{}

func (refuser) SendDirect(context.Context, string, bot.Reply) error {
	return &bot.Undeliverable{Reason: "the person's account is deactivated"}
}
func (refuser) PostChannel(context.Context, string, bot.Reply) error { return nil }

// The delivery queue's series are on /metrics: the backlog per platform,
// sends, and failures by plain reason.
func TestDeliveryMetrics(t *testing.T) {
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Store: st, Policy: p, Messenger: refuser{}})
	q := a.Scheduler.Outbox()
	ctx := context.Background()
	if err := q.Send(ctx, delivery.Message{Key: "k1", To: "slack:C1", Channel: true, Reply: bot.Reply{Text: "digest"}}); err != nil {
		t.Fatal(err)
	}
	if _, final := bot.AsUndeliverable(q.Send(ctx, delivery.Message{Key: "k2", To: "slack:U1", Reply: bot.Reply{Text: "nudge"}})); !final {
		t.Fatal("Send did not hand back the refusal")
	}
	if _, err := q.Enqueue(ctx, delivery.Message{Key: "k3", To: "teams:aad-1", Reply: bot.Reply{Text: "nudge"}}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`hpp_delivery_sent_total{platform="slack"} 1`,
		`hpp_delivery_failed_total{platform="slack",reason="the person's account is deactivated"} 1`,
		`hpp_delivery_queued{platform="teams"} 1`,
		`hpp_delivery_queued{platform="slack"} 0`,
		`hpp_delivery_oldest_seconds{platform="teams"}`,
		`hpp_delivery_rate_waits_total{platform="teams"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
