// Package browsertest drives Debian's headless Chromium from tests (through
// github.com/chromedp/chromedp), runs axe-core on a page at the WCAG 2.2
// A/AA tags, and takes full-page screenshots at the widths the pages must
// work at. It is for tests only: it never starts a browser outside a test,
// and each browser gets a fresh profile that is thrown away.
//
// Without Chromium a browser test skips with one line saying how to run it;
// HPP_TEST_BROWSER=require (as .ci/run sets) makes that a failure.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// actionTimeout bounds each step, so a page that never loads fails the
// test instead of hanging it.
const actionTimeout = 30 * time.Second

// Chromium is the browser to run: HPP_CHROMIUM if set, else the first of
// chromium, chromium-browser, google-chrome and google-chrome-stable on
// PATH (Debian's package installs /usr/bin/chromium).
func Chromium() (string, bool) {
	if p := strings.TrimSpace(os.Getenv("HPP_CHROMIUM")); p != "" {
		path, err := exec.LookPath(p)
		return path, err == nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}

// Browser is a tab of headless Chromium for one test, with cookies and
// storage of its own.
type Browser struct {
	// Ctx is the tab's chromedp context: use it with chromedp.Do and
	// chromedp.Run for steps the helpers here don't cover. It lives until
	// the test ends; derive a timeout from it for a step, never for the
	// whole browser.
	Ctx context.Context
	t   testing.TB
}

// shared is the one browser of a test binary whose TestMain calls Main.
var shared struct {
	on     bool
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// Main runs a package's tests with one Chromium for them all (starting a
// browser takes seconds; a tab takes a moment), stopped and its profile
// removed when they end. Call it from TestMain:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// Without it, New starts a browser for each test.
func Main(m *testing.M) {
	shared.on = true
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

// allocatorOptions are how Chromium is started: headless, no sandbox (tests
// often run as root in containers), nothing fetched or synced in the
// background, a fresh profile in dir.
func allocatorOptions(path, dir string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
	)
}

// New opens a tab of headless Chromium for t, closed when t ends: in the
// package's shared browser (see Main) in a browser context of its own, so
// no cookie is carried from one test to another, else in a browser of its
// own with a fresh profile.
func New(t testing.TB) *Browser {
	t.Helper()
	path, ok := Chromium()
	if !ok {
		if os.Getenv("HPP_TEST_BROWSER") == "require" {
			t.Fatal("HPP_TEST_BROWSER=require but no Chromium was found: apt-get install chromium, or set HPP_CHROMIUM to the browser")
		}
		t.Skip("browser test skipped: no Chromium; to run it, apt-get install chromium (or set HPP_CHROMIUM to a Chrome binary)")
	}
	var ctx context.Context
	var cancel context.CancelFunc
	if shared.on {
		shared.once.Do(func() { startShared(path) })
		if shared.err != nil {
			t.Fatalf("Chromium (%s) did not start: %v", path, shared.err)
		}
		ctx, cancel = chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	} else {
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, t.TempDir())...)
		tab, cancelTab := chromedp.NewContext(allocCtx)
		ctx, cancel = tab, func() { cancelTab(); cancelAlloc() }
	}
	t.Cleanup(cancel)
	// The first Run starts the browser or opens the tab; it must not carry
	// a timeout, which would close them with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("Chromium (%s) did not start: %v", path, err)
	}
	return &Browser{Ctx: ctx, t: t}
}

// startShared starts the shared browser; the allocator removes its profile
// when Main cancels it.
func startShared(path string) {
	dir, err := os.MkdirTemp("", "hppbot-chromium-")
	if err != nil {
		shared.err = err
		return
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, dir)...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	shared.ctx = ctx
	shared.cancel = func() { cancelBrowser(); cancelAlloc(); _ = os.RemoveAll(dir) }
	shared.err = chromedp.Do(ctx)
}

// Do runs steps on the tab, each call bounded in time; an error fails the
// test.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Open loads url in the tab and waits for it to load.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url))
}

// Eval evaluates a JavaScript expression on the page into a T.
func Eval[T any](b *Browser, expression string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluating %.60q: %v", expression, err)
	}
	return v
}
