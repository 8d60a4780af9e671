package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hppbot/delivery"
	"hppbot/pathway"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestBadConfigurationStopsWithOneLineNamingTheVariable(t *testing.T) {
	dir := t.TempDir()
	badPolicy := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(badPolicy, []byte("default_every: 7d\nnudge_repeet: 1wd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badSpan := filepath.Join(dir, "span.yaml")
	if err := os.WriteFile(badSpan, []byte("candour:\n  notify_within: ten days\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conflict := filepath.Join(dir, "nation.yaml")
	if err := os.WriteFile(conflict, []byte("nation: wales\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"REDIS_URL": "localhost:6379"}, "REDIS_URL: should start with redis:// or rediss://"},
		{map[string]string{"HPP_ADDR": "eighty"}, "HPP_ADDR:"},
		{map[string]string{"HPP_NATION": "englnd"}, `HPP_NATION: "englnd" is not a nation I know`},
		{map[string]string{"HPP_TIMEZONE": "Mars/Olympus"}, "HPP_TIMEZONE:"},
		{map[string]string{"HPP_LOG_LEVEL": "loud"}, "HPP_LOG_LEVEL:"},
		{map[string]string{"HPP_SLACK_RATE_CHANNEL": "fast"}, `HPP_SLACK_RATE_CHANNEL: "fast" is not a rate`},
		{map[string]string{"HPP_TEAMS_RATE_CONVERSATION": "7/1s,0/30s"}, "HPP_TEAMS_RATE_CONVERSATION:"},
		{map[string]string{"HPP_REDIS_PREFIX": "hpp{x}:"}, "HPP_REDIS_PREFIX:"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET: is needed too"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN: is needed with SLACK_APP_TOKEN"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN: should be an app-level token"},
		{map[string]string{"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y", "SLACK_API_URL": "slack"}, "SLACK_API_URL:"},
		{map[string]string{"MICROSOFT_APP_ID": "id"}, "MICROSOFT_APP_PASSWORD: is needed too"},
		{map[string]string{"BOTFRAMEWORK_TOKEN_URL": "ftp://x"}, "BOTFRAMEWORK_TOKEN_URL:"},
		{map[string]string{"HPP_POLICY_FILE": filepath.Join(dir, "missing.yaml")}, "HPP_POLICY_FILE: can't read"},
		{map[string]string{"HPP_POLICY_FILE": badPolicy}, `line 2: unknown key "nudge_repeet"`},
		{map[string]string{"HPP_POLICY_FILE": badSpan}, "line 2: notify_within:"},
		{map[string]string{"HPP_POLICY_FILE": conflict, "HPP_NATION": "england"}, "nation is wales but HPP_NATION is england"},
		{map[string]string{"HPP_PROMPTS_DIR": filepath.Join(dir, "nope")}, "HPP_PROMPTS_DIR:"},
		{map[string]string{"MICROSOFT_APP_ID": "11111111-2222-3333-4444-555555555555", "MICROSOFT_APP_PASSWORD": "p", "HPP_PUBLIC_URL": "https://hppbot.example.nhs.uk", "HPP_ENTRA_TENANTS": "nhs.net"}, "HPP_ENTRA_TENANTS: \"nhs.net\" is not a tenant id"},
		{map[string]string{"HPP_PUBLIC_URL": "https://hppbot.example.nhs.uk", "MICROSOFT_APP_ID": "11111111-2222-3333-4444-555555555555", "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TENANT_ID": "00000000-0000-4000-8000-00000000a001", "HPP_ENTRA_AUTHORITY": "login"}, "HPP_ENTRA_AUTHORITY:"},
		{map[string]string{"HPP_PUBLIC_URL": "hppbot.trust.nhs.uk"}, "HPP_PUBLIC_URL:"},
		{map[string]string{"HPP_PUBLIC_URL": "https://hppbot.example/pages"}, "HPP_PUBLIC_URL: \"https://hppbot.example/pages\" has a path"},
		{map[string]string{"HPP_PUBLIC_URL": "https://user:pw@hppbot.example"}, "HPP_PUBLIC_URL:"},
		{map[string]string{"HPP_WEB_SESSION_IDLE": "forever"}, "HPP_WEB_SESSION_IDLE:"},
		{map[string]string{"HPP_WEB_SESSION_MAX": "10s"}, "HPP_WEB_SESSION_MAX:"},
		{map[string]string{"HPP_WEB_SESSION_IDLE": "9h"}, "HPP_WEB_SESSION_IDLE: (9h0m0s) is longer than HPP_WEB_SESSION_MAX"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(nil, env(tt.env), strings.NewReader(""), &stdout, &stderr)
		if code != 2 {
			t.Errorf("%v: exit %d; want 2", tt.env, code)
		}
		msg := stderr.String()
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%v: stderr = %q; want it to contain %q", tt.env, msg, tt.want)
		}
		if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
			t.Errorf("%v: more than one line: %q", tt.env, msg)
		}
	}
}

// TestWebSettings: HPP_PUBLIC_URL switches the pages on, with the session
// limits read; a trailing slash is dropped.
func TestWebSettings(t *testing.T) {
	c, err := readConfig(env(map[string]string{"HPP_PUBLIC_URL": "https://hppbot.example/", "HPP_WEB_SESSION_IDLE": "15m", "HPP_WEB_SESSION_MAX": "2h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL.String() != "https://hppbot.example" || c.WebIdle != 15*time.Minute || c.WebMax != 2*time.Hour {
		t.Errorf("got %v %v %v", c.PublicURL, c.WebIdle, c.WebMax)
	}
	c, err = readConfig(env(nil))
	if err != nil || c.PublicURL != nil || c.WebIdle != 30*time.Minute || c.WebMax != 8*time.Hour {
		t.Errorf("defaults: %v %v %v %v", c.PublicURL, c.WebIdle, c.WebMax, err)
	}
}

func TestPolicyFileIsApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte("nation: wales\nmax_snooze: 1d\ncommitments: [communication]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := readConfig(env(map[string]string{"HPP_POLICY_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy
	if p.Nation != pathway.Wales || p.Candour.WrittenFrom != "notified" || p.MaxSnooze.String() != "1d" || len(p.Commitments) != 1 {
		t.Errorf("policy = %+v", p)
	}
	if !cfg.console() {
		t.Errorf("with no platform set, the console runs")
	}
}

func TestConsoleRunsWithNothingSet(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(nil, env(map[string]string{}), strings.NewReader("/hpp open INC-5 harm=low Slip in the bathroom\n/hpp list\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "HPP-1 is open") || !strings.Contains(stdout.String(), "Your open cases — 1 case") {
		t.Errorf("console transcript:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "nothing is kept") || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Errorf("the embedded-store warning should be one line: %q", stderr.String())
	}
}

// Exports hold a case's candour record: the console saves them where
// HPP_FILES_DIR says, and the default folder is git-ignored, as the README
// says, so they are never one `git add .` from a commit.
func TestFilesDirIsConfigurableAndIgnoredByDefault(t *testing.T) {
	cfg, err := readConfig(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(".gitignore")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(ignore), "\n/"+cfg.FilesDir+"/\n") {
		t.Errorf(".gitignore does not ignore the default files folder %q", cfg.FilesDir)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`HPP_FILES_DIR`") || !strings.Contains(string(readme), "`"+cfg.FilesDir+"/`") {
		t.Errorf("README does not name HPP_FILES_DIR and the default folder %q", cfg.FilesDir)
	}

	dir := filepath.Join(t.TempDir(), "exports")
	var stdout, stderr bytes.Buffer
	code := run(nil, env(map[string]string{"HPP_FILES_DIR": dir}), strings.NewReader("/hpp open INC-5 harm=low Slip in the bathroom\n/hpp export HPP-1\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	saved, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(saved) == 0 || !strings.Contains(stdout.String(), dir) {
		t.Errorf("export not saved in HPP_FILES_DIR %s (found %v):\n%s", dir, saved, stdout.String())
	}
}

func TestRatesDefaultToThePlatformsDocumentedLimits(t *testing.T) {
	cfg, err := readConfig(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]delivery.Rate{
		"1/1s": cfg.Limits.SlackChannel, "300/1m": cfg.Limits.SlackWorkspace,
		"7/1s,60/30s,1800/1h": cfg.Limits.TeamsConversation, "30/1s": cfg.Limits.TeamsTenant,
	} {
		if delivery.FormatRates(got) != name {
			t.Errorf("default %s; want %s", delivery.FormatRates(got), name)
		}
	}
	cfg, err = readConfig(env(map[string]string{"HPP_SLACK_RATE_WORKSPACE": "600/1m"}))
	if err != nil || delivery.FormatRates(cfg.Limits.SlackWorkspace) != "600/1m" {
		t.Errorf("HPP_SLACK_RATE_WORKSPACE=600/1m gave %v, %v", cfg.Limits.SlackWorkspace, err)
	}
}
