package prompts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// loadWith loads the built-in content with override as the organisation's
// folder, named "custom" in messages.
func loadWith(t *testing.T, override fstest.MapFS) (*Library, error) {
	t.Helper()
	builtin, err := fs.Sub(content, "content")
	if err != nil {
		t.Fatal(err)
	}
	return load(builtin, override, "custom")
}

const ownApology = `---
topic: apology
title: Saying sorry, the way we do it here
summary: Our own words for an apology.
---
Use this whenever you say sorry to a family.

## Say
- I am so sorry.
- I'm sorry this happened while you were in our care.
- I'm sorry we didn't tell you sooner.

## Instead of
We apologise for any inconvenience.

## Try
I'm sorry. This should not have happened to you.
`

const newTopic = `---
topic: handover
title: Handing over to a new named contact
summary: When the family's named contact changes.
order: 75
---
Use this when someone else becomes the family's named contact.

## Say
- I'm handing over to my colleague, who will be your contact from Monday.
- I've told them everything we've talked about.
- Can we all talk together before I step back?

## Instead of
Your case has been reallocated.

## Try
I'd like to introduce you to my colleague.
`

func TestOverrideReplacesBuiltinCard(t *testing.T) {
	builtin := builtinLibrary(t)
	before, _ := builtin.Topic("apology")

	l, err := loadWith(t, fstest.MapFS{"apology.md": {Data: []byte(ownApology)}})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := l.Topic("apology")
	if !ok {
		t.Fatal("apology card is gone")
	}
	if got.Title != "Saying sorry, the way we do it here" || got.InsteadOf != "We apologise for any inconvenience." {
		t.Errorf("apology card was not replaced: %#v", got)
	}
	if got.Source != filepath.Join("custom", "apology.md") {
		t.Errorf("Source = %q, want the override file", got.Source)
	}
	if got.Order != before.Order {
		t.Errorf("a replacement with no order should keep the built-in place %d, got %d", before.Order, got.Order)
	}
	if len(l.Topics()) != len(builtin.Topics()) {
		t.Errorf("replacing a card changed the number of cards: %d, want %d", len(l.Topics()), len(builtin.Topics()))
	}
	if other, _ := l.Topic("listen"); other.Source != BuiltIn {
		t.Errorf("listen card Source = %q, want built-in", other.Source)
	}
}

func TestOverrideAddsNewCard(t *testing.T) {
	l, err := loadWith(t, fstest.MapFS{
		"handover.md": {Data: []byte(newTopic)},
		"late.md":     {Data: []byte(strings.Replace(strings.Replace(newTopic, "topic: handover", "topic: late", 1), "order: 75\n", "", 1))},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := l.Topic("Handover")
	if !ok || got.Title != "Handing over to a new named contact" {
		t.Fatalf("new card not found: %#v", got)
	}
	names := topicNames(l)
	if i, j := slices.Index(names, "keep-in-touch"), slices.Index(names, "handover"); j != i+1 {
		t.Errorf("order 75 should put handover straight after keep-in-touch (70): %v", names)
	}
	if names[len(names)-1] != "late" {
		t.Errorf("a new card with no order should come last: %v", names)
	}
}

func TestOverrideFolderSkipsWhatIsNotACard(t *testing.T) {
	l, err := loadWith(t, fstest.MapFS{
		"README.md":          {Data: []byte("# Our notes\nNot a card.")},
		"readme.md":          {Data: []byte("Also notes.")},
		".hidden.md":         {Data: []byte("editor swap file")},
		"notes.txt":          {Data: []byte("not markdown")},
		"drafts/idea.md":     {Data: []byte("a draft in a sub-folder")},
		"..data/apology.md":  {Data: []byte("Kubernetes volume internals")},
		"handover.MD":        {Data: []byte(newTopic)},
		"empty-dir.md/x.txt": {Data: []byte("a folder that ends in .md")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Topic("handover"); !ok {
		t.Error("handover.MD should be read")
	}
	if got, want := len(l.Topics()), len(builtinLibrary(t).Topics())+1; got != want {
		t.Errorf("got %d cards, want %d: %v", got, want, topicNames(l))
	}
}

func TestOverrideErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no front matter",
			fstest.MapFS{"apology.md": {Data: []byte("Say sorry.\n")}},
			`custom/apology.md line 1: a card must start with a line "---"`},
		{"missing topic",
			fstest.MapFS{"apology.md": {Data: []byte("---\ntitle: Sorry\n---\nUse this.\n")}},
			`custom/apology.md line 3: front matter needs "topic:"`},
		{"unknown key",
			fstest.MapFS{"apology.md": {Data: []byte(strings.Replace(ownApology, "summary:", "summmary:", 1))}},
			`custom/apology.md line 4: unknown front-matter key "summmary"`},
		{"bad topic name",
			fstest.MapFS{"apology.md": {Data: []byte(strings.Replace(ownApology, "topic: apology", "topic: Saying_Sorry", 1))}},
			`custom/apology.md line 2: topic "Saying_Sorry" may use only lowercase letters`},
		{"no questions",
			fstest.MapFS{"apology.md": {Data: []byte(strings.Replace(ownApology,
				"- I am so sorry.\n- I'm sorry this happened while you were in our care.\n- I'm sorry we didn't tell you sooner.\n", "", 1))}},
			`custom/apology.md line 8: there are no questions or phrases under "## Say"`},
		{"two instead-of pairs",
			fstest.MapFS{"apology.md": {Data: []byte(ownApology + "\n## Instead of\nPolicy says no.\n\n## Try\nLet me find out.\n")}},
			`custom/apology.md line 19: a card has exactly one "Instead of" and "Try" pair`},
		{"the same topic in two files",
			fstest.MapFS{"apology.md": {Data: []byte(ownApology)}, "sorry.md": {Data: []byte(ownApology)}},
			`custom/sorry.md: topic "apology" is already defined in custom/apology.md`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := loadWith(t, tt.files)
			if err == nil {
				t.Fatalf("loaded %d cards; want error %q", len(l.Topics()), tt.want)
			}
			want := filepath.FromSlash(tt.want[:strings.Index(tt.want, ".md")]) + tt.want[strings.Index(tt.want, ".md"):]
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got  %q\nwant %q...", err, want)
			}
		})
	}
}

func TestLoadFromRealFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "apology.md"), []byte(ownApology), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Topic("apology"); got.Source != filepath.Join(dir, "apology.md") {
		t.Errorf("Source = %q", got.Source)
	}

	// A symbolic link to a card is read, as mounted configuration often is.
	linked := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "apology.md"), filepath.Join(linked, "apology.md")); err == nil {
		l, err := Load(linked)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := l.Topic("apology"); got.Source == BuiltIn {
			t.Error("a card behind a symbolic link was not read")
		}
	}

	bad := filepath.Join(dir, "broken.md")
	if err := os.WriteFile(bad, []byte("---\ntitle: Sorry\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != bad || pe.Line != 3 {
		t.Errorf("got %v; want a ParseError for %s line 3", err, bad)
	}
}

func TestLoadMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("got %v; want an error naming %s", err, missing)
	}
	file := filepath.Join(t.TempDir(), "card.md")
	if err := os.WriteFile(file, []byte(ownApology), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("got %v; want an error saying it is not a folder", err)
	}
}

func TestTopicLookup(t *testing.T) {
	l := builtinLibrary(t)
	for _, name := range []string{"listen", "LISTEN", " Listen ", "Keep-In-Touch"} {
		if _, ok := l.Topic(name); !ok {
			t.Errorf("Topic(%q) not found", name)
		}
	}
	for _, name := range []string{"", "listening", "keep in touch", "../listen"} {
		if _, ok := l.Topic(name); ok {
			t.Errorf("Topic(%q) found something", name)
		}
	}
}

func TestTopicsSortedByOrderThenName(t *testing.T) {
	same := strings.Replace(newTopic, "order: 75", "order: 40", 1) // the same order as listen
	l, err := loadWith(t, fstest.MapFS{
		"a.md": {Data: []byte(strings.Replace(same, "topic: handover", "topic: aaa", 1))},
		"z.md": {Data: []byte(strings.Replace(same, "topic: handover", "topic: zzz", 1))},
	})
	if err != nil {
		t.Fatal(err)
	}
	topics := l.Topics()
	if !slices.IsSortedFunc(topics, func(a, b Topic) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	}) {
		t.Errorf("not sorted: %v", topicNames(l))
	}
	names := topicNames(l)
	i := slices.Index(names, "aaa")
	if names[i+1] != "listen" || names[i+2] != "zzz" {
		t.Errorf("equal orders should sort by name: %v", names)
	}
	for _, tp := range topics {
		if got, ok := l.Topic(tp.Name); !ok || got.Name != tp.Name {
			t.Errorf("Topic(%q) = %q after sorting", tp.Name, got.Name)
		}
	}
}

func TestLibraryCannotBeChangedFromOutside(t *testing.T) {
	l := builtinLibrary(t)
	topics := l.Topics()
	topics[0].Title = "changed"
	topics[0].Questions[0] = "changed"
	one, _ := l.Topic("listen")
	one.Questions[0] = "changed"
	cs := l.Commitments()
	cs[0].Title = "changed"

	again := l.Topics()
	listen, _ := l.Topic("listen")
	if again[0].Title == "changed" || again[0].Questions[0] == "changed" ||
		listen.Questions[0] == "changed" || l.Commitments()[0].Title == "changed" {
		t.Error("changing a returned value changed the library")
	}
}

func topicNames(l *Library) []string {
	var names []string
	for _, t := range l.Topics() {
		names = append(names, t.Name)
	}
	return names
}
