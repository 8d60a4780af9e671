package browsertest

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Two tiny pages under the Content-Security-Policy the web pages use (no
// inline script): one clean, one with deliberate faults axe-core must find.
const (
	cleanPage = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clean page</title>
<style>body{font-family:sans-serif;margin:1rem;color:#212b32;background:#fff} .box{max-width:40rem}</style></head>
<body><header><p>hppbot</p></header>
<main><h1>My cases</h1><div class="box"><p>You have no open cases.</p>
<label for="svc">Service</label> <input id="svc" name="svc"></div>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="A dot"></main></body></html>`

	faultyPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Faulty page</title></head>
<body><main><h1>Overview</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">
<input name="q">
<p style="color:#bbb;background:#fff">Low contrast text</p>
<div style="width:1000px">Too wide for a phone</div></main></body></html>`
)

func pages(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	serve := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
		}
	}
	mux.Handle("GET /clean", serve(cleanPage))
	mux.Handle("GET /faulty", serve(faultyPage))
	mux.HandleFunc("GET /sign-in", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/who", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /who", func(w http.ResponseWriter, r *http.Request) {
		who := "nobody"
		if c, err := r.Cookie("session"); err == nil {
			who = c.Value
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="en-GB"><head><title>Who</title></head><body><main><h1 id="who">` + who + `</h1></main></body></html>`))
	})
	mux.Handle("GET /export", serve(`<!doctype html><html lang="en-GB"><head><title>Export</title></head><body><main><h1>Export</h1><a id="csv" href="/export.csv">Download the cases (CSV)</a></main></body></html>`))
	mux.HandleFunc("GET /export.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="HPP-3.csv"`)
		_, _ = w.Write([]byte("case,state\nHPP-3,open\n"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAxeFindsFaultsAndPassesCleanPages(t *testing.T) {
	b := New(t)
	srv := pages(t)

	b.Open(srv.URL + "/faulty")
	vs := b.Axe()
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe-core missed %s on the faulty page; found %v", want, ids)
		}
	}
	report := Report(vs)
	if !strings.Contains(report, "image-alt (critical)") || !strings.Contains(report, "at img: <img") || !strings.Contains(report, "dequeuniversity.com") {
		t.Errorf("report isn't readable:\n%s", report)
	}

	b.Open(srv.URL + "/clean")
	if vs := b.Axe(); len(vs) > 0 {
		t.Errorf("the clean page has violations:\n%s", Report(vs))
	}
	b.CheckAxe() // and the helper agrees
}

func TestScreenshotsAtBothWidths(t *testing.T) {
	b := New(t)
	srv := pages(t)
	dir := ScreenshotDir(t)
	b.Open(srv.URL + "/clean")
	paths := b.SaveScreenshots(dir, "clean")
	if want := []string{filepath.Join(dir, "clean-1280.png"), filepath.Join(dir, "clean-320.png")}; !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	for i, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if w := img.Bounds().Dx(); w != Widths[i] {
			t.Errorf("%s is %d px wide, want %d", path, w, Widths[i])
		}
	}
	// At 320 px (the tab's width now) the clean page reflows; the faulty
	// one scrolls sideways.
	if b.Overflows() {
		t.Error("the clean page scrolls sideways at 320 px")
	}
	b.Open(srv.URL + "/faulty")
	if !b.Overflows() {
		t.Error("a 1000 px wide box didn't make the page scroll sideways at 320 px")
	}
	// Full page: a page taller than the window is captured whole.
	tall := Eval[bool](b, `document.body.style.height = "3000px"; true`)
	shot, err := png.Decode(bytes.NewReader(b.Screenshot(1280)))
	if err != nil || !tall {
		t.Fatal(err)
	}
	if h := shot.Bounds().Dy(); h < 3000 {
		t.Errorf("full-page screenshot is %d px tall, want the whole 3000 px page", h)
	}
}

func TestAxeVersionIsRecorded(t *testing.T) {
	if !strings.HasPrefix(AxeVersion, "axe-core 4.") || !strings.Contains(axeSource[:200], "axe v") {
		t.Errorf("axe/VERSION %q and axe.min.js don't look like axe-core 4: run fetch-axe.sh", AxeVersion)
	}
	lic, err := os.ReadFile("axe/LICENSE")
	if err != nil || !bytes.Contains(lic, []byte("Mozilla Public License")) {
		t.Errorf("axe/LICENSE must hold axe-core's licence (MPL-2.0): %v", err)
	}
}

func TestChromiumFromEnvironment(t *testing.T) {
	t.Setenv("HPP_CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	if path, ok := Chromium(); ok {
		t.Errorf("found %q where there is none", path)
	}
	t.Setenv("HPP_CHROMIUM", os.Args[0]) // any executable will do for the look-up
	if path, ok := Chromium(); !ok || path != os.Args[0] {
		t.Errorf("Chromium() = %q, %v; want HPP_CHROMIUM's %q", path, ok, os.Args[0])
	}
}

func TestDownload(t *testing.T) {
	b := New(t)
	srv := pages(t)
	b.Open(srv.URL + "/export")
	name, data := b.Download(chromedp.Click(chromedp.CSS("#csv")))
	if name != "HPP-3.csv" || string(data) != "case,state\nHPP-3,open\n" {
		t.Errorf("downloaded %q: %q", name, data)
	}
}

// Tests in one binary share a browser, but each has its own cookies: a
// sign-in in one test must not sign in the next.
func TestTabsKeepTheirOwnCookies(t *testing.T) {
	srv := pages(t)
	signedIn := New(t)
	signedIn.Open(srv.URL + "/sign-in")
	if who := Eval[string](signedIn, `document.getElementById("who").textContent`); who != "s1" {
		t.Fatalf("after sign-in the page says %q", who)
	}
	other := New(t)
	other.Open(srv.URL + "/who")
	if who := Eval[string](other, `document.getElementById("who").textContent`); who != "nobody" {
		t.Errorf("another test's tab sent the session cookie: %q", who)
	}
}

// Without Main, New starts a browser of the test's own.
func TestOwnBrowser(t *testing.T) {
	shared.on = false
	defer func() { shared.on = true }()
	b := New(t)
	b.Open(pages(t).URL + "/clean")
	if title := Eval[string](b, `document.title`); title != "Clean page" {
		t.Errorf("title %q", title)
	}
	if shared.ctx != nil && chromedp.FromContext(b.Ctx).Browser == chromedp.FromContext(shared.ctx).Browser {
		t.Error("the test's browser is the shared one")
	}
}
