package bot

import "strings"

// WordJoiner is U+2060 WORD JOINER: zero width, no line break. A surface
// puts one after a typed "<" that would start mention markup, so the text
// shows as typed and nothing reads it as a mention; the identifier guard's
// normal form reads past it.
const WordJoiner = "\u2060"

// Inert keeps mention markup typed by hand from reading as a mention: a
// word joiner goes after every "<" that would start <@, <# or <!. Real
// mentions come from the platform (Slack's markup, Teams' entities), never
// from what a person typed.
func Inert(text string) string {
	if !strings.Contains(text, "<") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 8)
	for i := 0; i < len(text); i++ {
		b.WriteByte(text[i])
		if text[i] == '<' && StartsMarkup(text[i+1:]) {
			b.WriteString(WordJoiner)
		}
	}
	return b.String()
}

// StartsMarkup reports whether text after a "<" would make it mention
// markup: @ (a person), # (a channel) or ! (here, channel, everyone, a
// group).
func StartsMarkup(after string) bool {
	return after != "" && (after[0] == '@' || after[0] == '#' || after[0] == '!')
}
