package slack

import (
	"strings"

	"hppbot/bot"
)

// Text people typed is kept as they typed it, and what they typed stays
// text. Slack escapes &, < and > in what a person types (a slash command
// with should_escape, a message) and sends a mention they picked from the
// list as markup: <@U123|name>, <#C123|name>, <!here>. So "<@U0BOSS>"
// typed by hand arrives as "&lt;@U0BOSS&gt;", and once unescaped would read
// as a live mention everywhere hppbot shows it again (a timeline, an
// export, another surface). A typed "<" that would start mention markup
// keeps a word joiner (U+2060, invisible, and read past by the identifier
// guard's normal form) after it: it shows as typed, and nothing reads it as
// a mention.

// wordJoiner is bot.WordJoiner; inert is bot.Inert (a form's text input
// arrives as typed, not escaped).
const wordJoiner = bot.WordJoiner

var inert = bot.Inert

// unescape undoes Slack's escaping of typed text (&lt;, &gt;, &amp;), each
// entity once, leaving mentions Slack sent as markup as they are.
func unescape(text string) string {
	if !strings.Contains(text, "&") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		rest := text[i:]
		switch {
		case strings.HasPrefix(rest, "&lt;"):
			b.WriteByte('<')
			i += len("&lt;")
			if bot.StartsMarkup(text[i:]) {
				b.WriteString(wordJoiner)
			}
		case strings.HasPrefix(rest, "&gt;"):
			b.WriteByte('>')
			i += len("&gt;")
		case strings.HasPrefix(rest, "&amp;"):
			b.WriteByte('&')
			i += len("&amp;")
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}
