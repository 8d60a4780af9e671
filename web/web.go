// Package web serves hppbot's read-only pages for a browser and the Teams
// personal tab: My cases, the service overview for pathway leads and
// admins, a case's status and whole timeline with its candour record as
// downloads, and a service's learning report. Pages are server-rendered
// html/template in the NHS.UK design system's markup, with its CSS embedded
// (assets/, fetched by scripts/fetch-frontend.sh), and work without
// JavaScript.
//
// Sign-in has no passwords: a private one-time link sent in chat (/hpp web)
// or, in the Teams tab, Teams single sign-on (Config.TeamsSSO). Who may see
// a case is decided by pathway.Access, the rule chat uses, and a case
// someone may not see is a 404, so case ids cannot be probed.
//
// It never changes a case, never shows a wellbeing answer (cases hold none,
// and the pages read cases only through the chat commands' own code), and
// never logs a link, a session or what a page shows.
package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
	"hppbot/store"
)

// Reader is how the pages read what chat shows: *handlers.Handler.
type Reader interface {
	// Read runs a read-only command line (status, timeline, export,
	// report) as a person, with chat's access rule.
	Read(ctx context.Context, person, line string) (bot.Reply, error)
	// LearningFigures are a report's figures, for the chart as SVG.
	LearningFigures(ctx context.Context, person, service string, days int) (report.Figures, string, error)
	// Access is chat's rule for who may see a case.
	Access() pathway.Access
}

// Metrics counts sign-ins by outcome and page views by page; never by
// person.
type Metrics interface {
	SignIn(outcome string)
	PageView(page string)
}

// Config wires the pages.
type Config struct {
	// PublicURL is where people reach hppbot (HPP_PUBLIC_URL): links are
	// made on it, and cookies are Secure when it is https.
	PublicURL *url.URL
	Store     *store.Store
	Reader    Reader
	Policy    *pathway.Policy
	Clock     func() time.Time // nil: time.Now
	Log       *slog.Logger     // nil: discarded
	Metrics   Metrics          // nil: not counted
	// SessionIdle ends a session after this long without a page
	// (HPP_WEB_SESSION_IDLE); SessionMax ends it this long after sign-in
	// whatever happens (HPP_WEB_SESSION_MAX). Zero: 30 minutes and 8 hours.
	SessionIdle, SessionMax time.Duration
	// TeamsSSO checks a Teams single sign-on token from the personal tab
	// and returns the person id the bot uses for its holder; nil: the tab
	// signs in by /hpp web's link only.
	TeamsSSO func(r *http.Request, token string) (person string, err error)
}

// Defaults for the session's lifetime.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 8 * time.Hour
	// LinkTTL is how long a sign-in link works.
	LinkTTL = 10 * time.Minute
)

//go:embed assets static
var files embed.FS

// Server serves the pages.
type Server struct {
	cfg   Config
	pages *pages
	mux   *http.ServeMux
}

// New builds the pages' server.
func New(cfg Config) (*Server, error) {
	if cfg.PublicURL == nil || cfg.Store == nil || cfg.Reader == nil || cfg.Policy == nil {
		return nil, errors.New("web: PublicURL, Store, Reader and Policy are needed")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = DefaultSessionMax
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, pages: p, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// ServeHTTP serves every page with the security headers. Mount it at "/"
// beside the other endpoints: every path no other route takes is its (an
// unknown one gets its "page not found").
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w)
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	static, _ := fs.Sub(files, "static")
	assets, _ := fs.Sub(files, "assets")
	s.mux.Handle("GET /assets/", cacheable(http.StripPrefix("/assets/", http.FileServerFS(assets))))
	s.mux.Handle("GET /static/", cacheable(http.StripPrefix("/static/", http.FileServerFS(static))))
	s.mux.HandleFunc("GET /signin/{token}", s.landing)
	s.mux.HandleFunc("POST /signin", s.signIn)
	s.mux.HandleFunc("POST /signout", s.signOut)
	s.mux.HandleFunc("GET /signed-out", s.signedOut)
	s.mux.HandleFunc("GET /tab", s.tab)
	s.mux.HandleFunc("POST /auth/teams", s.teamsSignIn)
	s.mux.HandleFunc("GET /{$}", s.signedIn("my-cases", s.myCases))
	s.mux.HandleFunc("GET /overview", s.signedIn("overview", s.overview))
	s.mux.HandleFunc("GET /cases/{id}", s.signedIn("case", s.casePage))
	s.mux.HandleFunc("GET /cases/{id}/{file}", s.signedIn("case-download", s.caseDownload))
	s.mux.HandleFunc("GET /report", s.signedIn("report", s.reportPage))
	s.mux.HandleFunc("GET /report/chart.svg", s.signedIn("report-chart", s.reportChart))
	s.mux.HandleFunc("GET /report/cases.csv", s.signedIn("report-cases", s.reportCases))
	s.mux.HandleFunc("GET /report/yearly.csv", s.signedIn("report-yearly", s.reportYearly))
	s.mux.HandleFunc("/", s.notFound)
}

// notFound is every other address.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", page{Title: "Page not found"})
}

type noMetrics struct{}

func (noMetrics) SignIn(string)   {}
func (noMetrics) PageView(string) {}

// PublicURL is where people reach the pages.
func (s *Server) PublicURL() string { return s.cfg.PublicURL.String() }

// https reports whether people reach the pages over TLS.
func (s *Server) https() bool { return strings.EqualFold(s.cfg.PublicURL.Scheme, "https") }
