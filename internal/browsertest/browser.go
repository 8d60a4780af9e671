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

// Browser is one headless Chromium with one tab, for one test.
type Browser struct {
	// Ctx is the tab's chromedp context: use it with chromedp.Do and
	// chromedp.Run for steps the helpers here don't cover. It lives until
	// the test ends; derive a timeout from it for a step, never for the
	// whole browser.
	Ctx context.Context
	t   testing.TB
}

// New starts headless Chromium for t with a fresh profile, stopped when t
// ends.
func New(t testing.TB) *Browser {
	t.Helper()
	path, ok := Chromium()
	if !ok {
		if os.Getenv("HPP_TEST_BROWSER") == "require" {
			t.Fatal("HPP_TEST_BROWSER=require but no Chromium was found: apt-get install chromium, or set HPP_CHROMIUM to the browser")
		}
		t.Skip("browser test skipped: no Chromium; to run it, apt-get install chromium (or set HPP_CHROMIUM to a Chrome binary)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests often run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout, which
	// would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("Chromium (%s) did not start: %v", path, err)
	}
	return &Browser{Ctx: ctx, t: t}
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
