package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/store"
	"hppbot/store/storetest"
)

func TestFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    flags
		wantErr string
	}{
		{nil, flags{}, ""},
		{[]string{"--check-config"}, flags{checkConfig: true}, ""},
		{[]string{"-serve"}, flags{serve: true}, ""},
		{[]string{"--help"}, flags{help: true}, ""},
		{[]string{"--verbose"}, flags{}, "flag provided but not defined"},
		{[]string{"serve"}, flags{}, `unexpected "serve"`},
		{[]string{"--serve", "--check-config"}, flags{}, "don't go together"},
	}
	for _, tt := range tests {
		got, err := parseFlags(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err = %v; want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--nope"}, env(nil), strings.NewReader(""), &stdout, &stderr); code != 2 || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("unknown flag: exit %d, stderr %q; want 2 and one line", code, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"--help"}, env(nil), strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "--check-config") {
		t.Errorf("--help: exit %d, %q", code, stdout.String())
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	dead := "redis://:s3cret@" + addr(storetest.FreePort(t)) + "/0"
	tests := []struct {
		name   string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{"nothing set", nil, 0, "configuration OK: nation england, time zone Europe/London, policy built-in defaults, prompts built-in, surfaces none (the console), Redis not set", ""},
		{"Redis answers", map[string]string{"REDIS_URL": storetest.URL(), "HPP_NATION": "scotland", "HPP_TIMEZONE": "Europe/London", "MICROSOFT_APP_ID": "id", "MICROSOFT_APP_PASSWORD": "pw"},
			0, "nation scotland, time zone Europe/London, policy built-in defaults, prompts built-in, surfaces Teams, Redis at ", ""},
		{"Redis does not answer", map[string]string{"REDIS_URL": dead}, 1, "", "REDIS_URL: Redis at 127.0.0.1:"},
		{"bad value", map[string]string{"HPP_NATION": "mercia"}, 2, "", "HPP_NATION:"},
		{"bad URL", map[string]string{"REDIS_URL": "redis://:s3cret@host:port/0"}, 2, "", "REDIS_URL: isn't a URL I can read"},
		{"CA without TLS", map[string]string{"REDIS_URL": "redis://h", "HPP_REDIS_CA_FILE": notPEM}, 2, "", "HPP_REDIS_CA_FILE: is only used with a rediss://"},
		{"CA not PEM", map[string]string{"REDIS_URL": "rediss://h", "HPP_REDIS_CA_FILE": notPEM}, 2, "", "holds no PEM certificate"},
		{"CA missing", map[string]string{"REDIS_URL": "rediss://h", "HPP_REDIS_CA_FILE": filepath.Join(dir, "nope.pem")}, 2, "", "HPP_REDIS_CA_FILE: can't read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "Redis answers" && !redisAnswers() {
				if storetest.Required() {
					t.Fatalf("HPP_TEST_REDIS=require but %s does not answer", storetest.URL())
				}
				t.Skip("no Redis answering")
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run([]string{"--check-config"}, env(tt.env), strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d; want %d (stdout %q, stderr %q)", code, tt.code, stdout.String(), stderr.String())
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			out, errOut := stdout.String(), stderr.String()
			if !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", out, errOut, tt.stdout, tt.stderr)
			}
			if n := strings.Count(out+errOut, "\n"); n != 1 {
				t.Errorf("%d lines; want one:\n%s%s", n, out, errOut)
			}
			if strings.Contains(out+errOut, "s3cret") {
				t.Errorf("the output shows the Redis password: %s%s", out, errOut)
			}
		})
	}
}

func redisAnswers() bool {
	st, err := store.Connect(storetest.URL(), "hpp:")
	if err != nil {
		return false
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return st.Ping(ctx) == nil
}

// scrape returns the text GET /metrics serves.
func scrape(t *testing.T, m *app.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestRequestBodiesAreBounded(t *testing.T) {
	h := limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, tt := range []struct {
		size int
		code int
	}{{1000, http.StatusNoContent}, {maxBody, http.StatusNoContent}, {maxBody + 1, http.StatusRequestEntityTooLarge}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(make([]byte, tt.size))))
		if rec.Code != tt.code {
			t.Errorf("%d bytes: %d; want %d", tt.size, rec.Code, tt.code)
		}
	}
}
