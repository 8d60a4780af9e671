package pathway

import "strings"

// Mentions are not text. A mention of a colleague reaches the guard as markup
// holding a platform id — Slack's <@U0123ABCD>, <#C0123ABCD|name> and
// <!here>, Teams' <@teams:(Entra object id)> — and an id's digits are not a
// patient's number: a random object id reads as a valid NHS number about one
// time in two hundred. The guard reads past the markup and the id, and still
// reads a mention's label (the text after "|"), which a person can type.

// maskedMention is where a mention's label sits, text[start:end]; empty when
// the mention has none.
type maskedMention struct{ start, end int }

// mentionMask is the byte that stands in for a mention's markup and id: not a
// letter, digit, space or separator, so nothing joins across it.
const mentionMask = '\x00'

// maskMentions returns text with each mention's markup and id replaced, byte
// for byte, by mentionMask (so offsets are unchanged), and where each
// mention's label is. Text without mentions is returned as it is. markup
// reports whether the "<" at text[i] was markup as typed (see
// normalised.markupAt); one that wasn't starts text.
func maskMentions(text string, markup func(i int) bool) (string, []maskedMention) {
	if strings.IndexByte(text, '<') < 0 {
		return text, nil
	}
	var b []byte
	var labels []maskedMention
	for i := 0; i < len(text); i++ {
		if text[i] != '<' {
			continue
		}
		idEnd, labelEnd, ok := mentionAt(text, i)
		if !ok || !markup(i) {
			continue
		}
		if b == nil {
			b = []byte(text)
		}
		for j := i; j <= idEnd; j++ { // the markup, the id and the "|" or ">" after it
			b[j] = mentionMask
		}
		if labelEnd > idEnd {
			b[labelEnd] = mentionMask // the closing ">"
			labels = append(labels, maskedMention{idEnd + 1, labelEnd})
		}
		i = max(idEnd, labelEnd)
	}
	if b == nil {
		return text, nil
	}
	return string(b), labels
}

// mentionAt reads a mention starting at text[start], a '<'. idEnd is the
// index of the "|" or ">" after the id; labelEnd is the index of the closing
// ">" after a label, or idEnd when there is none.
func mentionAt(text string, start int) (idEnd, labelEnd int, ok bool) {
	p := start + 1
	if p >= len(text) {
		return 0, 0, false
	}
	kind := text[p]
	if kind != '@' && kind != '#' && kind != '!' {
		return 0, 0, false
	}
	p++
	idStart := p
	for p < len(text) && !strings.ContainsRune("<>| \t\n\r\f", rune(text[p])) {
		p++
	}
	if p >= len(text) || !mentionID(kind, text[idStart:p]) {
		return 0, 0, false
	}
	idEnd = p
	if text[p] == '>' {
		return idEnd, idEnd, true
	}
	if text[p] != '|' {
		return 0, 0, false
	}
	for p++; p < len(text) && text[p] != '<' && text[p] != '>'; p++ {
	}
	if p >= len(text) || text[p] != '>' {
		return 0, 0, false
	}
	return idEnd, p, true
}

// mentionID reports whether id has the shape of an id a platform gives a
// person, channel or group. A typed "<@9990000018>" has no such shape and
// is read as text.
func mentionID(kind byte, id string) bool {
	if kind == '!' { // Slack's special mentions: here, channel, everyone, subteam^S…, date^…
		word, _, _ := strings.Cut(id, "^")
		return word != "" && allBytes(word, func(b byte) bool { return b >= 'a' && b <= 'z' })
	}
	surface, raw, found := strings.Cut(id, ":")
	if !found {
		surface, raw = "slack", id
	}
	switch surface {
	case "teams", "console":
		return raw != ""
	case "slack": // U…, W… and B… people, C…, G… and D… channels, S… groups
		return len(raw) >= 3 && strings.IndexByte("UWBCGDS", raw[0]) >= 0 &&
			allBytes(raw, func(b byte) bool { return b >= 'A' && b <= 'Z' || isDigit(b) })
	}
	return false
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
