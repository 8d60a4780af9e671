package teams

import (
	"regexp"
	"strings"
)

// Every card carries its words for those who can't see it: fallbackText,
// which a client that can't draw the card shows instead, and speak, which
// a voice assistant reads. Both are the card's opening words in plain text,
// kept short so the card stays inside Teams' size limit.

const maxSpokenRunes = 240

var (
	atTags = regexp.MustCompile(`</?at>`)
	// mdEscape is a Markdown backslash escape, which plain text drops.
	mdEscape = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
)

// setSpoken gives card its fallbackText and speak, unless it has them.
func setSpoken(card object, summary string) {
	if _, ok := card["fallbackText"]; ok {
		return
	}
	words := cardWords(card["body"])
	if words == "" {
		words = strings.TrimSpace(summary)
	}
	if words == "" {
		words = "A message from hppbot"
	}
	if r := []rune(words); len(r) > maxSpokenRunes {
		words = strings.TrimSpace(string(r[:maxSpokenRunes-1])) + "…"
	}
	card["fallbackText"] = words
	card["speak"] = strings.NewReplacer("&", " and ", "<", " ", ">", " ").Replace(words)
}

// cardWords is the plain text of a card's elements, in reading order: text
// blocks, facts as "title: value", and the labels of inputs.
func cardWords(v any) string {
	var parts []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []object:
			for _, el := range x {
				walk(el)
			}
		case []any:
			for _, el := range x {
				walk(el)
			}
		case object:
			switch x["type"] {
			case "TextBlock":
				if s, ok := x["text"].(string); ok {
					parts = append(parts, plainWords(s))
				}
			case "FactSet":
				walk(x["facts"])
			default:
				if t, ok := x["title"].(string); ok {
					if val, ok := x["value"].(string); ok {
						parts = append(parts, plainWords(t)+": "+plainWords(val))
					}
				}
				if l, ok := x["label"].(string); ok {
					parts = append(parts, plainWords(l))
				}
			}
			walk(x["items"])
			walk(x["columns"])
		}
	}
	walk(v)
	return sentences(parts)
}

// plainWords drops Teams' Markdown emphasis, list marks and mention tags,
// and returns the text's lines.
func plainWords(s string) string {
	s = atTags.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "**", "")
	s = mdEscape.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, wordJoiner, "")
	var lines []string
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "- "), "• "))
		if line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// sentences joins lines of text so each reads as its own sentence.
func sentences(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, line := range strings.Split(p, "\n") {
			line = strings.Join(strings.Fields(line), " ")
			if line == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			b.WriteString(line)
			if !strings.ContainsAny(line[len(line)-1:], ".!?:…") {
				b.WriteString(".")
			}
		}
	}
	return b.String()
}
