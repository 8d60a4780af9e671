package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// world sets up two services with their pathway leads and cases in each:
//
//	maternity: lead @pat; HPP-1 (named contact @lee, @sam involved),
//	           HPP-3 (named contact @lee, candour applies)
//	surgery:   lead @quinn; HPP-2 (named contact @kit)
//
// @robin is on no case and leads nothing.
func world(t *testing.T, f *fixture) {
	t.Helper()
	for _, line := range []string{
		"/hpp service maternity lead=@pat",
		"/hpp service surgery lead=@quinn",
	} {
		f.as("admin", line)
	}
	for _, c := range []struct{ who, line string }{
		{"lee", "/hpp open INC-901 service=maternity involved=@sam harm=low Synthetic fall on the ward"},
		{"kit", "/hpp open INC-902 service=surgery harm=low Synthetic wrong-site marking caught late"},
		{"lee", "/hpp open INC-903 service=maternity harm=moderate Synthetic delayed escalation"},
		{"lee", "/hpp contact HPP-1 via=phone Spoke with the family (synthetic)"},
		{"lee", "/hpp contact HPP-1 via=meeting Wrong case, meant HPP-3 (synthetic)"},
		{"lee", "/hpp strike HPP-1 3 logged on the wrong case"},
		{"lee", "/hpp plan HPP-1 every=1w via=phone"},
	} {
		if r := f.as(c.who, c.line); strings.Contains(r.PlainText(), "Nothing was saved") || strings.HasPrefix(r.Text, "Which case") {
			t.Fatalf("%s: %s", c.line, r.PlainText())
		}
	}
	f.clock.Add(time.Hour) // reports count cases opened before now
}

// wellbeingAnswers are the words of check-in answers recorded for the
// people on the cases: no page or download may show them.
var wellbeingAnswers = []string{"Synthetic answer QX7 struggling", "Synthetic answer ZK4 fine"}

func answerCheckins(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	for i, person := range []string{"console:sam", "console:lee"} {
		token := fmt.Sprintf("tok%d", i)
		if err := f.st.SaveCheckin(ctx, person, pathway.Checkin{Token: token, Kind: pathway.CheckinForCase, Case: 1, Service: "maternity", N: 1, Sent: f.clock.Now()}, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		res, err := f.st.AnswerCheckin(ctx, person, token, pathway.CheckinAnswer{At: f.clock.Now(), Value: i + 1, Label: wellbeingAnswers[i]}, 90*24*time.Hour)
		if err != nil || res != pathway.AnswerRecorded {
			t.Fatalf("answer: %v %v", res, err)
		}
	}
}

// chatMaySee reports whether chat shows person the case: status answers
// with the case rather than a refusal.
func chatMaySee(f *fixture, person string, id int) bool {
	got := f.as(person, fmt.Sprintf("/hpp status HPP-%d", id)).PlainText()
	return strings.Contains(got, fmt.Sprintf("INC-90%d", id)) && !strings.Contains(got, "is only open to the people on it")
}

// TestNoPageShowsACaseChatWouldRefuse: for everyone and every case, the
// case page and its downloads answer exactly when chat's status does; a
// case someone may not see, and one that doesn't exist, are the same 404.
func TestNoPageShowsACaseChatWouldRefuse(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	people := []string{"admin", "pat", "quinn", "lee", "sam", "kit", "robin"}
	want := map[string][]int{"admin": {1, 2, 3}, "pat": {1, 3}, "quinn": {2}, "lee": {1, 3}, "sam": {1}, "kit": {2}, "robin": nil}
	for _, person := range people {
		b := f.signIn(person)
		var saw []int
		for id := 1; id <= 4; id++ {
			chat := chatMaySee(f, person, id)
			for _, path := range []string{"/cases/%d", "/cases/%d/candour-record.md", "/cases/%d/candour-record.csv"} {
				p := b.get(fmt.Sprintf(path, id))
				if chat != (p.status == http.StatusOK) {
					t.Errorf("%s %s: page %d, chat shows it: %v", person, fmt.Sprintf(path, id), p.status, chat)
				}
				if !chat && (p.status != http.StatusNotFound || strings.Contains(p.body, fmt.Sprintf("INC-90%d", id))) {
					t.Errorf("%s %s: %d, want a 404 that names nothing", person, fmt.Sprintf(path, id), p.status)
				}
			}
			if chat {
				saw = append(saw, id)
			}
		}
		if fmt.Sprint(saw) != fmt.Sprint(want[person]) {
			t.Errorf("%s sees cases %v, want %v", person, saw, want[person])
		}
		// My cases and the overview list only cases the person may see.
		for _, path := range []string{"/", "/overview"} {
			p := b.get(path)
			for id := 1; id <= 3; id++ {
				if strings.Contains(p.body, fmt.Sprintf(`href="/cases/%d"`, id)) && !chatMaySee(f, person, id) {
					t.Errorf("%s %s links HPP-%d, which chat refuses them", person, path, id)
				}
			}
		}
	}
}

// TestLeadSeesOwnServiceOnly: the overview and the report for a pathway
// lead cover their own service; another service is a 404 (overview) or a
// kind refusal (report); someone who leads nothing is told whom to ask.
func TestLeadSeesOwnServiceOnly(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	pat := f.signIn("pat")
	p := pat.get("/overview")
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="/cases/1"`) || !strings.Contains(p.body, `href="/cases/3"`) || strings.Contains(p.body, "/cases/2") || strings.Contains(p.body, "surgery") {
		t.Fatalf("pat's overview: %d\n%s", p.status, p.body)
	}
	if p := pat.get("/overview?service=surgery"); p.status != http.StatusNotFound {
		t.Errorf("pat asks for surgery's overview: %d", p.status)
	}
	if p := pat.get("/report?service=surgery"); p.status != http.StatusForbidden || strings.Contains(p.body, "INC-902") {
		t.Errorf("pat asks for surgery's report: %d", p.status)
	}
	if p := pat.get("/report/cases.csv?service=surgery"); p.status == http.StatusOK {
		t.Errorf("pat downloads surgery's cases: %d", p.status)
	}
	csv := pat.get("/report/cases.csv")
	if csv.status != http.StatusOK || !strings.Contains(csv.body, "HPP-1,INC-901,maternity") || strings.Contains(csv.body, "INC-902") {
		t.Errorf("pat's cases CSV: %d\n%s", csv.status, csv.body)
	}
	robin := f.signIn("robin")
	for _, path := range []string{"/overview", "/report"} {
		if p := robin.get(path); p.status != http.StatusForbidden || !strings.Contains(p.body, "ask its pathway lead") {
			t.Errorf("robin %s: %d\n%s", path, p.status, p.body)
		}
	}
	admin := f.signIn("admin")
	if p := admin.get("/overview?service=surgery"); !strings.Contains(p.body, `href="/cases/2"`) || strings.Contains(p.body, `href="/cases/1"`) {
		t.Errorf("admin's surgery overview:\n%s", p.body)
	}
}

// allPages are every page a signed-in person can reach, with downloads.
var allPages = []string{"/", "/overview", "/overview?state=overdue&sort=due&dir=desc", "/overview?state=nocontact&sort=contact",
	"/cases/1", "/cases/2", "/cases/3", "/cases/1/candour-record.md", "/cases/1/candour-record.csv",
	"/report", "/report?service=maternity&days=30", "/report/chart.svg", "/report/cases.csv", "/report/yearly.csv"}

// TestWellbeingAnswersAppearNowhere: every page and download, for
// everyone, is scanned for the words of the check-in answers given.
func TestWellbeingAnswersAppearNowhere(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	answerCheckins(t, f)
	for _, person := range []string{"admin", "pat", "lee", "sam"} {
		b := f.signIn(person)
		for _, path := range allPages {
			p := b.get(path)
			for _, a := range wellbeingAnswers {
				if strings.Contains(p.body, a) {
					t.Errorf("%s %s shows a wellbeing answer %q", person, path, a)
				}
			}
		}
	}
	// The answers are there to be found: the scan is not looking at nothing.
	if got := f.as("sam", "/hpp checkin history").PlainText(); !strings.Contains(got, wellbeingAnswers[0]) {
		t.Fatalf("sam's own history lacks the answer:\n%s", got)
	}
}

// TestHeadersOnEveryPage: the security headers on every page, signed in
// or not, and on the files the pages use.
func TestHeadersOnEveryPage(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	admin := f.signIn("admin")
	paths := append([]string{"/nowhere", "/signed-out", "/tab", "/signin/" + strings.Repeat("A", 43), "/assets/nhsuk-frontend.min.css", "/static/hpp.css"}, allPages...)
	for _, who := range []*browser{admin, f.browser()} {
		for _, path := range paths {
			p := who.get(path)
			csp := p.header.Get("Content-Security-Policy")
			if path == "/report/chart.svg" && p.status == http.StatusOK {
				if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
					t.Errorf("%s: CSP %q", path, csp)
				}
			} else {
				for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "base-uri 'none'", "form-action 'self'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("%s: CSP %q lacks %s", path, csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("%s: CSP allows inline code: %q", path, csp)
				}
			}
			ancestors := "frame-ancestors 'none'"
			if path == "/tab" {
				ancestors = "frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com"
			}
			if !strings.Contains(csp, ancestors) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, ancestors)
			}
			if p.header.Get("Referrer-Policy") != "no-referrer" || p.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: Referrer-Policy %q, X-Content-Type-Options %q", path, p.header.Get("Referrer-Policy"), p.header.Get("X-Content-Type-Options"))
			}
			cache := p.header.Get("Cache-Control")
			if strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/static/") {
				if !strings.Contains(cache, "max-age") {
					t.Errorf("%s: Cache-Control %q", path, cache)
				}
			} else if cache != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", path, cache)
			}
			if strings.Contains(p.body, "<script>") || regexp.MustCompile(`\sstyle="`).MatchString(p.body) || regexp.MustCompile(`\son[a-z]+="`).MatchString(p.body) {
				if strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: inline script or style in the page", path)
				}
			}
		}
	}
}

// TestDownloadsContentTypes: each download is a file to save, of its type.
func TestDownloadsContentTypes(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	admin := f.signIn("admin")
	for path, want := range map[string]string{
		"/cases/1/candour-record.md":          "text/markdown; charset=utf-8",
		"/cases/1/candour-record.csv":         "text/csv; charset=utf-8",
		"/report/cases.csv":                   "text/csv; charset=utf-8",
		"/report/yearly.csv":                  "text/csv; charset=utf-8",
		"/report/chart.svg?service=maternity": "image/svg+xml",
	} {
		p := admin.get(path)
		if p.status != http.StatusOK || p.header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want %q", path, p.status, p.header.Get("Content-Type"), want)
		}
		if want != "image/svg+xml" && !strings.HasPrefix(p.header.Get("Content-Disposition"), `attachment; filename="`) {
			t.Errorf("%s: Content-Disposition %q", path, p.header.Get("Content-Disposition"))
		}
	}
	md := admin.get("/cases/1/candour-record.md")
	if !strings.Contains(md.body, "INC-901") {
		t.Errorf("the Markdown record:\n%s", md.body)
	}
}

// TestCasePageShowsStruckEntries: an entry recorded in error is shown
// struck through (<del>), with who marked it and why.
func TestCasePageShowsStruckEntries(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	p := f.signIn("lee").get("/cases/1")
	if p.status != http.StatusOK {
		t.Fatalf("case page: %d", p.status)
	}
	if !regexp.MustCompile(`<del>[^<]*Wrong case, meant HPP-3`).MatchString(p.body) || !strings.Contains(p.body, "logged on the wrong case") {
		t.Errorf("the struck entry is not struck through with its reason:\n%s", p.body)
	}
	for _, want := range []string{"Synthetic fall on the ward", "@sam", `href="/cases/1/candour-record.csv"`, `class="nhsuk-summary-list"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "&lt;@console:") || strings.Contains(p.body, "<@console:") {
		t.Error("a mention was not turned into a name")
	}
}

// TestMyCasesOverdueFirst: overdue cases come first, each with what is due
// and a state tag that says it in words.
func TestMyCasesOverdueFirst(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	f.clock.Add(8 * 24 * time.Hour) // HPP-3's first contact is now overdue; HPP-1 has its plan
	p := f.signIn("lee").get("/")
	i1, i3 := strings.Index(p.body, `href="/cases/1"`), strings.Index(p.body, `href="/cases/3"`)
	if i1 < 0 || i3 < 0 || i3 > i1 {
		t.Fatalf("HPP-3 (overdue) should come before HPP-1:\n%s", p.body)
	}
	if !strings.Contains(p.body, `<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>`) {
		t.Errorf("no Overdue tag in words:\n%s", p.body)
	}
}

// TestOverviewFiltersAndSorts: the filters are a GET form and the sort
// headings links, each saying which way it sorts.
func TestOverviewFiltersAndSorts(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	admin := f.signIn("admin")
	p := admin.get("/overview?sort=case&dir=desc")
	i1, i3 := strings.Index(p.body, `href="/cases/1"`), strings.Index(p.body, `href="/cases/3"`)
	if i1 < 0 || i3 < 0 || i3 > i1 {
		t.Errorf("sorted by case, last first: HPP-3 should come before HPP-1")
	}
	if !strings.Contains(p.body, `aria-sort="descending"`) || !strings.Contains(p.body, `<label class="nhsuk-label" for="service">Service</label>`) {
		t.Errorf("no aria-sort or labelled filter")
	}
	p = admin.get("/overview?state=noplan")
	if strings.Contains(p.body, `<a class="hpp-case" href="/cases/1">HPP-1</a> <span class="hpp-ref">`) {
		t.Errorf("HPP-1 has a plan but is listed under no plan")
	}
	if !strings.Contains(p.body, `<option value="noplan" selected>`) {
		t.Errorf("the chosen state is not selected")
	}
	// The form sorts too (on a narrow screen the headings are not shown).
	p = admin.get("/overview?sort=case&dir=desc&service=&state=")
	if !strings.Contains(p.body, `<option value="case" selected>`) || !strings.Contains(p.body, `<option value="desc" selected>`) || !strings.Contains(p.body, `<label class="nhsuk-label" for="sort">Sort by</label>`) {
		t.Errorf("the sort form does not show the chosen order")
	}
}

// The overview names the cases whose named contact is away, until when,
// and who gets their reminders meanwhile: the cover, or with nobody
// covering the pathway lead.
func TestOverviewNamesCasesWhoseContactIsAway(t *testing.T) {
	f := newFixture(t)
	world(t, f)
	// @kim says hello (as a chat platform would, with a name), so hppbot
	// knows them as someone its messages reach.
	f.core.Handlers.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:kim", Name: "kim", Text: "/hpp help"})
	for _, c := range []struct{ who, line string }{
		{"lee", "/hpp away until=2026-12-04 cover=@kim"},
		{"kit", "/hpp away until=2026-12-02"},
	} {
		if r := f.as(c.who, c.line); !strings.Contains(r.PlainText(), "away until the end of") {
			t.Fatalf("%s: %s", c.line, r.PlainText())
		}
	}
	tests := []struct {
		person string
		want   []string
		not    []string
	}{
		{"pat", []string{
			`HPP-1</a> (INC-901, maternity): @lee is away until the end of Fri 4 Dec 2026; reminders go to kim, who covers.`,
			`HPP-3</a> (INC-903, maternity): @lee is away until the end of Fri 4 Dec 2026; reminders go to kim, who covers.`,
		}, []string{`HPP-2</a> (INC-902, surgery): @kit is away`}},
		{"admin", []string{
			`HPP-2</a> (INC-902, surgery): @kit is away until the end of Wed 2 Dec 2026; nobody is free to cover, so reminders go to @quinn, the pathway lead.`,
		}, nil},
	}
	for _, tc := range tests {
		body := f.signIn(tc.person).get("/overview").body
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s's overview lacks %q", tc.person, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(body, w) {
				t.Errorf("%s's overview shows %q, from a service they don't lead", tc.person, w)
			}
		}
	}
	// Back early: the section says nobody is away.
	f.as("lee", "/hpp away off")
	f.as("kit", "/hpp away off")
	if body := f.signIn("admin").get("/overview").body; !strings.Contains(body, "No named contact is away.") {
		t.Errorf("with nobody away, the section doesn't say so")
	}
}
