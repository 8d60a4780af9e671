package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"gopkg.in/yaml.v3"

	"hppbot/bot"
	"hppbot/bot/teams"
	"hppbot/pathway"
	"hppbot/report"
	"hppbot/web"
)

// The facts a trust's reviewers read in docs/deploying-in-the-nhs.md and
// docs/data-protection.md — scopes, permissions, network addresses,
// retention — are compared here with the code, so neither page can drift.

const (
	deployDoc = "docs/deploying-in-the-nhs.md"
	dpDoc     = "docs/data-protection.md"
)

func readDoc(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// section is the text under the heading that starts with prefix, up to the
// next heading of the same level.
func section(t *testing.T, doc, prefix string) string {
	t.Helper()
	level := prefix[:strings.Index(prefix, " ")+1]
	lines := strings.Split(doc, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		var out []string
		for _, l := range lines[i+1:] {
			if strings.HasPrefix(l, level) {
				break
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	t.Fatalf("no section %q", prefix)
	return ""
}

// tables returns the Markdown tables of text, each as its body rows of cells
// (the header and the |---| line left out).
func tables(text string) [][][]string {
	var out [][][]string
	var cur [][]string
	inTable := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if inTable {
				out = append(out, cur)
				cur, inTable = nil, false
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !inTable {
			inTable = true // the header row
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		cur = append(cur, cells)
	}
	if inTable {
		out = append(out, cur)
	}
	return out
}

var codeSpan = regexp.MustCompile("^`([^`]+)`$")

// firstColumn is the backticked first cells of a table's rows, sorted; a row
// whose reason (second cell) is empty is an error.
func firstColumn(t *testing.T, rows [][]string) []string {
	t.Helper()
	var out []string
	for _, r := range rows {
		m := codeSpan.FindStringSubmatch(r[0])
		if m == nil {
			t.Errorf("row %q: the first cell should be one `name`", r)
			continue
		}
		if len(r) < 2 || strings.TrimSpace(r[1]) == "" {
			t.Errorf("row %q says not why", r)
		}
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

func TestDeployingDocSlackScopesMatchManifest(t *testing.T) {
	raw, err := os.ReadFile("bot/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot  []string `yaml:"bot"`
				User []string `yaml:"user"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot  []string `yaml:"bot_events"`
				User []string `yaml:"user_events"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.OAuth.Scopes.User) > 0 || len(m.Settings.Events.User) > 0 {
		t.Errorf("the manifest asks for user scopes or events (%v %v); the page says hppbot acts only as a bot", m.OAuth.Scopes.User, m.Settings.Events.User)
	}
	tbl := tables(section(t, readDoc(t, deployDoc), "## Slack: the scopes"))
	if len(tbl) != 2 {
		t.Fatalf("the Slack section should have two tables (scopes, events), has %d", len(tbl))
	}
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	if doc := firstColumn(t, tbl[0]); !slices.Equal(doc, scopes) {
		t.Errorf("%s lists the Slack scopes %v, but bot/slack/manifest.yaml asks for %v: update the table, saying why each is needed", deployDoc, doc, scopes)
	}
	events := slices.Sorted(slices.Values(m.Settings.Events.Bot))
	if doc := firstColumn(t, tbl[1]); !slices.Equal(doc, events) {
		t.Errorf("%s lists the Slack events %v, but bot/slack/manifest.yaml subscribes to %v", deployDoc, doc, events)
	}
}

func TestDeployingDocTeamsPermissionsMatchPackage(t *testing.T) {
	raw, err := teams.Manifest("00000000-0000-0000-0000-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var perms []string
	if err := json.Unmarshal(m["permissions"], &perms); err != nil {
		t.Fatalf("permissions: %v", err)
	}
	var bots []struct {
		Scopes       []string `json:"scopes"`
		SupportsFile bool     `json:"supportsFiles"`
	}
	if err := json.Unmarshal(m["bots"], &bots); err != nil || len(bots) != 1 {
		t.Fatalf("bots: %v (%d)", err, len(bots))
	}
	sec := section(t, readDoc(t, deployDoc), "## Teams: the permissions")
	tbl := tables(sec)
	if len(tbl) != 3 {
		t.Fatalf("the Teams section should have three tables (permissions, bot scopes, what the tab adds), has %d", len(tbl))
	}
	// With HPP_PUBLIC_URL the package gains the tab's entries: exactly
	// those the third table names.
	withTab, err := teams.ManifestFor("00000000-0000-0000-0000-000000000000", "https://hppbot.example.nhs.uk", "")
	if err != nil {
		t.Fatal(err)
	}
	var mt map[string]json.RawMessage
	if err := json.Unmarshal(withTab, &mt); err != nil {
		t.Fatal(err)
	}
	var added []string
	for k, v := range mt {
		if !bytes.Equal(v, m[k]) {
			added = append(added, k)
		}
	}
	slices.Sort(added)
	if doc := firstColumn(t, tbl[2]); !slices.Equal(doc, added) {
		t.Errorf("%s says HPP_PUBLIC_URL adds %v to the package; it adds %v", deployDoc, doc, added)
	}
	slices.Sort(perms)
	if doc := firstColumn(t, tbl[0]); !slices.Equal(doc, perms) {
		t.Errorf("%s lists the Teams permissions %v, but the app package asks for %v", deployDoc, doc, perms)
	}
	scopes := slices.Sorted(slices.Values(bots[0].Scopes))
	if doc := firstColumn(t, tbl[1]); !slices.Equal(doc, scopes) {
		t.Errorf("%s lists the bot scopes %v, but the app package has %v", deployDoc, doc, scopes)
	}
	if bots[0].SupportsFile != strings.Contains(sec, "declares `supportsFiles`") {
		t.Errorf("supportsFiles is %v in the package; the page should say so exactly when it is true", bots[0].SupportsFile)
	}
	// What the page says the package does not ask for.
	for _, key := range []string{"webApplicationInfo", "authorization", "composeExtensions", "staticTabs", "configurableTabs", "connectors", "meetingExtensionDefinition", "devicePermissions"} {
		if _, ok := m[key]; ok {
			t.Errorf("the app package now has %q, which %s says it does not ask for", key, deployDoc)
		}
	}
	for _, key := range []string{"webApplicationInfo", "authorization", "validDomains"} {
		if !strings.Contains(sec, "`"+key+"`") {
			t.Errorf("the page should name %q among what the package does not ask for", key)
		}
	}
	var domains []string
	if err := json.Unmarshal(m["validDomains"], &domains); err != nil || len(domains) != 0 {
		t.Errorf("validDomains = %v (%v); the page says it is empty", domains, err)
	}
}

// Every address hppbot's own code names is either in the page's endpoint
// table or known not to be called (an issuer or an audience compared as
// text, a schema name).
func TestDeployingDocEndpointsMatchCode(t *testing.T) {
	sec := section(t, readDoc(t, deployDoc), "## Network endpoints")
	cfg, err := readConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{slack.APIURL, cfg.OpenIDURL, cfg.TokenURL, teams.DefaultOpenIDURL, teams.DefaultTokenURL, strings.Replace(teams.TenantTokenURL("TENANT"), "TENANT", "<tenant>", 1)} {
		if !strings.Contains(sec, "`"+u+"`") {
			t.Errorf("%s doesn't list %s, an address hppbot calls by default", deployDoc, u)
		}
	}
	for _, v := range []string{"REDIS_URL", "SLACK_API_URL", "BOTFRAMEWORK_TOKEN_URL", "BOTFRAMEWORK_OPENID_METADATA", "MICROSOFT_APP_TENANT_ID"} {
		if !strings.Contains(sec, "`"+v+"`") {
			t.Errorf("the endpoint table doesn't say %s changes an address", v)
		}
	}
	notCalled := map[string]string{
		"api.botframework.com": "the Bot Framework token issuer and the audience of hppbot's own tokens, compared as text",
		"sts.windows.net":      "a single-tenant token issuer, compared as text",
		"adaptivecards.io":     "the Adaptive Card schema's name inside each card",
	}
	for _, o := range web.TeamsFrameOrigins {
		notCalled[strings.TrimPrefix(o, "https://")] = "an origin allowed to frame the Teams tab (frame-ancestors), never called"
	}
	hosts := codeHosts(t)
	if len(hosts) == 0 {
		t.Fatal("found no addresses in the code: the scan is broken")
	}
	for host, where := range hosts {
		if _, ok := notCalled[host]; ok {
			continue
		}
		if !strings.Contains(sec, host) {
			t.Errorf("%s names %s, which %s's endpoint table doesn't list", where, host, deployDoc)
		}
	}
}

// codeHosts is every host named by an http(s) or ws(s) address in a string
// literal of hppbot's own Go code (not tests, benchmarks or test data).
func codeHosts(t *testing.T) map[string]string {
	t.Helper()
	hosts := map[string]string{}
	addr := regexp.MustCompile(`^(https?|wss?)://([^/"]+)`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "storetest") || strings.Contains(path, "pathwaytest") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if m := addr.FindStringSubmatch(s); m != nil {
				host := m[2]
				if u, err := url.Parse(m[0]); err == nil && u.Hostname() != "" {
					host = u.Hostname()
				}
				hosts[host] = path
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hosts
}

func TestDataProtectionDocRetentionMatchesPolicy(t *testing.T) {
	doc := readDoc(t, dpDoc)
	kept := section(t, doc, "## How long it is kept")
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckinAnswerTTL.Unit != pathway.Day {
		t.Fatalf("checkin_answer_ttl's default is %v: write it into the page in its own unit", p.CheckinAnswerTTL)
	}
	days := func(n int) string { return fmt.Sprintf("**%d days**", n) }
	rows := []struct{ key, want string }{
		{"`{u:<person>}:checkins`", days(p.CheckinAnswerTTL.N)},
		{"`{u:<person>}:ci:<token>`", days(int(pathway.CheckinOpenFor.Hours() / 24))},
		{"`{u:<person>}:held`", fmt.Sprintf("**%d hours**", int(bot.HeldFor.Hours()))},
	}
	for _, r := range rows {
		row := tableRow(t, kept, r.key)
		if !strings.Contains(row, r.want) {
			t.Errorf("%s says\n%s\nbut the code's default is %s", dpDoc, row, r.want)
		}
	}
	if !strings.Contains(tableRow(t, kept, "`{u:<person>}:checkins`"), "`checkin_answer_ttl`") {
		t.Error("the check-in answers row should name the policy key that changes it")
	}
	if !strings.Contains(section(t, doc, "## In short"), "default **"+strconv.Itoa(p.CheckinAnswerTTL.N)+" days**") {
		t.Errorf("the summary should give the check-in answers' default, %d days", p.CheckinAnswerTTL.N)
	}
	if want := fmt.Sprintf("at least **%d** people", report.MinGroup); !strings.Contains(section(t, doc, "## Who can see it"), want) {
		t.Errorf("%s should say reports count over %q (report.MinGroup)", dpDoc, want)
	}
}

// tableRow is the one table row of text that holds key.
func tableRow(t *testing.T, text, key string) string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, key) {
			found = append(found, line)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one table row with %s, found %d", key, len(found))
	}
	return found[0]
}

// Both pages say what the deploying organisation must still do, and claim
// no approval, certification or assessment that has not happened.
func TestDocsClaimNoSignOff(t *testing.T) {
	for _, path := range []string{deployDoc, dpDoc} {
		t.Run(path, func(t *testing.T) {
			doc := readDoc(t, path)
			todo := section(t, doc, "## What you must still do")
			if strings.Count(todo, "\n1. ") < 1 || strings.Count(todo, "\n") < 5 {
				t.Errorf("%s: 'What you must still do' should be a numbered list of steps", path)
			}
			for _, s := range claims(doc) {
				t.Errorf("%s claims something that has not happened: %q", path, s)
			}
		})
	}
}

// claimPattern matches wording that asserts an approval, certification,
// assessment or sign-off.
var claimPattern = regexp.MustCompile(`(?i)\b(has been|have been|is|are|was|were|been) (approved|certified|accredited|assured|signed off|assessed|audited|pen[- ]?tested|penetration[- ]tested)\b|\bhas passed (the |a |an |its )?(nhs|dtac|hurdle|assessment|review|penetration|clinical|security|accessibility|wcag)|\bpassed (the|a|its|an) (hurdle|dtac|assessment|penetration)|\b(dtac|wcag( 2\.[0-9])?( aa)?|dcb01[26]9)[- ]compliant\b|\bcompliant with (dtac|wcag|dcb)|\b(meets|conforms to) wcag|\bsigned off by\b|\bnhs[- ]approved\b|\bcertified by\b`)

// negation marks a sentence that says the claim has not happened, or is for
// someone to do.
var negation = regexp.MustCompile(`(?i)\b(not|no|never|nobody|nothing|none|nor|must|before|until|yet|if|whether|blank)\b`)

// claims returns the sentences of text that make an unqualified claim.
func claims(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		for _, s := range regexp.MustCompile(`[.!?](\s+|$)|\n[-|*0-9]`).Split(para, -1) {
			if claimPattern.MatchString(s) && !negation.MatchString(s) {
				out = append(out, strings.TrimSpace(s))
			}
		}
	}
	return out
}

func TestClaimsFinder(t *testing.T) {
	cases := []struct {
		text  string
		claim bool
	}{
		{"hppbot has been approved by NHS England.", true},
		{"It is certified to Cyber Essentials Plus.", true},
		{"The safety case was signed off by Dr A.", true},
		{"hppbot passed the hurdle assessment in 2026.", true},
		{"It is DTAC compliant.", true},
		{"hppbot meets WCAG 2.2 AA.", true},
		{"hppbot has passed NHSmail's review.", true},
		{"hppbot has not been approved by anyone.", false},
		{"Nothing can be installed there before it is approved.", false},
		{"The sign-off is left blank: no clinician has signed off the safety case.", false},
		{"Your clinical safety officer must sign it off.", false},
		{"Cases are known by their incident reference.", false},
		{"Nothing here says that hppbot has been assessed.", false},
		{"Cases go once their retention has passed.", false},
	}
	for _, c := range cases {
		if got := len(claims(c.text)) > 0; got != c.claim {
			t.Errorf("claims(%q) found a claim: %v, want %v", c.text, got, c.claim)
		}
	}
}

// Every test, file and page the two pages point to exists, so a renamed
// test or a moved file shows here.
func TestDocsEvidenceExists(t *testing.T) {
	testRef := regexp.MustCompile("`([a-z][a-z/]*)`\\s+`(Test\\w+|Fuzz\\w+)`")
	fileRef := regexp.MustCompile("`([A-Za-z0-9_./-]+\\.(?:go|yaml|json|md))`|\\]\\(((?:\\.\\./)?[A-Za-z0-9_./-]+\\.(?:go|yaml|json|md))(?:#[a-z0-9-]+)?\\)")
	for _, path := range []string{deployDoc, dpDoc} {
		doc := readDoc(t, path)
		for _, m := range testRef.FindAllStringSubmatch(doc, -1) {
			pkg, name := m[1], m[2]
			files, err := filepath.Glob(filepath.Join(pkg, "*_test.go"))
			if err != nil || len(files) == 0 {
				t.Errorf("%s names %s in %s, which has no tests", path, name, pkg)
				continue
			}
			found := false
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err == nil && strings.Contains(string(raw), "func "+name+"(") {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s names %s in %s, which has no such test", path, name, pkg)
			}
		}
		for _, m := range fileRef.FindAllStringSubmatch(doc, -1) {
			ref := m[1]
			if ref == "" {
				ref = filepath.Join(filepath.Dir(path), m[2])
			} else if _, err := os.Stat(ref); err != nil {
				ref = filepath.Join(filepath.Dir(path), ref) // a file beside the page
			}
			if _, err := os.Stat(ref); err != nil {
				t.Errorf("%s points to %s, which doesn't exist", path, ref)
			}
		}
	}
}

// The retention keys of the policy file (closed cases, people's settings,
// the purge's audit line) have their defaults in the page, each with its key.
func TestDataProtectionDocRetentionMatchesPurgePolicy(t *testing.T) {
	kept := section(t, readDoc(t, dpDoc), "## How long it is kept")
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Retention
	cases := []struct {
		key    string
		keep   pathway.Span
		policy string
	}{
		{"`{pN}:case:<id>`", r.ClosedCaseKeep, "retention.closed_case_keep"},
		{"`{pN}:purged`", r.PurgeAuditKeep, "retention.purge_audit_keep"},
		{"`{u:<person>}:prefs`", r.SettingsKeep, "retention.settings_keep"},
	}
	for _, c := range cases {
		row := tableRow(t, kept, c.key)
		if want := "**" + spanWords(t, c.keep) + "**"; !strings.Contains(row, want) {
			t.Errorf("%s says\n%s\nbut the default of %s is %s", dpDoc, row, c.policy, want)
		}
		if !strings.Contains(row, "`"+c.policy+"`") {
			t.Errorf("the row for %s should name the policy key %s", c.key, c.policy)
		}
	}
}

// spanWords writes a policy span as the page does: "13 months", "90 days".
func spanWords(t *testing.T, s pathway.Span) string {
	t.Helper()
	switch s.Unit {
	case pathway.Day:
		return fmt.Sprintf("%d days", s.N)
	case pathway.Week:
		return fmt.Sprintf("%d weeks", s.N)
	case pathway.Month:
		return fmt.Sprintf("%d months", s.N)
	}
	t.Fatalf("a retention of %v: write it into the page in its own unit", s)
	return ""
}
