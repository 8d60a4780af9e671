package web

import (
	"context"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"hppbot/bot"
)

// The web page is one more renderer of bot.Reply: its small markup
// (*bold*, ~struck out~, "• " bullets, line breaks, <@person> mentions)
// becomes HTML, every character of the text escaped first, and mentions
// become people's display names.

var (
	boldPattern   = regexp.MustCompile(`\*([^*\s](?:[^*\n]*[^*\s])?)\*`)
	strikeMarkers = regexp.MustCompile(`~([^~\s](?:[^~\n]*[^~\s])?)~`)
	codePattern   = regexp.MustCompile("`([^`\n]+)`")
)

// names turns person ids into what a page calls them.
type names map[string]string

// lookupNames finds the display names of everyone a reply mentions.
func (s *Server) lookupNames(ctx context.Context, replies ...bot.Reply) names {
	var people []string
	for _, r := range replies {
		p, _ := r.Mentions()
		people = append(people, p...)
	}
	return s.namesOf(ctx, people)
}

func (s *Server) namesOf(ctx context.Context, people []string) names {
	out := names{}
	if len(people) > 0 {
		for id, n := range s.cfg.Store.Names().Lookup(ctx, people) {
			out[id] = n
		}
	}
	return out
}

// of is how a page names a person: their display name where one is known,
// else their id on their platform (@sam in the console).
func (n names) of(person string) string {
	if v := n[person]; v != "" {
		return v
	}
	surface, raw := bot.SplitID(person)
	if surface == bot.Console || surface == "" {
		return "@" + raw
	}
	return raw
}

// inline renders one line of markup as HTML. Mentions stand in as
// placeholders while the marks are read, so a struck-out or bold run may
// hold a name.
func (n names) inline(text string) string {
	var b strings.Builder
	var who []string
	prev := 0
	for m, ok := bot.NextMention(text, 0); ok; m, ok = bot.NextMention(text, m.End) {
		b.WriteString(strings.NewReplacer(placeholderOpen, "", placeholderClose, "").Replace(text[prev:m.Start]))
		name := "#" + m.ID
		if m.Kind == '@' {
			name = n.of(m.ID)
		}
		b.WriteString(placeholderOpen + strconv.Itoa(len(who)) + placeholderClose)
		who = append(who, html.EscapeString(name))
		prev = m.End
	}
	b.WriteString(strings.NewReplacer(placeholderOpen, "", placeholderClose, "").Replace(text[prev:]))
	out := escapeMarks(b.String())
	return placeholderPattern.ReplaceAllStringFunc(out, func(p string) string {
		i, err := strconv.Atoi(p[len(placeholderOpen) : len(p)-len(placeholderClose)])
		if err != nil || i >= len(who) {
			return ""
		}
		return who[i]
	})
}

// Placeholders for mentions: private-use characters, removed from the text
// around them first.
const (
	placeholderOpen  = "\ue000"
	placeholderClose = "\ue001"
)

var placeholderPattern = regexp.MustCompile(placeholderOpen + `[0-9]+` + placeholderClose)

func escapeMarks(s string) string {
	s = html.EscapeString(s)
	s = strikeMarkers.ReplaceAllString(s, "<del>$1</del>")
	s = boldPattern.ReplaceAllString(s, "<strong>$1</strong>")
	return codePattern.ReplaceAllString(s, "<code>$1</code>")
}

// Inline renders one line of markup for a template.
func (n names) Inline(text string) template.HTML { return template.HTML(n.inline(text)) }

// Block renders text of several lines: runs of "• " lines as a list, other
// lines as paragraphs.
func (n names) Block(text string) template.HTML {
	var b strings.Builder
	inList := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " ")
		item, isItem := strings.CutPrefix(line, "• ")
		if isItem != inList {
			if isItem {
				b.WriteString(`<ul class="nhsuk-list nhsuk-list--bullet">`)
			} else {
				b.WriteString("</ul>")
			}
			inList = isItem
		}
		switch {
		case isItem:
			b.WriteString("<li>" + n.inline(item) + "</li>")
		case strings.TrimSpace(line) != "":
			b.WriteString("<p>" + n.inline(line) + "</p>")
		}
	}
	if inList {
		b.WriteString("</ul>")
	}
	return template.HTML(b.String())
}
