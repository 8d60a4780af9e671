package prompts

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func builtinLibrary(t *testing.T) *Library {
	t.Helper()
	l, err := Load("")
	if err != nil {
		t.Fatalf("Load(\"\"): %v", err)
	}
	return l
}

func TestRequiredTopicsExist(t *testing.T) {
	l := builtinLibrary(t)
	want := []string{"prepare", "first-contact", "acknowledge", "listen", "apology", "explain",
		"keep-in-touch", "written", "avoid", "involve", "staff", "lens"}
	for _, name := range want {
		if _, ok := l.Topic(name); !ok {
			t.Errorf("built-in topic %q is missing", name)
		}
	}
	if got := len(l.Topics()); got != len(want) {
		t.Errorf("got %d built-in topics, want %d", got, len(want))
	}
}

func TestBuiltinCardsAreComplete(t *testing.T) {
	for _, tp := range builtinLibrary(t).Topics() {
		t.Run(tp.Name, func(t *testing.T) {
			for field, v := range map[string]string{
				"Title": tp.Title, "Summary": tp.Summary, "Purpose": tp.Purpose,
				"QuestionsHeading": tp.QuestionsHeading, "InsteadOf": tp.InsteadOf, "Try": tp.Try,
			} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if n := len(tp.Questions); n < 3 || n > 6 {
				t.Errorf("%d questions, want 3 to 6", n)
			}
			if tp.Source != BuiltIn {
				t.Errorf("Source = %q, want %q", tp.Source, BuiltIn)
			}
			if tp.Order < 1 || tp.Order >= defaultOrder {
				t.Errorf("Order = %d; built-in cards need an explicit order below %d", tp.Order, defaultOrder)
			}
			if n := utf8.RuneCountInString(tp.Text()); n >= 3000 {
				t.Errorf("rendered card is %d characters; Slack's section limit is 3,000", n)
			}
			for _, q := range tp.Questions {
				if strings.ContainsAny(q, "\"“”") {
					t.Errorf("question should be a plain line without quotation marks: %q", q)
				}
			}
		})
	}
}

func TestBuiltinOrdersAreDistinct(t *testing.T) {
	seen := map[int]string{}
	for _, tp := range builtinLibrary(t).Topics() {
		if prev, dup := seen[tp.Order]; dup {
			t.Errorf("%s and %s share order %d", prev, tp.Name, tp.Order)
		}
		seen[tp.Order] = tp.Name
	}
}

func TestCommitments(t *testing.T) {
	l := builtinLibrary(t)
	want := []string{"communication", "support", "investigation", "improvement", "parallel", "culture"}
	got := l.Commitments()
	if len(got) != len(want) {
		t.Fatalf("got %d commitments, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Number != i+1 || c.Key != want[i] {
			t.Errorf("commitment %d: got number %d key %q, want %d %q", i, c.Number, c.Key, i+1, want[i])
		}
		if c.Title == "" || c.Meaning == "" || c.WhatHppbotDoes == "" {
			t.Errorf("commitment %q is incomplete: %+v", c.Key, c)
		}
		if byKey, ok := l.Commitment(strings.ToUpper(c.Key)); !ok || byKey != c {
			t.Errorf("Commitment(%q) = %+v, %v", c.Key, byKey, ok)
		}
	}
	// The product facts the commitments promise, command by command.
	mustMention := map[string][]string{
		"communication": {"/hpp contact", "/hpp plan", "/hpp candour", "pathway lead", "working days"},
		"support":       {"/hpp family <case> support", "/hpp support"},
		"investigation": {"questions", "investigation", "findings"},
		"improvement":   {"/hpp family <case> improvement", "/hpp report"},
		"parallel":      {"parallel=", "regardless"},
		"culture":       {"/hpp prompt", "/hpp lens", "/hpp checkin"},
	}
	for key, words := range mustMention {
		c, _ := l.Commitment(key)
		for _, w := range words {
			if !strings.Contains(c.WhatHppbotDoes, w) {
				t.Errorf("commitment %q: what hppbot does should mention %q", key, w)
			}
		}
	}
	// Everyone reads the adoption note, so it names who switches commitments
	// on, not the policy key (the commitments reply adds that for admins).
	if a := l.Adoption(); !strings.Contains(a, "communication") || !strings.Contains(a, "admin") || strings.Contains(a, "commitments:") {
		t.Errorf("adoption note should say to start with communication and who switches the rest on, without the policy key: %q", a)
	}
	if _, ok := l.Commitment("nonsense"); ok {
		t.Error("Commitment(nonsense) found something")
	}
}

// allContent returns every embedded content file, README included.
func allContent(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(content, "content", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content, p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoPlaceholderText(t *testing.T) {
	placeholder := regexp.MustCompile(`(?i)\bTODO\b|\bTBD\b|\bFIXME\b|lorem|\bxxx+\b|\[insert|\{\{|\}\}|\[name\]|\[date\]`)
	for name, text := range allContent(t) {
		for i, line := range strings.Split(text, "\n") {
			if m := placeholder.FindString(line); m != "" {
				t.Errorf("%s line %d: placeholder text %q", name, i+1, m)
			}
		}
	}
}

// jargon lists words and phrases that must not appear in a card's own
// advice: defensive or procedural phrasing, blame, and insider terms. The
// InsteadOf field is exempt, because that is where a defensive phrase is
// quoted in order to replace it.
var jargon = []string{
	"any distress caused", "distress caused", "unable to comment", "no comment",
	"regrettable", "regret to inform", "protocol was followed", "policy was followed",
	"policy says", "as per", "in line with our procedures", "in due course",
	"liability", "admit fault", "without prejudice", "adverse event", "never event",
	"notifiable safety incident", "second victim", "human error", "non-compliance",
	"mistakes were made", "going forward", "lessons will be learned", "stakeholder",
	"datix", "root cause analysis", "serious incident", "care pathway",
}

// acronym finds words of two or more capital letters. Only the NHS is
// familiar enough to leave unexpanded.
var (
	acronym       = regexp.MustCompile(`\b[A-Z][A-Z0-9]+\b`)
	knownAcronyms = map[string]bool{"NHS": true}
)

// americanSpelling catches the usual slips; British spelling throughout.
var americanSpelling = regexp.MustCompile(`(?i)\b(\w*(?:[^s]iz(?:e|es|ed|ing)|ization)|apologiz\w*|color\w*|behavior\w*|center\w*|favor\w*|honor\w*|analyz\w*|counseling|program|judgment)\b`)

func TestCardsUseKindPlainLanguage(t *testing.T) {
	for _, tp := range builtinLibrary(t).Topics() {
		advice := map[string]string{
			"Title": tp.Title, "Summary": tp.Summary, "Purpose": tp.Purpose,
			"QuestionsHeading": tp.QuestionsHeading, "Try": tp.Try, "Remember": tp.Remember,
		}
		for i, q := range tp.Questions {
			advice["Questions["+string(rune('1'+i))+"]"] = q
		}
		for field, text := range advice {
			lower := strings.ToLower(text)
			for _, bad := range jargon {
				if !strings.Contains(lower, bad) {
					continue
				}
				// The one place "liability" belongs: saying that sorry is NOT an admission of it.
				if bad == "liability" && tp.Name == "apology" && field == "Remember" &&
					strings.Contains(lower, "not an admission of legal liability") {
					continue
				}
				t.Errorf("%s %s uses %q: %q", tp.Name, field, bad, text)
			}
		}
		all := map[string]string{"InsteadOf": tp.InsteadOf}
		for k, v := range advice {
			all[k] = v
		}
		for field, text := range all {
			for _, a := range acronym.FindAllString(text, -1) {
				if !knownAcronyms[a] {
					t.Errorf("%s %s uses the acronym %q; spell it out", tp.Name, field, a)
				}
			}
			for _, m := range americanSpelling.FindAllString(text, -1) {
				if !britishOK(m) {
					t.Errorf("%s %s: %q looks like American spelling", tp.Name, field, m)
				}
			}
		}
	}
}

func TestCommitmentsUsePlainLanguage(t *testing.T) {
	l := builtinLibrary(t)
	texts := map[string]string{"adoption": l.Adoption()}
	for _, c := range l.Commitments() {
		texts[c.Key+" title"] = c.Title
		texts[c.Key+" meaning"] = c.Meaning
		texts[c.Key+" what hppbot does"] = c.WhatHppbotDoes
	}
	for where, text := range texts {
		lower := strings.ToLower(text)
		for _, bad := range jargon {
			if strings.Contains(lower, bad) {
				t.Errorf("%s uses %q", where, bad)
			}
		}
		for _, a := range acronym.FindAllString(text, -1) {
			if !knownAcronyms[a] {
				t.Errorf("%s uses the acronym %q; spell it out", where, a)
			}
		}
		for _, m := range americanSpelling.FindAllString(text, -1) {
			if !britishOK(m) {
				t.Errorf("%s: %q looks like American spelling", where, m)
			}
		}
	}
}

// britishOK lets through words the spelling pattern catches but which are
// spelt the same on both sides of the Atlantic.
func britishOK(word string) bool {
	switch strings.ToLower(word) {
	case "size", "sizes", "sized", "seize", "seized", "prize", "capsize", "citizen":
		return true
	}
	return false
}

func TestSpellingCheckCatchesSlips(t *testing.T) {
	for _, w := range []string{"apologize", "organization", "recognized", "color", "behavior", "center", "realizing", "program"} {
		if m := americanSpelling.FindString(w); m == "" || britishOK(m) {
			t.Errorf("spelling check misses %q", w)
		}
	}
	for _, w := range []string{"apologise", "organisation", "recognised", "colour", "behaviour", "centre", "realising", "programme", "size"} {
		if m := americanSpelling.FindString(w); m != "" && !britishOK(m) {
			t.Errorf("spelling check wrongly flags %q (%q)", w, m)
		}
	}
}
