package main

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/prompts"
	"hppbot/store"
	"hppbot/web/entra"
)

// config is the environment, read and checked at start-up. A bad value stops
// hppbot with one line naming the variable and what is wrong.
type config struct {
	RedisURL    string
	RedisCA     *x509.CertPool // HPP_REDIS_CA_FILE: the CA that signed Redis's TLS certificate
	Addr        string
	AddrSet     bool // HPP_ADDR was given: the console serves the health and metrics endpoints too
	Prefix      string
	LogLevel    slog.Level
	Admins      []string
	PolicyFile  string
	PromptsDir  string
	FilesDir    string // HPP_FILES_DIR: where the console saves exports and charts
	Policy      *pathway.Policy
	Prompts     *prompts.Library
	SlackToken  string
	SlackSecret string
	SlackApp    string
	SlackAPI    string
	SlackCmd    string
	TeamsID     string
	TeamsPass   string
	TeamsTenant string
	OpenIDURL   string
	TokenURL    string
	Serve       bool // --serve: the HTTP server even with no chat platform configured
	// TeamsSSO is the Teams tab's single sign-on (ssoconfig.go), nil when
	// off; TeamsSSOOff says why it is off.
	TeamsSSO    *entra.Config
	TeamsSSOOff string
	// PublicURL is HPP_PUBLIC_URL: where people reach the web pages; nil:
	// the pages are off.
	PublicURL *url.URL
	// WebIdle and WebMax are HPP_WEB_SESSION_IDLE and HPP_WEB_SESSION_MAX.
	WebIdle, WebMax time.Duration
	// Limits pace what the bot sends on its own: HPP_SLACK_RATE_CHANNEL,
	// HPP_SLACK_RATE_WORKSPACE, HPP_TEAMS_RATE_CONVERSATION,
	// HPP_TEAMS_RATE_TENANT.
	Limits delivery.Limits
}

// rateVars are the variables that set the delivery queue's limits, each
// with the limit it sets.
func rateVars(l *delivery.Limits) []struct {
	name string
	dst  *[]delivery.Rate
} {
	return []struct {
		name string
		dst  *[]delivery.Rate
	}{
		{"HPP_SLACK_RATE_CHANNEL", &l.SlackChannel},
		{"HPP_SLACK_RATE_WORKSPACE", &l.SlackWorkspace},
		{"HPP_TEAMS_RATE_CONVERSATION", &l.TeamsConversation},
		{"HPP_TEAMS_RATE_TENANT", &l.TeamsTenant},
	}
}

// configError names the variable at fault.
type configError struct {
	Var string
	Msg string
}

func (e *configError) Error() string { return e.Var + ": " + e.Msg }

// readConfig reads the environment through get (os.Getenv in main).
func readConfig(get func(string) string) (*config, error) {
	c := &config{
		RedisURL:    strings.TrimSpace(get("REDIS_URL")),
		Addr:        or(get("HPP_ADDR"), ":8080"),
		Prefix:      or(get("HPP_REDIS_PREFIX"), "hpp:"),
		PolicyFile:  strings.TrimSpace(get("HPP_POLICY_FILE")),
		PromptsDir:  strings.TrimSpace(get("HPP_PROMPTS_DIR")),
		FilesDir:    or(get("HPP_FILES_DIR"), "hppbot-files"),
		SlackToken:  strings.TrimSpace(get("SLACK_BOT_TOKEN")),
		SlackSecret: strings.TrimSpace(get("SLACK_SIGNING_SECRET")),
		SlackApp:    strings.TrimSpace(get("SLACK_APP_TOKEN")),
		SlackAPI:    strings.TrimSpace(get("SLACK_API_URL")),
		SlackCmd:    or(get("HPP_SLACK_COMMAND"), "/hpp"),
		TeamsID:     strings.TrimSpace(get("MICROSOFT_APP_ID")),
		TeamsPass:   strings.TrimSpace(get("MICROSOFT_APP_PASSWORD")),
		TeamsTenant: strings.TrimSpace(get("MICROSOFT_APP_TENANT_ID")),
		OpenIDURL:   or(get("BOTFRAMEWORK_OPENID_METADATA"), "https://login.botframework.com/v1/.well-known/openidconfiguration"),
		TokenURL:    or(get("BOTFRAMEWORK_TOKEN_URL"), "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"),
	}
	c.Limits = delivery.DefaultLimits()
	for _, v := range rateVars(&c.Limits) {
		if raw := strings.TrimSpace(get(v.name)); raw != "" {
			rs, err := delivery.ParseRates(raw)
			if err != nil {
				return nil, &configError{v.name, err.Error()}
			}
			*v.dst = rs
		}
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return nil, &configError{"REDIS_URL", "should start with redis:// or rediss:// (for example redis://127.0.0.1:6379/0)"}
	}
	if c.RedisURL != "" {
		if _, err := store.Options(c.RedisURL); err != nil {
			return nil, &configError{"REDIS_URL", err.Error()}
		}
	}
	c.AddrSet = strings.TrimSpace(get("HPP_ADDR")) != ""
	if ca := strings.TrimSpace(get("HPP_REDIS_CA_FILE")); ca != "" {
		if !strings.HasPrefix(c.RedisURL, "rediss://") {
			return nil, &configError{"HPP_REDIS_CA_FILE", "is only used with a rediss:// REDIS_URL (Redis over TLS)"}
		}
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, &configError{"HPP_REDIS_CA_FILE", fmt.Sprintf("can't read %s: %v", ca, unwrapPathError(err))}
		}
		c.RedisCA = x509.NewCertPool()
		if !c.RedisCA.AppendCertsFromPEM(pem) {
			return nil, &configError{"HPP_REDIS_CA_FILE", fmt.Sprintf("%s holds no PEM certificate", ca)}
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return nil, &configError{"HPP_ADDR", fmt.Sprintf("%q should be an address to listen on, such as :8080 or 127.0.0.1:8080", c.Addr)}
	}
	if strings.ContainsAny(c.Prefix, " {}") {
		return nil, &configError{"HPP_REDIS_PREFIX", "should not contain spaces or braces (braces are used for Redis Cluster hash tags)"}
	}
	switch strings.ToLower(or(get("HPP_LOG_LEVEL"), "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return nil, &configError{"HPP_LOG_LEVEL", fmt.Sprintf("%q should be debug, info, warn or error", get("HPP_LOG_LEVEL"))}
	}
	for _, a := range strings.Split(get("HPP_ADMINS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}
	if (c.SlackToken == "") != (c.SlackSecret == "") && c.SlackApp == "" {
		missing := "SLACK_SIGNING_SECRET"
		if c.SlackToken == "" {
			missing = "SLACK_BOT_TOKEN"
		}
		return nil, &configError{missing, "is needed too: Slack over HTTP needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"}
	}
	if c.SlackApp != "" && c.SlackToken == "" {
		return nil, &configError{"SLACK_BOT_TOKEN", "is needed with SLACK_APP_TOKEN: Socket Mode uses the bot token to reply"}
	}
	if c.SlackApp != "" && !strings.HasPrefix(c.SlackApp, "xapp-") {
		return nil, &configError{"SLACK_APP_TOKEN", "should be an app-level token starting xapp- (Socket Mode)"}
	}
	if c.SlackAPI != "" {
		if u, err := url.Parse(c.SlackAPI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &configError{"SLACK_API_URL", fmt.Sprintf("%q should be a URL such as https://slack.com/api/", c.SlackAPI)}
		}
		if !strings.HasSuffix(c.SlackAPI, "/") {
			c.SlackAPI += "/"
		}
	}
	if !strings.HasPrefix(c.SlackCmd, "/") || strings.ContainsAny(c.SlackCmd, " \t") {
		return nil, &configError{"HPP_SLACK_COMMAND", fmt.Sprintf("%q should be a slash command such as /hpp", c.SlackCmd)}
	}
	if (c.TeamsID == "") != (c.TeamsPass == "") {
		missing := "MICROSOFT_APP_PASSWORD"
		if c.TeamsID == "" {
			missing = "MICROSOFT_APP_ID"
		}
		return nil, &configError{missing, "is needed too: Teams needs both MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD"}
	}
	for _, v := range []struct{ name, val string }{{"BOTFRAMEWORK_OPENID_METADATA", c.OpenIDURL}, {"BOTFRAMEWORK_TOKEN_URL", c.TokenURL}} {
		if u, err := url.Parse(v.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &configError{v.name, fmt.Sprintf("%q should be an http or https URL", v.val)}
		}
	}

	sso, ssoOff, err := readTeamsSSO(get)
	if err != nil {
		return nil, err
	}
	c.TeamsSSO, c.TeamsSSOOff = sso, ssoOff
	if err := c.readWeb(get); err != nil {
		return nil, err
	}

	nation := pathway.England
	nationSet := strings.TrimSpace(get("HPP_NATION")) != ""
	if nationSet {
		n, err := pathway.ParseNation(get("HPP_NATION"))
		if err != nil {
			return nil, &configError{"HPP_NATION", err.Error()}
		}
		nation = n
	}
	tz := or(get("HPP_TIMEZONE"), "Europe/London")
	tzSet := strings.TrimSpace(get("HPP_TIMEZONE")) != ""
	if c.PolicyFile != "" {
		data, err := os.ReadFile(c.PolicyFile)
		if err != nil {
			return nil, &configError{"HPP_POLICY_FILE", fmt.Sprintf("can't read %s: %v", c.PolicyFile, unwrapPathError(err))}
		}
		p, err := pathway.ParsePolicy(data, nation, tz, nationSet, tzSet)
		if err != nil {
			return nil, &configError{"HPP_POLICY_FILE", fmt.Sprintf("%s: %v", c.PolicyFile, err)}
		}
		c.Policy = p
	} else {
		p, err := pathway.DefaultPolicy(nation, tz)
		if err != nil {
			return nil, &configError{"HPP_TIMEZONE", err.Error()}
		}
		c.Policy = p
	}
	if c.PromptsDir != "" {
		if st, err := os.Stat(c.PromptsDir); err != nil || !st.IsDir() {
			return nil, &configError{"HPP_PROMPTS_DIR", fmt.Sprintf("%s is not a folder I can read", c.PromptsDir)}
		}
	}
	lib, err := prompts.Load(c.PromptsDir)
	if err != nil {
		return nil, &configError{"HPP_PROMPTS_DIR", err.Error()}
	}
	c.Prompts = lib
	return c, nil
}

// readWeb reads the web pages' settings: HPP_PUBLIC_URL, an http(s) URL
// with a host and no query (a path is kept: the pages may sit under one
// behind a proxy), and the session's idle and absolute limits.
func (c *config) readWeb(get func(string) string) error {
	if raw := strings.TrimSpace(get("HPP_PUBLIC_URL")); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return &configError{"HPP_PUBLIC_URL", fmt.Sprintf("%q should be the address people reach hppbot at, such as https://hppbot.trust.nhs.uk", raw)}
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		if u.Path != "" {
			return &configError{"HPP_PUBLIC_URL", fmt.Sprintf("%q has a path: the pages are served at the root of a host, so give only the scheme and host, such as https://hppbot.trust.nhs.uk", raw)}
		}
		c.PublicURL = u
	}
	for _, v := range []struct {
		name string
		to   *time.Duration
		def  time.Duration
	}{{"HPP_WEB_SESSION_IDLE", &c.WebIdle, 30 * time.Minute}, {"HPP_WEB_SESSION_MAX", &c.WebMax, 8 * time.Hour}} {
		*v.to = v.def
		raw := strings.TrimSpace(get(v.name))
		if raw == "" {
			continue
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			return &configError{v.name, fmt.Sprintf("%q should be a length of time from 1m to 720h, such as 30m or 8h", raw)}
		}
		*v.to = d
	}
	if c.WebIdle > c.WebMax {
		return &configError{"HPP_WEB_SESSION_IDLE", fmt.Sprintf("(%s) is longer than HPP_WEB_SESSION_MAX (%s): a session can't stay idle longer than it lasts", c.WebIdle, c.WebMax)}
	}
	return nil
}

// console reports whether no chat platform is configured (and --serve was
// not given): then hppbot runs the terminal console.
func (c *config) console() bool {
	return !c.Serve && c.SlackToken == "" && c.SlackApp == "" && c.TeamsID == ""
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
