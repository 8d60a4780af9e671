package pathway

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The guard reads text in one normal form, whatever surface or field it came
// from, so that an identifier written with other characters is still seen:
// Unicode NFKC (full-width and mathematical digits become ASCII, no-break,
// thin, figure and ideographic spaces become spaces), invisible format
// characters (zero-width spaces and joiners, soft hyphens, bidi marks) and
// combining marks removed, every decimal digit read as its ASCII value, tabs
// and every run of spaces one space. Only the check uses this form: what is
// stored is the text as typed.

// origin is where a byte of the normal form came from: text[start:end] of
// the text as typed.
type origin struct{ start, end int }

// normalised is text in the guard's normal form, with the way back to the
// text as typed. A nil from means the two are the same.
type normalised struct {
	text string
	from []origin // from[i] is the origin of text[i]
}

// span returns the text as typed that n.text[start:end] came from.
func (n normalised) span(start, end int) (int, int) {
	if n.from == nil || start >= end {
		return start, end
	}
	return n.from[start].start, n.from[end-1].end
}

// markupAt reports whether the "<" at n.text[i] and the character after it
// stood side by side, in ASCII, in typed (the text n came from): only then
// can they be a mention's markup, which platforms write in plain ASCII. A
// full-width "＜@…" is text, and the guard reads what follows it. (A "<"
// with something invisible after it, as surfaces keep a typed one inert,
// already has a space after it in the normal form.)
func (n normalised) markupAt(typed string, i int) bool {
	if n.from == nil {
		return true
	}
	if i+1 >= len(n.text) || i >= len(n.from) {
		return false
	}
	at := n.from[i].start
	return at+1 < len(typed) && typed[at] == '<' && typed[at+1] == n.text[i+1]
}

// normalise puts text in the guard's normal form. It never panics; invalid
// UTF-8 reads as U+FFFD.
func normalise(text string) normalised {
	if plain(text) {
		return normalised{text: text}
	}
	out := make([]byte, 0, len(text))
	from := make([]origin, 0, len(text))
	// out[first:] came from text[start:]; where it ends is known once the
	// iterator moves on (it may give a character's decomposition in parts).
	// joined is a space before out[first:] that spaces in it joined.
	first, start, joined := 0, 0, -1
	var it norm.Iter
	it.InitString(norm.NFKC, text)
	for !it.Done() {
		seg := it.Next()
		for len(seg) > 0 {
			r, w := utf8.DecodeRune(seg)
			seg = seg[w:]
			switch {
			case invisible(r) && len(out) > 0 && out[len(out)-1] == '<':
				// A "<" kept from starting mention markup (a surface puts a
				// word joiner after a typed "<@", "<#" or "<!") must not
				// become markup here: what follows is typed text.
				out = append(out, ' ')
			case invisible(r):
			case r == '\t' || unicode.Is(unicode.Zs, r):
				if len(out) > 0 && out[len(out)-1] == ' ' { // one space for the run
					if len(out)-1 < first {
						joined = len(out) - 1
					}
					continue
				}
				out = append(out, ' ')
			case r >= utf8.RuneSelf && unicode.IsDigit(r):
				out = append(out, byte('0'+digitValue(r)))
			default:
				out = utf8.AppendRune(out, r)
			}
		}
		end := it.Pos()
		if end == start && !it.Done() {
			continue
		}
		for range len(out) - first {
			from = append(from, origin{start, end})
		}
		if joined >= 0 {
			from[joined].end = end
			joined = -1
		}
		first, start = len(out), end
	}
	return normalised{text: string(out), from: from}
}

// plain reports whether text is already in the normal form: printable
// ASCII and newlines, with no tab or run of spaces. Most notes are, and
// skip the work.
func plain(text string) bool {
	for i := 0; i < len(text); i++ {
		b := text[i]
		if b >= utf8.RuneSelf || b < ' ' && b != '\n' || b == 0x7f || b == ' ' && i > 0 && text[i-1] == ' ' {
			return false
		}
	}
	return true
}

// invisible reports a character the guard reads past: a format character
// (Cf: zero-width space, joiners, soft hyphen, bidi marks, …), a combining
// mark, or a variation selector.
func invisible(r rune) bool {
	return r >= 0x80 && (unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) || unicode.Is(unicode.Variation_Selector, r))
}

// digitValue is the value of a Unicode decimal digit (category Nd). Unicode
// assigns them only in runs of ten, 0 to 9 in order, so the value is the
// digit's place in its run.
func digitValue(r rune) int {
	n := 0
	for n < 1000 && unicode.IsDigit(r-rune(n)-1) {
		n++
	}
	return n % 10
}
