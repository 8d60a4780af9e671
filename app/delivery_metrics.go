package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hppbot/bot"
	"hppbot/delivery"
)

// deliveryMetrics are the delivery queue's series. Labels are platforms,
// retry causes and plain failure reasons: never a person or a message.
type deliveryMetrics struct {
	sent      *prometheus.CounterVec
	retries   *prometheus.CounterVec
	waits     *prometheus.CounterVec
	failed    *prometheus.CounterVec
	recovered *prometheus.CounterVec
}

// platforms are the surfaces the queue's series are kept for.
var platforms = []string{bot.Slack, bot.Teams}

func newDeliveryMetrics() deliveryMetrics {
	return deliveryMetrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_delivery_sent_total",
			Help: "Messages the platform accepted from the delivery queue, by platform.",
		}, []string{"platform"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_delivery_retries_total",
			Help: "Sends to be tried again, by platform and why: throttled (429), unavailable (5xx, Teams 412), not_reachable (the person has not opened hppbot), unanswered (no answer came), store (Redis did not answer), withdrawn (an escalation that did not go at once; the scheduler tries again).",
		}, []string{"platform", "why"}),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_delivery_rate_waits_total",
			Help: "Sends held back to keep within the platform's limits (no token in the shared bucket yet), by platform.",
		}, []string{"platform"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_delivery_failed_total",
			Help: "Messages that will not be delivered, by platform and reason in plain words (\"too late\": past reminder_late_by, replaced by the next reminder).",
		}, []string{"platform", "reason"}),
		recovered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_delivery_recovered_total",
			Help: "Messages found in flight after a replica died, by platform and outcome: found (already delivered: not sent again), resent (not delivered: sent), resent_in_doubt (the platform can't be asked — Teams, Slack channels — so sent again; each may be a double).",
		}, []string{"platform", "outcome"}),
	}
}

func (d deliveryMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{d.sent, d.retries, d.waits, d.failed, d.recovered}
}

// Sent implements delivery.Metrics.
func (m *Metrics) Sent(platform string) { m.delivery.sent.WithLabelValues(platform).Inc() }

// Retried implements delivery.Metrics.
func (m *Metrics) Retried(platform, why string) {
	m.delivery.retries.WithLabelValues(platform, why).Inc()
}

// Waited implements delivery.Metrics.
func (m *Metrics) Waited(platform string) { m.delivery.waits.WithLabelValues(platform).Inc() }

// Failed implements delivery.Metrics.
func (m *Metrics) Failed(platform, reason string) {
	m.delivery.failed.WithLabelValues(platform, reason).Inc()
}

// Recovered implements delivery.Metrics.
func (m *Metrics) Recovered(platform, outcome string) {
	m.delivery.recovered.WithLabelValues(platform, outcome).Inc()
}

// WatchDelivery shows the queue's backlog per platform, read from Redis at
// each scrape: how many messages wait and how old the oldest is.
func (m *Metrics) WatchDelivery(q *delivery.Queue) {
	m.reg.MustRegister(backlogCollector{q: q,
		length: prometheus.NewDesc("hpp_delivery_queued", "Messages waiting in the delivery queue, by platform (every replica's: the queue is in Redis).", []string{"platform"}, nil),
		oldest: prometheus.NewDesc("hpp_delivery_oldest_seconds", "How long the oldest message waiting in the delivery queue has waited, by platform; 0 when none waits.", []string{"platform"}, nil),
	})
}

type backlogCollector struct {
	q              *delivery.Queue
	length, oldest *prometheus.Desc
}

func (c backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.length; ch <- c.oldest }

// Collect reads the backlog; while Redis does not answer the series are
// left out (hpp_redis_up says why).
func (c backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	bl, err := c.q.Backlogs(ctx, platforms)
	if err != nil {
		return
	}
	for _, p := range platforms {
		ch <- prometheus.MustNewConstMetric(c.length, prometheus.GaugeValue, float64(bl[p].Length), p)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, bl[p].Oldest.Seconds(), p)
	}
}
