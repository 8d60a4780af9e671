package browsertest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// axe-core's browser build, committed with its licence and version by
// fetch-axe.sh; nothing is fetched when tests run.
//
//go:embed axe/axe.min.js
var axeSource string

// AxeVersion is the axe-core version embedded (axe/VERSION).
//
//go:embed axe/VERSION
var AxeVersion string

// Tags are the rule sets run: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
var Tags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one axe-core rule a page breaks, with the elements that
// break it.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []Node `json:"nodes"`
}

// Node is one element that breaks a rule.
type Node struct {
	Target  []string `json:"target"`  // CSS selectors to the element
	HTML    string   `json:"html"`    // the element's opening markup
	Summary string   `json:"summary"` // axe-core's "Fix any of the following: ..."
}

// String is the violation as a person fixing it would want to read it.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "  at %s: %s\n", strings.Join(n.Target, " "), n.HTML)
		for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	return b.String()
}

// Report is violations as one readable text, empty for none.
func Report(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.String())
	}
	return b.String()
}

// axeRun runs axe-core on the document at Tags and returns its violations
// as JSON, trimmed to what Violation holds.
func axeRun() string {
	tags, _ := json.Marshal(Tags)
	return `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]})
  .then(r => JSON.stringify(r.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""}))
  }))))`
}

// Axe runs axe-core on the page now open and returns what it finds at the
// WCAG 2.2 A/AA tags (axe-core is injected through the DevTools protocol,
// so a page's Content-Security-Policy needn't allow it).
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	if !Eval[bool](b, `typeof window.axe === "object"`) {
		Eval[bool](b, axeSource+"\n;true")
	}
	raw := Eval[string](b, axeRun())
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe-core's answer: %v", err)
	}
	return vs
}

// CheckAxe fails the test, naming the page, if axe-core finds any
// violation at the WCAG 2.2 A/AA tags.
func (b *Browser) CheckAxe() {
	b.t.Helper()
	if vs := b.Axe(); len(vs) > 0 {
		url := Eval[string](b, `location.href`)
		b.t.Errorf("axe-core %s: %d accessibility violation(s) on %s:\n%s", strings.TrimSpace(AxeVersion), len(vs), url, Report(vs))
	}
}
