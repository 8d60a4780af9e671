package prompts

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Topic is one prompt card.
type Topic struct {
	Name    string // the topic: lowercase letters, digits and hyphens, e.g. "keep-in-touch"
	Title   string
	Summary string // one line, for the topic list
	Order   int    // lists sort by Order, then Name

	Purpose          string   // when to use the card and why it matters
	QuestionsHeading string   // how the list is introduced, e.g. "Ask" or "Say"
	Questions        []string // 3 to 6 questions or phrases to ask or say
	InsteadOf, Try   string   // the one defensive phrase, and a better one
	Remember         string   // optional

	Source string // "built-in", or the path of the organisation's file that supplied the card
}

// Commitment is one of the six commitments of the Harmed Patient Pathway.
type Commitment struct {
	Key            string // communication, support, investigation, improvement, parallel, culture
	Number         int    // 1 to 6
	Title          string
	Meaning        string // what it asks of the organisation, in a sentence or two
	WhatHppbotDoes string // the commands and reminders that serve it
}

// BuiltIn is the Source of a card that ships with hppbot.
const BuiltIn = "built-in"

// Library is the loaded set of cards and commitments. It does not change
// after Load, and every method returns copies, so one Library may be shared.
type Library struct {
	topics      []Topic // sorted by Order, then Name
	byName      map[string]int
	commitments []Commitment
	adoption    string
}

//go:embed content/*.md
var content embed.FS

// Files in the content folder that are not cards.
const (
	readmeFile      = "README.md"
	commitmentsFile = "commitments.md"
)

// Load reads the built-in cards and commitments and then, if dir is not
// empty, every *.md file directly inside dir: a file whose topic matches a
// built-in card replaces it, any other adds a card. README.md and files
// whose names start with "." are skipped. The first problem found is
// returned, naming the file and line.
func Load(dir string) (*Library, error) {
	builtin, err := fs.Sub(content, "content")
	if err != nil {
		return nil, err
	}
	var override fs.FS
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("prompts folder %s cannot be read: %w", dir, err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("prompts folder %s is a file, not a folder", dir)
		}
		override = os.DirFS(dir)
	}
	return load(builtin, override, dir)
}

// load does the work of Load on any file systems, so tests can use
// testing/fstest. overrideDir is only used to name files in messages.
func load(builtin, override fs.FS, overrideDir string) (*Library, error) {
	l := &Library{byName: map[string]int{}}

	names, err := fs.Glob(builtin, "*.md")
	if err != nil {
		return nil, err
	}
	from := map[string]string{} // topic -> file that defined it, for duplicate messages
	for _, name := range names {
		if name == readmeFile || name == commitmentsFile {
			continue
		}
		display := path.Join("content", name)
		t, err := readTopic(builtin, name, display)
		if err != nil {
			return nil, err
		}
		if prev, dup := from[t.Name]; dup {
			return nil, &ParseError{File: display, Msg: fmt.Sprintf("topic %q is already defined in %s", t.Name, prev)}
		}
		from[t.Name] = display
		t.Source = BuiltIn
		if t.Order == 0 {
			t.Order = defaultOrder
		}
		l.add(t)
	}

	data, err := fs.ReadFile(builtin, commitmentsFile)
	if err != nil {
		return nil, fmt.Errorf("built-in commitments: %w", err)
	}
	l.adoption, l.commitments, err = parseCommitments(path.Join("content", commitmentsFile), data)
	if err != nil {
		return nil, err
	}

	if override != nil {
		if err := l.addOverrides(override, overrideDir); err != nil {
			return nil, err
		}
	}

	slices.SortFunc(l.topics, func(a, b Topic) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.Name, b.Name))
	})
	for i, t := range l.topics {
		l.byName[t.Name] = i
	}
	return l, nil
}

func (l *Library) addOverrides(override fs.FS, dir string) error {
	entries, err := fs.ReadDir(override, ".")
	if err != nil {
		return fmt.Errorf("prompts folder %s cannot be read: %w", dir, err)
	}
	from := map[string]string{} // topic -> override file that defined it
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.EqualFold(name, readmeFile) ||
			!strings.EqualFold(path.Ext(name), ".md") {
			continue
		}
		// Stat rather than e.Type(): mounted configuration (a Kubernetes
		// ConfigMap, say) arrives as symbolic links to regular files.
		info, err := fs.Stat(override, name)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		display := name
		if dir != "" {
			display = filepath.Join(dir, name)
		}
		if info.Size() > maxFileBytes {
			return &ParseError{File: display, Msg: fmt.Sprintf("the file is %d bytes; a prompt card is at most %d", info.Size(), maxFileBytes)}
		}
		t, err := readTopic(override, name, display)
		if err != nil {
			return err
		}
		if prev, dup := from[t.Name]; dup {
			return &ParseError{File: display, Msg: fmt.Sprintf("topic %q is already defined in %s; each topic may appear in one file", t.Name, prev)}
		}
		from[t.Name] = display
		t.Source = display
		if i, replaces := l.index(t.Name); replaces {
			if t.Order == 0 {
				t.Order = l.topics[i].Order // a replacement keeps its place in the list
			}
			l.topics[i] = t
			continue
		}
		if t.Order == 0 {
			t.Order = defaultOrder
		}
		l.add(t)
	}
	return nil
}

func readTopic(fsys fs.FS, name, display string) (Topic, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Topic{}, &ParseError{File: display, Msg: "cannot be read: " + err.Error()}
	}
	return Parse(display, data)
}

// add appends t while loading; the index is rebuilt after sorting.
func (l *Library) add(t Topic) {
	l.topics = append(l.topics, t)
	l.byName[t.Name] = len(l.topics) - 1
}

func (l *Library) index(name string) (int, bool) {
	i, ok := l.byName[name]
	return i, ok
}

// Topics returns every card, sorted by Order, then Name.
func (l *Library) Topics() []Topic {
	out := make([]Topic, len(l.topics))
	for i, t := range l.topics {
		out[i] = t.clone()
	}
	return out
}

// Topic returns the card for name, ignoring case and surrounding spaces.
func (l *Library) Topic(name string) (Topic, bool) {
	i, ok := l.byName[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Topic{}, false
	}
	return l.topics[i].clone(), true
}

// Commitments returns the six commitments in number order.
func (l *Library) Commitments() []Commitment {
	return slices.Clone(l.commitments)
}

// Commitment returns the commitment with the given key, ignoring case.
func (l *Library) Commitment(key string) (Commitment, bool) {
	key = strings.ToLower(strings.TrimSpace(key))
	for _, c := range l.commitments {
		if c.Key == key {
			return c, true
		}
	}
	return Commitment{}, false
}

// Adoption is a short note on taking the commitments on in phases, shown
// with the list of commitments.
func (l *Library) Adoption() string { return l.adoption }

func (t Topic) clone() Topic {
	t.Questions = slices.Clone(t.Questions)
	return t
}

// Text renders the card as plain text with *bold* headings and "• "
// bullets, as Slack's mrkdwn and the console show it. It does not escape
// characters a surface treats specially (Slack's &, < and >); that is the
// surface's job.
func (t Topic) Text() string {
	var b strings.Builder
	b.WriteString("*" + t.Title + "*\n")
	b.WriteString(t.Purpose + "\n")
	heading := t.QuestionsHeading
	if heading == "" {
		heading = "Ask"
	}
	b.WriteString("\n*" + heading + "*\n")
	for _, q := range t.Questions {
		b.WriteString("• " + q + "\n")
	}
	b.WriteString("\n*Instead of:* “" + t.InsteadOf + "”\n")
	b.WriteString("*Try:* “" + t.Try + "”")
	if t.Remember != "" {
		b.WriteString("\n\n*Remember:* " + t.Remember)
	}
	return b.String()
}
