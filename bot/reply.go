// Package bot holds what every chat surface shares: the platform-neutral
// Reply each surface renders (Block Kit in Slack, an Adaptive Card in Teams,
// plain text in the console), the Messenger the scheduler sends through, and
// the way people and channels are named across surfaces.
//
// Text in a Reply uses a small markup every surface can render: *bold*,
// "• " bullets, line breaks, and mentions written <@person-id> (see Mention).
package bot

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// Reply is one message from hppbot.
type Reply struct {
	// Text is the main message.
	Text string `json:",omitempty"`
	// Sections follow the text, each with an optional title and fields.
	Sections []Section `json:",omitempty"`
	// Note is small print shown last (for example, who can see this).
	Note string `json:",omitempty"`
	// Buttons are actions the reader can take with one tap.
	Buttons []Button `json:",omitempty"`
	// Files are attachments (exports, charts).
	Files []File `json:",omitempty"`
	// Form asks the surface to show a form (a Slack modal, a Teams card)
	// instead of the text, where it can; surfaces that can't show Text.
	Form *Form `json:",omitempty"`
	// Public marks a reply everyone in the conversation should see; command
	// replies are private to the person who typed unless this is set.
	Public bool `json:",omitempty"`
	// Overflow, when set, lets a surface show fewer sections than there are
	// (to stay within its limits on blocks or buttons): it keeps the first
	// ones whole and ends with "…and 4 more — " and this, where to see the
	// rest (for example "/hpp list mine"). See FitSections.
	Overflow string `json:",omitempty"`
}

// Section is a block of a reply.
type Section struct {
	Title  string  `json:",omitempty"`
	Text   string  `json:",omitempty"`
	Fields []Field `json:",omitempty"`
	// Button, when set, is an action about this section alone (one case of
	// several): beside it in Slack, among the card's actions in Teams.
	Button *Button `json:",omitempty"`
}

// Field is a label and a value shown side by side.
type Field struct {
	Label string `json:",omitempty"`
	Value string `json:",omitempty"`
}

// Button runs a command as the person who presses it.
type Button struct {
	Label   string `json:",omitempty"`
	Command string `json:",omitempty"` // a command line, e.g. "snooze HPP-3 1d"
	Style   string `json:",omitempty"` // "", "primary" or "danger"
	// Form, when set, is shown first to collect more (a surface that can't
	// show forms runs Command as it is).
	Form *Form `json:",omitempty"`
}

// Form collects the arguments of a command.
type Form struct {
	ID      string  `json:",omitempty"` // what the form is for, e.g. "open", "contact"
	Title   string  `json:",omitempty"`
	Submit  string  `json:",omitempty"`
	Command string  `json:",omitempty"` // the command the answers are added to, e.g. "contact HPP-3"
	Inputs  []Input `json:",omitempty"`
	Intro   string  `json:",omitempty"`
}

// Input kinds.
const (
	InputText   = "text"   // one line
	InputLong   = "long"   // several lines; becomes the command's free text
	InputChoice = "choice" // one of Options
	InputPerson = "person" // one person
	InputPeople = "people" // several people
	InputDate   = "date"   // a date
)

// Input is one field of a form. Its answer becomes name=value in the command
// line; a Positional answer comes straight after the command, as typed; the
// free-text input (Name "text") goes last.
type Input struct {
	Name        string   `json:",omitempty"`
	Positional  bool     `json:",omitempty"`
	Label       string   `json:",omitempty"`
	Kind        string   `json:",omitempty"`
	Placeholder string   `json:",omitempty"`
	Hint        string   `json:",omitempty"`
	Optional    bool     `json:",omitempty"`
	Options     []Option `json:",omitempty"`
	Value       string   `json:",omitempty"` // initial value
}

// Option is one choice.
type Option struct {
	Value string `json:",omitempty"`
	Label string `json:",omitempty"`
}

// File is an attachment.
type File struct {
	Name  string `json:",omitempty"` // file name, e.g. HPP-3-timeline.csv
	Type  string `json:",omitempty"` // MIME type
	Title string `json:",omitempty"`
	// Alt is a picture's text alternative: what it shows, figures
	// included, for a screen reader or a client that shows no images.
	Alt  string `json:",omitempty"`
	Data []byte `json:",omitempty"`
}

// Messenger sends what hppbot says on its own: reminders, escalations,
// digests, check-ins. Each surface implements it; the scheduler knows no
// platform.
type Messenger interface {
	// SendDirect sends a private message to a person.
	SendDirect(ctx context.Context, person string, r Reply) error
	// PostChannel posts to a channel.
	PostChannel(ctx context.Context, channel string, r Reply) error
}

// Mention writes a person into reply text; each surface renders it.
func Mention(person string) string { return "<@" + person + ">" }

// Channel writes a channel into reply text.
func Channel(channel string) string { return "<#" + channel + ">" }

// MentionAt is one mention in reply markup, <@id>, <#id>, <@id|label> or
// <#id|label>: text[Start:End] is all of it, Kind is '@' or '#'.
type MentionAt struct {
	Start, End int
	Kind       byte
	ID         string
}

// NextMention finds the first mention in text that starts at or after
// from. The markup is read by hand, as the pattern
// <([@#])([^<>|\s]+)(?:\|[^<>]*)?> would read it (a test holds the two
// together): every reply is scanned for mentions on its way out.
func NextMention(text string, from int) (MentionAt, bool) {
	for from >= 0 && from < len(text) {
		i := strings.IndexByte(text[from:], '<')
		if i < 0 {
			break
		}
		start := from + i
		if m, ok := mentionAt(text, start); ok {
			return m, true
		}
		from = start + 1
	}
	return MentionAt{}, false
}

// mentionAt reads a mention starting at text[start], a '<'.
func mentionAt(text string, start int) (MentionAt, bool) {
	p := start + 1
	if p >= len(text) || (text[p] != '@' && text[p] != '#') {
		return MentionAt{}, false
	}
	kind := text[p]
	p++
	idStart := p
	for p < len(text) && !endsID(text[p]) {
		p++
	}
	if p == idStart || p >= len(text) {
		return MentionAt{}, false
	}
	id := text[idStart:p]
	if text[p] == '|' {
		for p++; p < len(text) && text[p] != '<' && text[p] != '>'; p++ {
		}
		if p >= len(text) {
			return MentionAt{}, false
		}
	}
	if text[p] != '>' {
		return MentionAt{}, false
	}
	return MentionAt{Start: start, End: p + 1, Kind: kind, ID: id}, true
}

// endsID reports whether b can't be part of a mention's id.
func endsID(b byte) bool {
	switch b {
	case '<', '>', '|', ' ', '\t', '\n', '\f', '\r':
		return true
	}
	return false
}

// ReplaceMentions rewrites every mention and channel in text with what
// render returns for it (kind is '@' or '#').
func ReplaceMentions(text string, render func(kind byte, id string) string) string {
	m, ok := NextMention(text, 0)
	if !ok {
		return text
	}
	var b strings.Builder
	prev := 0
	for ; ok; m, ok = NextMention(text, m.End) {
		b.WriteString(text[prev:m.Start])
		b.WriteString(render(m.Kind, m.ID))
		prev = m.End
	}
	b.WriteString(text[prev:])
	return b.String()
}

// Mentions lists the people and channels a reply's text mentions, each once,
// in the order they first appear.
func (r Reply) Mentions() (people, channels []string) {
	collect := func(text string) {
		for m, ok := NextMention(text, 0); ok; m, ok = NextMention(text, m.End) {
			if m.Kind == '#' {
				if !slices.Contains(channels, m.ID) {
					channels = append(channels, m.ID)
				}
			} else if !slices.Contains(people, m.ID) {
				people = append(people, m.ID)
			}
		}
	}
	collect(r.Text)
	collect(r.Note)
	for _, s := range r.Sections {
		collect(s.Title)
		collect(s.Text)
		for _, f := range s.Fields {
			collect(f.Label)
			collect(f.Value)
		}
	}
	return people, channels
}

// PlainText flattens a reply to readable text, for surfaces or logs of
// shape only. Mentions are left as they are.
func (r Reply) PlainText() string {
	var b strings.Builder
	b.WriteString(r.Text)
	for _, s := range r.Sections {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if s.Title != "" {
			b.WriteString("*" + s.Title + "*\n")
		}
		b.WriteString(s.Text)
		for _, f := range s.Fields {
			b.WriteString("\n" + f.Label + ": " + f.Value)
		}
	}
	if r.Note != "" {
		b.WriteString("\n\n" + r.Note)
	}
	return strings.TrimSpace(b.String())
}

// strikePattern matches ~struck out~ text on one line: Slack's own mark,
// which handlers use for an entry recorded in error.
var strikePattern = regexp.MustCompile(`~([^~\s](?:[^~\n]*[^~\s])?)~`)

// MarkStruck rewrites ~struck out~ text with a surface's own marks, such as
// ~~ for Markdown.
func MarkStruck(s, open, close string) string {
	esc := func(m string) string { return strings.ReplaceAll(m, "$", "$$") }
	return strikePattern.ReplaceAllString(s, esc(open)+"${1}"+esc(close))
}
