package teams

import (
	"strings"

	"hppbot/bot"
)

// What people type is shown as they typed it, never as markup. Teams reads
// a TextBlock (and a fact) as Markdown: [text](url) is a masked link, _x_
// and *x* emphasis, "- ", "+ ", "* " and "1. " at the start of a line a
// list, and <at>Name</at> a mention (which Teams forbids without its
// mention entity). hppbot's own markup uses only *bold*, "• " bullets and
// <@id> mentions, so the rest is escaped everywhere with Markdown's
// backslash; and text in “…” — where replies show what someone typed (a
// summary, a note) — is escaped whole, asterisks too. A typed <at> is
// broken with an invisible word joiner, so the card carries no <at> tag
// but the ones hppbot made, each with its entity.

// wordJoiner is invisible and keeps "<at" from being read as a tag.
const wordJoiner = bot.WordJoiner

// convert renders hppbot markup as Teams Markdown, line by line; tags
// says whether mentions become real <at> mentions (TextBlocks) or names
// (facts).
func (w *markup) convert(text string, tags bool) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = w.convertLine(line, tags)
	}
	return strings.Join(lines, "\n")
}

func (w *markup) convertLine(line string, tags bool) string {
	var b strings.Builder
	rest := line
	if m := listMarker(line); m > 0 {
		// A line that would start a Markdown list: its marker is text.
		b.WriteString(escape(line[:m], "-+*#>.)"))
		rest = line[m:]
	}
	start, end := literalSpan(rest)
	b.WriteString(w.markupPart(rest[:start], tags))
	b.WriteString(w.mentionsAround(rest[start:end], tags, escapeAll))
	b.WriteString(w.markupPart(rest[end:], tags))
	return b.String()
}

// markupPart is text in hppbot's own words: *bold* stays bold, /hpp
// becomes hpp, any other Markdown is escaped.
func (w *markup) markupPart(s string, tags bool) string {
	return w.mentionsAround(s, tags, func(seg string) string {
		return teamsMarkdown(escapeMarkdown(seg))
	})
}

// mentionsAround renders the mentions in s and passes the text between
// them through conv.
func (w *markup) mentionsAround(s string, tags bool, conv func(string) string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	prev := 0
	for m, ok := bot.NextMention(s, 0); ok; m, ok = bot.NextMention(s, m.End) {
		b.WriteString(conv(s[prev:m.Start]))
		b.WriteString(w.mention(m.Kind, m.ID, tags))
		prev = m.End
	}
	b.WriteString(conv(s[prev:]))
	return b.String()
}

// literalSpan finds what a reply quotes from someone: from the first “ to
// the last ” on the line (a ” typed inside the quote can't end it early).
// start == end when there is none.
func literalSpan(line string) (start, end int) {
	open := strings.Index(line, "“")
	if open < 0 {
		return len(line), len(line)
	}
	closing := strings.LastIndex(line, "”")
	if closing < open {
		return len(line), len(line)
	}
	return open, closing + len("”")
}

// listMarker is the length of a Markdown list marker at the start of a
// line ("- ", "+ ", "* ", "12. ", "3) ", "# ", "> "), 0 when there is none.
func listMarker(line string) int {
	if len(line) < 2 {
		return 0
	}
	switch line[0] {
	case '-', '+', '*', '#', '>':
		if line[1] == ' ' || line[1] == '\t' {
			return 1
		}
		return 0
	}
	i := 0
	for i < len(line) && i < 9 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && (line[i+1] == ' ' || line[i+1] == '\t') {
		return i + 1
	}
	return 0
}

// escapeMarkdown escapes the Markdown hppbot's markup never uses: links,
// _emphasis_, code, strikethrough and backslashes, and breaks typed <at>.
func escapeMarkdown(s string) string { return escape(s, "\\_[]`~") }

// escapeAll escapes every Markdown mark, asterisks too: for quoted text.
func escapeAll(s string) string { return escape(s, "\\_[]`~*") }

func escape(s, marks string) string {
	if !strings.ContainsAny(s, marks+"<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<' && startsAtTag(s[i+1:]):
			b.WriteString("<" + wordJoiner)
		case c < 0x80 && strings.IndexByte(marks, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// startsAtTag reports whether s (what follows a '<') reads as "at" or
// "/at", the start of a Teams mention tag, in any case.
func startsAtTag(s string) bool {
	s = strings.TrimPrefix(s, "/")
	return len(s) >= 2 && (s[0] == 'a' || s[0] == 'A') && (s[1] == 't' || s[1] == 'T')
}

// inert is bot.Inert: mention markup typed by hand (Teams sends a typed
// "<" as &lt;, and a card's text input as it is) stays text, as in Slack.
// Real mentions come from Teams' mention entities.
var inert = bot.Inert
