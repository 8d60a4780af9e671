package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestMetricsCountSignInsAndPages: sign-ins by outcome and page views by
// page, and never a person in a label.
func TestMetricsCountSignInsAndPages(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	b := f.browser()
	token := f.link("pat")
	b.post("/signin", url.Values{"token": {token}}, nil)
	b.post("/signin", url.Values{"token": {token}}, nil)
	for _, path := range []string{"/", "/", "/overview", "/cases/1", "/report"} {
		b.get(path)
	}
	rec := httptest.NewRecorder()
	f.core.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	out := string(body)
	for _, want := range []string{
		`hpp_web_signins_total{outcome="ok"} 1`,
		`hpp_web_signins_total{outcome="used_or_expired"} 1`,
		`hpp_web_page_views_total{page="my-cases"} 2`,
		`hpp_web_page_views_total{page="overview"} 1`,
		`hpp_web_page_views_total{page="case"} 1`,
		`hpp_web_page_views_total{page="report"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "hpp_web_") && (strings.Contains(line, "console:") || strings.Contains(line, "pat") || strings.Contains(line, "HPP-")) {
			t.Errorf("a person or case in a label: %s", line)
		}
	}
}
