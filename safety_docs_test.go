package main

// The clinical safety file in docs/safety is only worth something while it
// tells the truth about the code. These tests read it and fail when it
// drifts: a hazard with a missing field, a risk class the matrix does not
// give, a control that names a file or a test that no longer exists (a
// renamed or deleted test fails here, in CI), a plan whose matrix is not
// the one the hazards are scored with, a safety case whose summary has
// fallen behind the hazard log, or a sign-off filled in by anyone but the
// clinical safety officer's own hand.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	hazardDir         = "docs/safety/hazards"
	safetyPlanFile    = "docs/safety/clinical-risk-management-plan.md"
	safetyCaseFile    = "docs/safety/safety-case-report-template.md"
	modulePath        = "hppbot"
	minimumHazards    = 10
	matrixStartMarker = "<!-- risk-matrix -->"
	matrixEndMarker   = "<!-- /risk-matrix -->"
	summaryStart      = "<!-- hazard-summary -->"
	summaryEnd        = "<!-- /hazard-summary -->"
	signOffStart      = "<!-- sign-off -->"
	signOffEnd        = "<!-- /sign-off -->"
)

// The scales, lowest first, as the hazard files spell them.
var (
	severities  = []string{"minor", "significant", "considerable", "major", "catastrophic"}
	likelihoods = []string{"very-low", "low", "medium", "high", "very-high"}
)

// riskMatrix is the 5 × 5 matrix of DCB0129: riskMatrix[likelihood][severity],
// both indexed from the lowest category, gives the risk class 1–5.
var riskMatrix = [5][5]int{
	{1, 1, 2, 2, 3}, // very low
	{1, 2, 2, 3, 4}, // low
	{2, 2, 3, 3, 4}, // medium
	{2, 3, 3, 4, 5}, // high
	{3, 4, 4, 5, 5}, // very high
}

// hazardStatuses: "closed" is deliberately absent — a hazard is closed only
// when a clinical safety officer has reviewed it, and none has yet.
var hazardStatuses = map[string]bool{"open": true, "controlled": true}

type hazard struct {
	ID              string     `yaml:"id"`
	Title           string     `yaml:"title"`
	Cause           string     `yaml:"cause"`
	Effect          string     `yaml:"effect"`
	Harm            string     `yaml:"harm"`
	Initial         riskRating `yaml:"initial"`
	Controls        []control  `yaml:"controls"`
	Residual        riskRating `yaml:"residual"`
	Status          string     `yaml:"status"`
	OpenRisks       []string   `yaml:"open_risks"`
	DeployerActions []string   `yaml:"deployer_actions"`
}

type riskRating struct {
	Severity   string `yaml:"severity"`
	Likelihood string `yaml:"likelihood"`
	RiskClass  int    `yaml:"risk_class"`
}

type control struct {
	Control string    `yaml:"control"`
	Code    []string  `yaml:"code"`
	Tests   []testRef `yaml:"tests"`
}

type testRef struct {
	Package string `yaml:"package"`
	Test    string `yaml:"test"`
}

func (r testRef) String() string { return r.Package + " " + r.Test }

// riskClass gives the matrix's class, or 0 with a reason when either
// category is not on its scale.
func riskClass(severity, likelihood string) (int, error) {
	s, l := indexOf(severities, severity), indexOf(likelihoods, likelihood)
	switch {
	case s < 0:
		return 0, fmt.Errorf("severity %q is not one of %s", severity, strings.Join(severities, ", "))
	case l < 0:
		return 0, fmt.Errorf("likelihood %q is not one of %s", likelihood, strings.Join(likelihoods, ", "))
	}
	return riskMatrix[l][s], nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// testIndex knows which Test and Fuzz functions each package of the module declares,
// read from its _test.go files with go/parser (no go test run, so it is fast
// and needs nothing but the source).
type testIndex struct {
	root string
	mu   sync.Mutex
	seen map[string]map[string]bool
}

func newTestIndex(root string) *testIndex {
	return &testIndex{root: root, seen: map[string]map[string]bool{}}
}

// packageDir turns an import path of this module into its folder.
func packageDir(pkg string) (string, error) {
	if pkg == modulePath {
		return ".", nil
	}
	rest, ok := strings.CutPrefix(pkg, modulePath+"/")
	if !ok || rest == "" || strings.Contains(rest, "..") {
		return "", fmt.Errorf("package %q is not in module %s (write it as %s/<folder>)", pkg, modulePath, modulePath)
	}
	return filepath.FromSlash(rest), nil
}

func (x *testIndex) tests(pkg string) (map[string]bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if names, ok := x.seen[pkg]; ok {
		return names, nil
	}
	dir, err := packageDir(pkg)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(x.root, dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("package %s has no _test.go files in %s", pkg, dir)
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		parsed, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		for _, d := range parsed.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if ok && fn.Recv == nil && isTestName(fn.Name.Name) {
				names[fn.Name.Name] = true
			}
		}
	}
	x.seen[pkg] = names
	return names, nil
}

// isTestName: go test runs Test functions, and every fuzz target's seed
// corpus, so either may stand as evidence.
func isTestName(name string) bool {
	return strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Fuzz")
}

var hazardFileName = regexp.MustCompile(`^(HAZ-[0-9]{3})-[a-z0-9]+(-[a-z0-9]+)*\.md$`)

// readHazard splits a hazard file into its front matter and decodes it;
// an unknown key is an error, so a misspelt field cannot pass as absent.
func readHazard(data []byte) (hazard, error) {
	var h hazard
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return h, fmt.Errorf("the file does not start with a front-matter block (a line ---)")
	}
	front, _, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return h, fmt.Errorf("the front-matter block has no closing line ---")
	}
	dec := yaml.NewDecoder(strings.NewReader(front))
	dec.KnownFields(true)
	if err := dec.Decode(&h); err != nil {
		return h, fmt.Errorf("front matter: %w", err)
	}
	return h, nil
}

// hazardProblems lists everything wrong with one hazard, read from the file
// named; root is the module's folder, where code paths are looked up.
func hazardProblems(file string, h hazard, root string, idx *testIndex) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	m := hazardFileName.FindStringSubmatch(file)
	switch {
	case m == nil:
		add("the file name should be HAZ-NNN-a-few-words.md")
	case h.ID != m[1]:
		add("id %q does not match the file name (%s)", h.ID, m[1])
	}
	for field, v := range map[string]string{"id": h.ID, "title": h.Title, "cause": h.Cause, "effect": h.Effect, "harm": h.Harm, "status": h.Status} {
		if strings.TrimSpace(v) == "" {
			add("%s is missing or empty", field)
		}
	}
	initial, residual := 0, 0
	for _, r := range []struct {
		name   string
		rating riskRating
		class  *int
	}{{"initial", h.Initial, &initial}, {"residual", h.Residual, &residual}} {
		want, err := riskClass(r.rating.Severity, r.rating.Likelihood)
		if err != nil {
			add("%s: %v", r.name, err)
			continue
		}
		if r.rating.RiskClass != want {
			add("%s risk_class is %d; the matrix gives %d for %s severity, %s likelihood", r.name, r.rating.RiskClass, want, r.rating.Severity, r.rating.Likelihood)
		}
		*r.class = want
	}
	if initial > 0 && residual > initial {
		add("residual risk class %d is above the initial %d", residual, initial)
	}
	if h.Status != "" && !hazardStatuses[h.Status] {
		add("status %q is not open or controlled (a hazard is closed only after a clinical safety officer's review)", h.Status)
	}
	switch {
	case h.Status == "open" && len(h.OpenRisks) == 0:
		add("status is open but open_risks names nothing still open")
	case h.Status == "controlled" && len(h.OpenRisks) > 0:
		add("status is controlled but open_risks lists %d risk(s): make it open", len(h.OpenRisks))
	}
	for i, s := range h.OpenRisks {
		if strings.TrimSpace(s) == "" {
			add("open_risks[%d] is empty", i)
		}
	}
	if len(h.DeployerActions) == 0 {
		add("deployer_actions is empty: say what the deploying organisation must still do")
	}
	for i, s := range h.DeployerActions {
		if strings.TrimSpace(s) == "" {
			add("deployer_actions[%d] is empty", i)
		}
	}
	if len(h.Controls) == 0 && h.Status == "controlled" {
		add("a controlled hazard names no controls")
	}
	for i, c := range h.Controls {
		where := fmt.Sprintf("control %d", i+1)
		if strings.TrimSpace(c.Control) == "" {
			add("%s: control (what it does) is empty", where)
		}
		if len(c.Code) == 0 {
			add("%s: code names no file or folder", where)
		}
		for _, p := range c.Code {
			if p == "" || filepath.IsAbs(p) || strings.Contains(p, "..") {
				add("%s: code %q should be a path inside the repository", where, p)
				continue
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
				add("%s: code %s does not exist", where, p)
			}
		}
		if len(c.Tests) == 0 {
			add("%s: names no test that proves it (a control without a test belongs in open_risks)", where)
		}
		for _, ref := range c.Tests {
			if !isTestName(ref.Test) {
				add("%s: %q is not a test name (Test... or a fuzz target, Fuzz..., whose seeds go test runs)", where, ref.Test)
				continue
			}
			names, err := idx.tests(ref.Package)
			if err != nil {
				add("%s: %s: %v", where, ref, err)
				continue
			}
			if !names[ref.Test] {
				add("%s: no _test.go file of %s declares func %s (renamed or deleted? update %s)", where, ref.Package, ref.Test, file)
			}
		}
	}
	return out
}

// loadHazards reads every hazard file, failing the test on unreadable ones.
func loadHazards(t *testing.T) (files []string, hazards map[string]hazard) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(hazardDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	hazards = map[string]hazard{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h, err := readHazard(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		name := filepath.Base(p)
		files = append(files, name)
		hazards[name] = h
	}
	sort.Strings(files)
	return files, hazards
}

func TestSafetyHazardLogIsCompleteAndTrue(t *testing.T) {
	files, hazards := loadHazards(t)
	if len(files) < minimumHazards {
		t.Errorf("%s holds %d hazards; the log needs at least %d", hazardDir, len(files), minimumHazards)
	}
	idx := newTestIndex(".")
	byID := map[string]string{}
	for _, f := range files {
		h := hazards[f]
		t.Run(f, func(t *testing.T) {
			for _, p := range hazardProblems(f, h, ".", idx) {
				t.Errorf("%s/%s: %s", hazardDir, f, p)
			}
		})
		if other, dup := byID[h.ID]; dup && h.ID != "" {
			t.Errorf("%s and %s both have id %s", other, f, h.ID)
		}
		byID[h.ID] = f
	}
}

// markedBlock returns the text between two marker comments of a document.
func markedBlock(doc, start, end string) (string, error) {
	_, after, ok := strings.Cut(doc, start)
	if !ok {
		return "", fmt.Errorf("no %s marker", start)
	}
	block, _, ok := strings.Cut(after, end)
	if !ok {
		return "", fmt.Errorf("no %s marker after %s", end, start)
	}
	return block, nil
}

// tableRows returns the cells of each row of a Markdown table, header and
// separator rows left out.
func tableRows(block string) [][]string {
	var rows [][]string
	for i, line := range strings.Split(strings.TrimSpace(block), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || i == 0 || strings.HasPrefix(line, "| ---") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, cells)
	}
	return rows
}

func category(words string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Trim(words, "* ")), " ", "-")
}

// The plan's matrix is the one the hazards are scored with: each of its rows
// (a likelihood, then the classes for minor … catastrophic) matches the code.
func TestSafetyPlanMatrixMatchesTheCode(t *testing.T) {
	doc, err := os.ReadFile(safetyPlanFile)
	if err != nil {
		t.Fatal(err)
	}
	block, err := markedBlock(string(doc), matrixStartMarker, matrixEndMarker)
	if err != nil {
		t.Fatalf("%s: %v", safetyPlanFile, err)
	}
	rows := tableRows(block)
	if len(rows) != len(likelihoods) {
		t.Fatalf("%s: the matrix has %d likelihood rows; want %d", safetyPlanFile, len(rows), len(likelihoods))
	}
	seen := map[string]bool{}
	for _, row := range rows {
		l := indexOf(likelihoods, category(row[0]))
		if l < 0 || len(row) != 1+len(severities) {
			t.Errorf("%s: matrix row %q: want a likelihood and %d classes", safetyPlanFile, row, len(severities))
			continue
		}
		seen[likelihoods[l]] = true
		for s, cell := range row[1:] {
			got, err := strconv.Atoi(strings.Trim(cell, "* "))
			if err != nil || got != riskMatrix[l][s] {
				t.Errorf("%s: %s likelihood, %s severity reads %q; the code's matrix gives %d", safetyPlanFile, likelihoods[l], severities[s], cell, riskMatrix[l][s])
			}
		}
	}
	if len(seen) != len(likelihoods) {
		t.Errorf("%s: the matrix's rows name %d distinct likelihoods; want all %d", safetyPlanFile, len(seen), len(likelihoods))
	}
}

// The safety case's evidence summary lists every hazard with its title,
// current residual class and status, and nothing that is not in the log.
func TestSafetyCaseSummaryFollowsTheHazardLog(t *testing.T) {
	_, hazards := loadHazards(t)
	files := map[string]string{} // id → file name
	for name, h := range hazards {
		files[h.ID] = name
	}
	doc, err := os.ReadFile(safetyCaseFile)
	if err != nil {
		t.Fatal(err)
	}
	block, err := markedBlock(string(doc), summaryStart, summaryEnd)
	if err != nil {
		t.Fatalf("%s: %v", safetyCaseFile, err)
	}
	want := map[string]hazard{}
	for _, h := range hazards {
		want[h.ID] = h
	}
	listed := map[string]bool{}
	for _, row := range tableRows(block) {
		// | [HAZ-001](hazards/...) | title | residual class | status |
		id := regexp.MustCompile(`HAZ-[0-9]{3}`).FindString(row[0])
		h, ok := want[id]
		if !ok {
			t.Errorf("%s lists %q, which is not in the hazard log", safetyCaseFile, row[0])
			continue
		}
		listed[id] = true
		if link := regexp.MustCompile(`\]\((hazards/[^)]+)\)`).FindStringSubmatch(row[0]); link == nil || filepath.Base(link[1]) != files[id] {
			t.Errorf("%s: the row for %s should link to hazards/%s", safetyCaseFile, id, files[id])
		}
		if len(row) < 4 || row[1] != h.Title || row[2] != strconv.Itoa(h.Residual.RiskClass) || row[3] != h.Status {
			t.Errorf("%s: the row for %s reads %q; the hazard file says %q, residual class %d, status %s", safetyCaseFile, id, row, h.Title, h.Residual.RiskClass, h.Status)
		}
	}
	for id := range want {
		if !listed[id] {
			t.Errorf("%s does not list %s", safetyCaseFile, id)
		}
	}
}

// Nobody signs for the clinical safety officer: every sign-off cell in the
// plan and the safety case stays blank until a registered clinician fills it
// in by hand, outside this repository's tests.
func TestSafetySignOffIsLeftBlank(t *testing.T) {
	for _, f := range []string{safetyPlanFile, safetyCaseFile} {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		block, err := markedBlock(string(doc), signOffStart, signOffEnd)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		rows := tableRows(block)
		if len(rows) == 0 {
			t.Errorf("%s: the sign-off table is empty; it should hold the rows a clinical safety officer fills in", f)
		}
		for _, row := range rows {
			for _, cell := range row[1:] {
				if cell != "" {
					t.Errorf("%s: sign-off row %q has %q filled in; only the clinical safety officer may fill it, outside the repository", f, row[0], cell)
				}
			}
		}
	}
}

// The checker itself: each kind of drift is caught, and a good hazard passes.
func TestSafetyHazardCheckerCatchesDrift(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "pathway"), 0o755))
	must(os.WriteFile(filepath.Join(root, "pathway", "calendar.go"), []byte("package pathway\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "pathway", "calendar_test.go"), []byte("package pathway\n\nimport \"testing\"\n\nfunc TestAddWorkingDays(t *testing.T) {}\n\nfunc FuzzParseSpan(f *testing.F) {}\n\nfunc helper() {}\n"), 0o644))

	good := func() hazard {
		return hazard{
			ID: "HAZ-001", Title: "t", Cause: "c", Effect: "e", Harm: "h", Status: "controlled",
			Initial:  riskRating{"major", "medium", 3},
			Residual: riskRating{"major", "very-low", 2},
			Controls: []control{{Control: "counts working days", Code: []string{"pathway/calendar.go"},
				Tests: []testRef{{"hppbot/pathway", "TestAddWorkingDays"}}}},
			DeployerActions: []string{"set HPP_NATION"},
		}
	}
	tests := []struct {
		name   string
		file   string
		change func(*hazard)
		want   string // "" for no problem
	}{
		{"a good hazard", "HAZ-001-deadline.md", func(*hazard) {}, ""},
		{"a fuzz target as evidence", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests[0].Test = "FuzzParseSpan" }, ""},
		{"renamed test", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests[0].Test = "TestAddWorkDays" }, "declares func TestAddWorkDays"},
		{"helper named as a test", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests[0].Test = "helper" }, "is not a test name"},
		{"package without tests", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests[0].Package = "hppbot/store" }, "has no _test.go files"},
		{"package outside the module", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests[0].Package = "pathway" }, "is not in module"},
		{"moved code", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Code = []string{"pathway/dates.go"} }, "code pathway/dates.go does not exist"},
		{"control without a test", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Tests = nil }, "names no test"},
		{"control without code", "HAZ-001-deadline.md", func(h *hazard) { h.Controls[0].Code = nil }, "names no file"},
		{"class off the matrix", "HAZ-001-deadline.md", func(h *hazard) { h.Initial.RiskClass = 4 }, "the matrix gives 3"},
		{"residual class off the matrix", "HAZ-001-deadline.md", func(h *hazard) { h.Residual.RiskClass = 1 }, "the matrix gives 2"},
		{"unknown severity", "HAZ-001-deadline.md", func(h *hazard) { h.Initial.Severity = "moderate" }, `severity "moderate"`},
		{"unknown likelihood", "HAZ-001-deadline.md", func(h *hazard) { h.Residual.Likelihood = "rare" }, `likelihood "rare"`},
		{"residual above initial", "HAZ-001-deadline.md", func(h *hazard) { h.Residual = riskRating{"catastrophic", "very-high", 5} }, "above the initial"},
		{"missing harm", "HAZ-001-deadline.md", func(h *hazard) { h.Harm = " " }, "harm is missing"},
		{"id and file disagree", "HAZ-002-deadline.md", func(*hazard) {}, "does not match the file name"},
		{"bad file name", "deadline.md", func(*hazard) {}, "file name should be"},
		{"closed without review", "HAZ-001-deadline.md", func(h *hazard) { h.Status = "closed" }, "not open or controlled"},
		{"open with nothing open", "HAZ-001-deadline.md", func(h *hazard) { h.Status = "open" }, "names nothing still open"},
		{"controlled with an open risk", "HAZ-001-deadline.md", func(h *hazard) { h.OpenRisks = []string{"x"} }, "make it open"},
		{"nothing for the deployer", "HAZ-001-deadline.md", func(h *hazard) { h.DeployerActions = nil }, "deploying organisation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := good()
			tc.change(&h)
			got := hazardProblems(tc.file, h, root, newTestIndex(root))
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("problems with a good hazard: %q", got)
				}
				return
			}
			if !strings.Contains(strings.Join(got, "\n"), tc.want) {
				t.Errorf("problems %q; want one containing %q", got, tc.want)
			}
		})
	}
}

// Front matter that is not there, not closed, or misspelt is refused.
func TestSafetyHazardFrontMatter(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"no block", "# HAZ-001\n", "does not start with a front-matter block"},
		{"not closed", "---\nid: HAZ-001\n", "no closing line"},
		{"misspelt key", "---\nid: HAZ-001\nstatsu: open\n---\n", "field statsu not found"},
		{"good", "---\r\nid: HAZ-001\r\nstatus: open\r\n---\r\n# body\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := readHazard([]byte(tc.text))
			switch {
			case tc.want == "" && (err != nil || h.ID != "HAZ-001" || h.Status != "open"):
				t.Errorf("got %+v, %v", h, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v; want one containing %q", err, tc.want)
			}
		})
	}
}
