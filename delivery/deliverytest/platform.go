// Package deliverytest is a stand-in for the Slack Web API and the Teams
// Bot Connector, for tests and the benchmark: it keeps to the platforms'
// documented limits (on a clock it can speed up), answers 429 with
// Retry-After when pushed past them, can refuse a share of sends at random
// with 429 or 503, and counts what it accepted — each message by its key
// (Slack's metadata) or its conversation and text (Teams) — so that a test
// can say how many were lost and how many doubled.
package deliverytest

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"hppbot/delivery"
)

// Options shape a Platform.
type Options struct {
	// Limits enforced (delivery.Limits, with its Scale speeding the clock);
	// the zero value enforces none.
	Limits  delivery.Limits
	Enforce bool
	// Latency is how long each accepted post takes.
	Latency time.Duration
	// Faults is the share of posts refused at random, half with 429
	// (Retry-After: 1), half with 503.
	Faults float64
}

// Platform is the stand-in server.
type Platform struct {
	Srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	got      map[string]int // accepted messages by identity
	history  map[string][]map[string]any
	buckets  map[string]*bucket
	started  int            // posts started
	inFlight map[string]int // posts started, not yet answered, by platform
	refused  int            // posts answered 429 or 503
	last     time.Time
	first    time.Time
}

// New starts a Platform.
func New(opts Options) *Platform {
	p := &Platform{opts: opts, got: map[string]int{}, inFlight: map[string]int{}, history: map[string][]map[string]any{}, buckets: map[string]*bucket{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/conversations.open", p.open)
	mux.HandleFunc("POST /api/chat.postMessage", p.slackPost)
	mux.HandleFunc("POST /api/conversations.history", p.slackHistory)
	mux.HandleFunc("POST /api/", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{"ok": true}) })
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": "stand-in"})
	})
	mux.HandleFunc("POST /teams/v3/conversations/{id}/activities", p.teamsPost)
	p.Srv = httptest.NewServer(mux)
	return p
}

// Close stops the server.
func (p *Platform) Close() { p.Srv.Close() }

// SlackAPI is the base URL for SLACK_API_URL.
func (p *Platform) SlackAPI() string { return p.Srv.URL + "/api/" }

// TeamsServiceURL is the service URL Teams conversations are served from.
func (p *Platform) TeamsServiceURL() string { return p.Srv.URL + "/teams/" }

// TokenURL is the Teams token endpoint.
func (p *Platform) TokenURL() string { return p.Srv.URL + "/token" }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Platform) open(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	users := r.PostForm.Get("users")
	writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users}})
}

// admit takes a post through the limits and the faults; false when it was
// answered with a refusal.
func (p *Platform) admit(w http.ResponseWriter, conv string, slack bool) bool {
	p.mu.Lock()
	p.started++
	if p.first.IsZero() {
		p.first = time.Now()
	}
	ok := true
	if p.opts.Faults > 0 && rand.Float64() < p.opts.Faults {
		ok = false
		p.refused++
		p.mu.Unlock()
		if rand.IntN(2) == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		return false
	}
	if p.opts.Enforce && !p.take(conv, slack) {
		ok = false
		p.refused++
	}
	if ok {
		p.inFlight[platformOf(conv)]++
	}
	p.mu.Unlock()
	if !ok {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		if slack {
			writeJSON(w, map[string]any{"ok": false, "error": "ratelimited"})
		}
		return false
	}
	if p.opts.Latency > 0 {
		time.Sleep(p.opts.Latency)
	}
	return true
}

func (p *Platform) accepted(id string, conv string, msg map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight[platformOf(id)]--
	p.got[id]++
	p.last = time.Now()
	if msg != nil {
		p.history[conv] = append(p.history[conv], msg)
	}
}

func (p *Platform) slackPost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ch := r.PostForm.Get("channel")
	if strings.HasPrefix(ch, "U") {
		// Posted to a user id: Slack delivers it in their direct messages
		// with the app.
		ch = "D" + ch
	}
	if !p.admit(w, "slack:"+ch, true) {
		return
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	_ = json.Unmarshal([]byte(r.PostForm.Get("metadata")), &meta)
	key, _ := meta.EventPayload["key"].(string)
	id := "slack:" + key
	if key == "" {
		id = "slack:" + ch + ":" + r.PostForm.Get("text")
	}
	ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000)
	p.accepted(id, ch, map[string]any{"type": "message", "ts": ts, "text": r.PostForm.Get("text"),
		"metadata": map[string]any{"event_type": meta.EventType, "event_payload": meta.EventPayload}})
	writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
}

func (p *Platform) slackHistory(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ch := r.PostForm.Get("channel")
	p.mu.Lock()
	msgs := append([]map[string]any(nil), p.history[ch]...)
	p.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

func (p *Platform) teamsPost(w http.ResponseWriter, r *http.Request) {
	conv := r.PathValue("id")
	if !p.admit(w, "teams:"+conv, false) {
		_, _ = io.Copy(io.Discard, r.Body)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var act struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(body, &act)
	id := "teams:" + conv + ":" + act.Text
	if act.Text == "" {
		id = "teams:" + conv + ":" + string(body)
	}
	p.accepted(id, conv, nil)
	writeJSON(w, map[string]any{"id": fmt.Sprintf("act-%d", time.Now().UnixNano())})
}

// Counts are what the platform accepted.
type Counts struct {
	Messages int // distinct messages
	Doubled  int // accepted more than once (each extra copy counted)
	Started  int // posts that reached it
	Refused  int // answered 429 or 503
	InFlight int // started and not yet answered
	// Span is from the first post to the last accepted.
	Span time.Duration
}

// Counts reads the counters.
func (p *Platform) Counts() Counts { return p.CountsFor("") }

// CountsFor reads the messages and posts in flight of one platform
// ("slack" or "teams"; "" for both).
func (p *Platform) CountsFor(platform string) Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := Counts{Started: p.started, Refused: p.refused, Span: p.last.Sub(p.first)}
	for pl, n := range p.inFlight {
		if platform == "" || pl == platform {
			c.InFlight += n
		}
	}
	for id, n := range p.got {
		if platform != "" && platformOf(id) != platform {
			continue
		}
		c.Messages++
		c.Doubled += n - 1
	}
	return c
}

func platformOf(id string) string {
	s, _, _ := strings.Cut(id, ":")
	return s
}

// Has reports how many times a Slack message with key was accepted.
func (p *Platform) Has(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got["slack:"+key]
}

// bucket is the platform's own view of a limit.
type bucket struct {
	tokens float64
	at     time.Time
}

// take takes a token from every limit a post to conv is under (held: mu).
func (p *Platform) take(conv string, slack bool) bool {
	l := p.opts.Limits
	scale := l.Scale
	if scale <= 0 {
		scale = 1
	}
	var limits []struct {
		name string
		rate delivery.Rate
	}
	add := func(name string, rs []delivery.Rate) {
		for i, r := range rs {
			limits = append(limits, struct {
				name string
				rate delivery.Rate
			}{fmt.Sprintf("%s:%d", name, i), r})
		}
	}
	if slack {
		add(conv, l.SlackChannel)
		add("slack-workspace", l.SlackWorkspace)
	} else {
		add(conv, l.TeamsConversation)
		add("teams-tenant", l.TeamsTenant)
	}
	now := time.Now()
	// Allow a little slack for the two clocks' rounding: a tenth of a
	// token.
	for _, lim := range limits {
		b := p.bucket(lim.name, lim.rate, now, scale)
		if b.tokens < 0.9 {
			return false
		}
	}
	for _, lim := range limits {
		p.buckets[lim.name].tokens--
	}
	return true
}

func (p *Platform) bucket(name string, r delivery.Rate, now time.Time, scale float64) *bucket {
	b, ok := p.buckets[name]
	if !ok {
		b = &bucket{tokens: float64(r.N), at: now}
		p.buckets[name] = b
	}
	perSec := float64(r.N) / r.Per.Seconds() * scale
	b.tokens = min(float64(r.N), b.tokens+now.Sub(b.at).Seconds()*perSec)
	b.at = now
	return b
}
