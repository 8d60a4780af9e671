// Package slack is hppbot in Slack: the slash command (/hpp), messages in
// its Messages tab, buttons, modals and the App Home, received over HTTP
// (signed requests) or Socket Mode with the same handlers, and the
// bot.Messenger the scheduler sends direct messages and channel posts
// through. It renders bot.Reply as Block Kit within Slack's limits and keeps
// everything Slack-specific to itself.
//
// Every HTTP request's signature is checked before anything else; one that
// fails gets 401 and changes nothing. Slack wants an answer within three
// seconds: a command that takes longer is acknowledged and answered through
// the response_url when it is done. The typed-command path makes no Web API
// call: names are looked up in the background and cached. A request Slack
// sends again (a retry, a replay) changes nothing twice (see replay.go).
//
// It never logs what people typed, notes, summaries or tokens — only command
// names, ids and outcomes.
package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// Handler answers commands (the handlers package).
type Handler interface {
	// Run answers a command and returns the error an error reply stands for.
	Run(ctx context.Context, req bot.Request) (bot.Reply, error)
	// Home is a person's own page: their open cases.
	Home(ctx context.Context, person string) bot.Reply
}

// NameBook remembers people's display names (store.Names).
type NameBook interface {
	Remember(ctx context.Context, person, name string)
	Lookup(ctx context.Context, people []string) map[string]string
}

// Config wires a Surface.
type Config struct {
	Token         string // bot token, xoxb-…: every Web API call
	SigningSecret string // verifies HTTP requests; empty: HTTP mode off
	AppToken      string // app-level token, xapp-…: Socket Mode
	APIURL        string // Web API base URL ending in "/"; empty: Slack's
	Command       string // the slash command, e.g. "/hpp"
	Handler       Handler
	Names         NameBook // optional
	// Requests remembers requests answered lately, so one Slack sends again
	// changes nothing twice, on any replica (store.Store). Optional: without
	// it every request is answered as new.
	Requests Requests
	Log      *slog.Logger
	// HTTPClient makes the Web API calls and response_url posts. Default:
	// a client with a 15-second timeout.
	HTTPClient *http.Client
	// AckWithin is how long a command may run before Slack is answered and
	// the reply follows through the response_url. Default 2.5 seconds
	// (Slack gives up at 3).
	AckWithin time.Duration
	// WorkTimeout bounds work that goes on after the acknowledgement: a slow
	// command, a file upload, the App Home. Default one minute.
	WorkTimeout time.Duration
	// MaxRetryWait is the longest Retry-After that is waited out when Slack
	// says "too many requests"; a longer one fails the call, and the caller
	// (the scheduler) tries again later. Default 20 seconds.
	MaxRetryWait time.Duration
	// Retries bounds the retries of one Web API call after 429. Default 3.
	Retries int
}

// Surface is hppbot in one Slack workspace.
type Surface struct {
	cfg    Config
	api    *slack.Client
	client *http.Client
	log    *slog.Logger

	dmMu sync.Mutex
	dms  map[string]string // Slack user id -> their direct-message channel with hppbot

	names nameCache

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // work that goes on after a request is answered

	// Workers that ran earlier work and wait for more (see async).
	work chan func()   // unbuffered: a send succeeds only when one is idle
	quit chan struct{} // closed by Close: idle workers exit

}

// New returns a Surface.
func New(cfg Config) (*Surface, error) {
	if cfg.Token == "" {
		return nil, errors.New("slack: a bot token is needed")
	}
	if cfg.Handler == nil {
		return nil, errors.New("slack: a handler is needed")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Command == "" {
		cfg.Command = "/hpp"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 2500 * time.Millisecond
	}
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = time.Minute
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 20 * time.Second
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 3
	}
	log := cfg.Log.With("surface", bot.Slack)
	opts := []slack.Option{
		slack.OptionHTTPClient(cfg.HTTPClient),
		// After OptionHTTPClient, so the retries wrap that client.
		slack.OptionRetryConfig(slack.RetryConfig{
			MaxRetries: cfg.Retries,
			Handlers:   []slack.RetryHandler{rateLimitRetry{max: cfg.MaxRetryWait, log: log}},
		}),
	}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	return &Surface{
		cfg:    cfg,
		api:    slack.New(cfg.Token, opts...),
		client: cfg.HTTPClient,
		log:    log,
		dms:    map[string]string{},
		names:  nameCache{entries: map[string]nameEntry{}, pending: map[string]bool{}},
		work:   make(chan func()),
		quit:   make(chan struct{}),
	}, nil
}

// Close waits for work still going on after its request was answered: late
// replies, uploads, the App Home. Call it after the HTTP server and Socket
// Mode have stopped.
func (s *Surface) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// workerIdle is how long a worker waits for more work before it exits.
const workerIdle = 30 * time.Second

// async runs fn in the background, tracked so Close can wait for it. Once
// the surface is closed it runs fn in place instead.
//
// fn goes to an idle worker when there is one, else to a new one. A command
// runs deep (the handler, the store, the Redis client), and a fresh
// goroutine would grow its stack, copying it, on every command; a worker
// keeps the stack it grew for the next.
func (s *Surface) async(fn func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		fn()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	select {
	case s.work <- fn:
	default:
		go s.worker(fn)
	}
}

// worker runs fn, then whatever async hands it, until it has been idle for
// workerIdle or the surface closes.
func (s *Surface) worker(fn func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		s.run(fn)
		idle.Reset(workerIdle)
		select {
		case fn = <-s.work:
		case <-idle.C:
			return
		case <-s.quit:
			return
		}
	}
}

// run runs one piece of async work.
func (s *Surface) run(fn func()) {
	defer s.wg.Done()
	fn()
}

// workContext is the context for work that outlives the request that
// started it: values kept, cancellation dropped, bounded by WorkTimeout.
func (s *Surface) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WorkTimeout)
}

// request builds the handlers' request for a Slack user in a channel.
func (s *Surface) request(userID, userName, channelID, text string) bot.Request {
	req := bot.Request{
		Surface:  bot.Slack,
		Person:   bot.PersonID(bot.Slack, userID),
		Name:     s.displayName(userID, userName),
		Text:     text,
		Personal: channelID == "" || isDirect(channelID), // no channel: the App Home
	}
	if channelID != "" {
		req.Channel = bot.PersonID(bot.Slack, channelID)
	}
	s.learnMentioned(text)
	return req
}

// isDirect reports whether a channel id is a direct-message conversation
// (Slack's ids for those start with D).
func isDirect(channelID string) bool { return strings.HasPrefix(channelID, "D") }

// rateLimitRetry waits out Slack's "too many requests" for as long as its
// Retry-After asks, up to max; a longer wait, or a request that has used
// its retries, fails with slack's *RateLimitedError for the caller to handle.
type rateLimitRetry struct {
	max time.Duration
	log *slog.Logger
}

// ShouldRetry implements slack.RetryHandler.
func (h rateLimitRetry) ShouldRetry(state *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || state.Attempt >= state.MaxRetries || oneAttempt(req.Context()) {
		return false, 0
	}
	wait := time.Second
	if sec, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && sec > 0 {
		wait = time.Duration(sec) * time.Second
	}
	if wait > h.max {
		return false, 0
	}
	h.log.Info("slack asked us to slow down; retrying", "method", path.Base(req.URL.Path), "after", wait, "attempt", state.Attempt+1)
	return true, wait
}
