package web_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"hppbot/internal/browsertest"
)

// The pages in headless Chromium: sign-in by link, every page, the
// overview's filters and sort by keyboard alone, the downloads, and axe-core
// on every page (zero violations at WCAG 2.2 A/AA), with no sideways
// scrolling at 320 px and a screenshot at 1280 and 320 px of each. Run with
// HPP_TEST_SCREENSHOTS=<dir> to keep the screenshots and look at them.

// One Chromium for the package's tests; each test has its own cookies.
func TestMain(m *testing.M) { browsertest.Main(m) }

// waitFor polls a JavaScript condition until it holds (a page loaded after
// a click or a key), failing the test after ten seconds.
func waitFor(t *testing.T, b *browsertest.Browser, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !browsertest.Eval[bool](b, `document.readyState === "complete" && (`+cond+`)`) {
		if time.Now().After(deadline) {
			t.Fatalf("the page at %s never showed %s", browsertest.Eval[string](b, `location.href`), cond)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// heading is the page's h1, as a person reads it.
func heading(b *browsertest.Browser) string {
	return strings.TrimSpace(browsertest.Eval[string](b, `(document.querySelector("h1") || {}).textContent || ""`))
}

// lookAt checks the page now open as a person would meet it: axe-core finds
// nothing at the WCAG 2.2 A/AA tags, the page doesn't scroll sideways at
// 320 px (a wide table scrolls inside its own labelled region instead), no
// wellbeing answer is anywhere in it; and saves it at 1280 and 320 px as
// name-1280.png and name-320.png. The tab is back at 1280 px afterwards.
func lookAt(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	b.CheckAxe()
	b.SaveScreenshots(browsertest.ScreenshotDir(t), name)
	if b.Overflows() { // the tab is at 320 px now
		t.Errorf("%s scrolls sideways at 320 px", name)
	}
	// Nor is anything cut off at the side (clipped by a box too narrow for
	// it), except in a table's own scrolling region, labelled and reachable
	// by keyboard.
	if cut := browsertest.Eval[[]string](b, clippedAtSide); len(cut) > 0 {
		t.Errorf("%s at 320 px: these reach past the screen's edge outside a labelled scrolling region: %v", name, cut)
	}
	html := browsertest.Eval[string](b, `document.documentElement.outerHTML`)
	for _, a := range wellbeingAnswers {
		if strings.Contains(html, a) {
			t.Errorf("%s shows a wellbeing answer %q", name, a)
		}
	}
	b.Do(chromedp.EmulateViewport(1280, 800))
}

// clippedAtSide lists the elements (up to five) that reach past the
// right-hand edge of the screen and aren't inside a scrolling region or
// visually hidden (for screen readers only, as a responsive table's headings
// are at 320 px).
const clippedAtSide = `(() => {
  const hiddenByClip = e => {
    for (; e; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.clip !== "auto" || st.clipPath !== "none") { return true; } // visually hidden, for screen readers
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *")).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > document.documentElement.clientWidth + 1 &&
      !e.closest('[role="region"][aria-labelledby][tabindex="0"]') && !hiddenByClip(e);
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).trim().split(/\s+/).join(".") : ""));
})()`

// browserSignIn opens a new tab and signs person in the way they would: the
// link from /hpp web, its page, the Sign in button. It returns the tab on
// My cases and the link's token.
func browserSignIn(t *testing.T, f *fixture, person string) (*browsertest.Browser, string) {
	t.Helper()
	b := browsertest.New(t)
	token := f.link(person)
	b.Open(f.public.String() + "/signin/" + token)
	if h := heading(b); h != "Sign in to hppbot" {
		t.Fatalf("the link's page says %q", h)
	}
	b.Do(chromedp.Click(chromedp.CSS(`form[action="/signin"] button`)))
	waitFor(t, b, `location.pathname === "/" && !!document.querySelector("h1")`)
	if h := heading(b); h != "My cases" {
		t.Fatalf("after signing in the page says %q", h)
	}
	return b, token
}

// browserFixture is the two services' world with wellbeing answers given,
// served on its own address so the browser's Origin is the pages' own.
func browserFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, options{self: true})
	world(t, f)
	answerCheckins(t, f)
	return f
}

// TestBrowserSignInByLinkOnce: the link's page, the button, My cases; the
// same link in another browser gets the kind page that says what to do.
func TestBrowserSignInByLinkOnce(t *testing.T) {
	browsertest.New(t) // skip (or fail under require) before building anything
	f := browserFixture(t)
	b := browsertest.New(t)
	token := f.link("lee")
	b.Open(f.public.String() + "/signin/" + token)
	lookAt(t, b, "signin-landing")
	b.Do(chromedp.Click(chromedp.CSS(`form[action="/signin"] button`)))
	waitFor(t, b, `location.pathname === "/"`)
	if h := heading(b); h != "My cases" {
		t.Fatalf("after signing in: %q", h)
	}
	text := browsertest.Eval[string](b, `document.querySelector("main").innerText`)
	for _, want := range []string{"HPP-1", "HPP-3", "INC-901"} {
		if !strings.Contains(text, want) {
			t.Errorf("My cases lacks %s:\n%s", want, text)
		}
	}
	lookAt(t, b, "my-cases")

	again := browsertest.New(t)
	again.Open(f.public.String() + "/signin/" + token)
	again.Do(chromedp.Click(chromedp.CSS(`form[action="/signin"] button`)))
	waitFor(t, again, `location.pathname === "/signin"`)
	if h := heading(again); h != "This sign-in link has been used or has run out" {
		t.Fatalf("the second use says %q", h)
	}
	if text := browsertest.Eval[string](again, `document.querySelector("main").innerText`); !strings.Contains(text, "/hpp web") {
		t.Errorf("the second use doesn't say how to get a new link:\n%s", text)
	}
	lookAt(t, again, "signin-used")
	again.Open(f.public.String() + "/")
	if h := heading(again); h == "My cases" {
		t.Error("a spent link signed the second browser in")
	}
}

// TestBrowserCasePage: the case page with a struck entry, and its candour
// record downloaded as Markdown and CSV as a person's browser saves them.
func TestBrowserCasePage(t *testing.T) {
	browsertest.New(t)
	f := browserFixture(t)
	b, _ := browserSignIn(t, f, "lee")
	b.Do(chromedp.Click(chromedp.CSS(`a[href="/cases/1"]`)))
	waitFor(t, b, `location.pathname === "/cases/1"`)
	struck := browsertest.Eval[string](b, `Array.from(document.querySelectorAll("main del")).map(d => d.textContent).join("\n")`)
	if !strings.Contains(struck, "Wrong case, meant HPP-3") {
		t.Errorf("the entry recorded in error isn't struck through; struck: %q", struck)
	}
	lookAt(t, b, "case")

	name, data := b.Download(chromedp.Click(chromedp.CSS(`a[href="/cases/1/candour-record.md"]`)))
	md := string(data)
	if !strings.HasSuffix(name, ".md") || !strings.Contains(md, "INC-901") || !strings.Contains(md, "Synthetic fall on the ward") {
		t.Errorf("Markdown download %q:\n%s", name, md)
	}
	name, data = b.Download(chromedp.Click(chromedp.CSS(`a[href="/cases/1/candour-record.csv"]`)))
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if !strings.HasSuffix(name, ".csv") || err != nil || len(rows) < 2 || !strings.Contains(string(data), "INC-901") {
		t.Errorf("CSV download %q (%v):\n%s", name, err, data)
	}
	for _, a := range wellbeingAnswers {
		if strings.Contains(md, a) || strings.Contains(string(data), a) {
			t.Errorf("a download shows a wellbeing answer %q", a)
		}
	}
}

// TestBrowserLeadSeesOwnService: a pathway lead's overview and report cover
// their service only; the report's cases download for a governance meeting.
func TestBrowserLeadSeesOwnService(t *testing.T) {
	browsertest.New(t)
	f := browserFixture(t)
	b, _ := browserSignIn(t, f, "pat")
	b.Do(chromedp.Click(chromedp.CSS(`a[href="/overview"]`)))
	waitFor(t, b, `location.pathname === "/overview"`)
	links := browsertest.Eval[string](b, `Array.from(document.querySelectorAll("main a[href^='/cases/']")).map(a => a.getAttribute("href")).join(" ")`)
	if !strings.Contains(links, "/cases/1") || !strings.Contains(links, "/cases/3") || strings.Contains(links, "/cases/2") {
		t.Errorf("pat's overview links %q, want maternity's HPP-1 and HPP-3 only", links)
	}
	if text := browsertest.Eval[string](b, `document.body.innerText`); strings.Contains(text, "INC-902") || strings.Contains(text, "surgery") {
		t.Error("pat's overview shows surgery")
	}
	lookAt(t, b, "overview")

	b.Do(chromedp.Click(chromedp.CSS(`a[href="/report"]`)))
	waitFor(t, b, `location.pathname === "/report"`)
	if n := browsertest.Eval[int](b, `document.querySelectorAll("main img[src^='/report/chart.svg'][alt]").length`); n != 1 {
		t.Errorf("the report has %d charts with a text alternative, want 1", n)
	}
	lookAt(t, b, "report")
	name, data := b.Download(chromedp.Click(chromedp.CSS(`a[href^="/report/cases.csv"]`)))
	if !strings.HasSuffix(name, ".csv") || !strings.Contains(string(data), "HPP-1,INC-901,maternity") || strings.Contains(string(data), "INC-902") {
		t.Errorf("the report's cases %q:\n%s", name, data)
	}
}

// TestBrowserOverviewByKeyboard: the filters and the sort work by keyboard
// alone: Tab to each control, choose by typing, submit with Enter.
func TestBrowserOverviewByKeyboard(t *testing.T) {
	browsertest.New(t)
	f := browserFixture(t)
	b, _ := browserSignIn(t, f, "admin")
	b.Open(f.public.String() + "/overview")
	for _, step := range []struct{ control, typed, want string }{
		{"service", "m", "maternity"},
		{"state", "n", "nocontact"},
		{"sort", "c", "case"},
		{"dir", "l", "desc"},
	} {
		tabTo(t, b, "#"+step.control)
		b.Do(chromedp.KeyEvent(step.typed))
		if got := browsertest.Eval[string](b, `document.activeElement.value`); got != step.want {
			t.Fatalf("typing %q on %s chose %q, want %q", step.typed, step.control, got, step.want)
		}
	}
	tabTo(t, b, ".hpp-filter-button")
	b.Do(chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, `location.search.includes("sort=case")`)
	q, _ := url.ParseQuery(strings.TrimPrefix(browsertest.Eval[string](b, `location.search`), "?"))
	if q.Get("service") != "maternity" || q.Get("state") != "nocontact" || q.Get("dir") != "desc" {
		t.Errorf("the form sent %v", q)
	}
	links := browsertest.Eval[string](b, `Array.from(document.querySelectorAll("section[aria-labelledby='open-heading'] table a[href^='/cases/']")).map(a => a.getAttribute("href")).join(" ")`)
	if links != "/cases/3" {
		t.Errorf("maternity's cases with no first contact: %q, want /cases/3 (HPP-1 has had contact)", links)
	}
	if sorted := browsertest.Eval[string](b, `(document.querySelector("th[aria-sort='descending']") || {}).innerText || ""`); !strings.HasPrefix(sorted, "Case") {
		t.Errorf("the sorted column is %q, want Case", sorted)
	}
	lookAt(t, b, "overview-filtered")
}

// tabTo presses Tab until the element matching selector has the focus, as
// a keyboard user would reach it; it fails if Tab never gets there.
func tabTo(t *testing.T, b *browsertest.Browser, selector string) {
	t.Helper()
	is := fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, selector)
	for range 60 {
		if browsertest.Eval[bool](b, is) {
			return
		}
		b.Do(chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("Tab never reached %s", selector)
}

// TestBrowserRefusals: someone not on a case gets the page-not-found page
// for it, the same as for a case that doesn't exist; someone who leads
// nothing is told whom to ask for the overview.
func TestBrowserRefusals(t *testing.T) {
	browsertest.New(t)
	f := browserFixture(t)
	b, _ := browserSignIn(t, f, "robin")
	b.Open(f.public.String() + "/cases/1")
	notOnIt := heading(b)
	text := browsertest.Eval[string](b, `document.body.innerText`)
	lookAt(t, b, "case-not-found")
	b.Open(f.public.String() + "/cases/99")
	if h := heading(b); h != notOnIt || h != "Page not found" || strings.Contains(text, "INC-901") {
		t.Errorf("a case robin isn't on says %q, one that doesn't exist %q", notOnIt, h)
	}
	status := browsertest.Eval[int](b, `performance.getEntriesByType("navigation")[0].responseStatus`)
	if status != 404 {
		t.Errorf("a case robin isn't on: status %d, want 404", status)
	}
	b.Open(f.public.String() + "/overview")
	if text := browsertest.Eval[string](b, `document.querySelector("main").innerText`); !strings.Contains(text, "ask its pathway lead") {
		t.Errorf("the overview for someone who leads nothing:\n%s", text)
	}
	lookAt(t, b, "overview-not-lead")

	// The side check sees what it looks for: a box cut off at 320 px.
	b.Do(chromedp.EmulateViewport(320, 800))
	browsertest.Eval[bool](b, `(() => {
  const wide = document.createElement("span");
  wide.className = "too-wide";
  wide.textContent = "A line too wide for the screen";
  wide.style.display = "inline-block";
  wide.style.width = "600px";
  document.querySelector("main").style.overflow = "hidden";
  document.querySelector("main").append(wide);
  return true;
})()`)
	cut := browsertest.Eval[[]string](b, clippedAtSide)
	if !slices.Contains(cut, "span.too-wide") {
		t.Errorf("the side check missed a box cut off at the edge: %v", cut)
	}
}
