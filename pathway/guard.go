package pathway

import (
	"regexp"
	"strings"
)

// IdentifierKind names a kind of patient identifier the guard refuses.
type IdentifierKind string

// The identifiers hppbot must never store.
const (
	NHSNumber   IdentifierKind = "NHS number" // also Northern Ireland's H&C number: same check
	CHINumber   IdentifierKind = "CHI number"
	Postcode    IdentifierKind = "postcode"
	DateOfBirth IdentifierKind = "date of birth"
	Name        IdentifierKind = "name" // a patient's or relative's, with a title or an age
)

// Finding is text that looks like a patient identifier.
type Finding struct {
	Kind   IdentifierKind
	Match  string // the text as typed, text[Start:End]
	Start  int    // byte offsets into the text searched
	End    int
	Normal string // Match as the guard read it (see normalise), for the refusal's hint
}

// FindIdentifier reports the first thing in text, by position, that looks
// like a patient identifier: a 10-digit number passing the NHS or CHI check
// (spaces, hyphens, dots, slashes or underscores between groups allowed), a
// full UK postcode, a date of birth introduced as one ("DOB", "date of
// birth", "born on"), or a name with a title ("Mrs Smith") or an age ("Jane
// Smith aged 76"). It reads the text in the guard's normal form (see
// normalise), so other digits, spaces and invisible characters hide nothing,
// and reads past mentions' ids (see maskMentions). Start, End and Match are
// the text as typed. It never panics, whatever the input.
func FindIdentifier(text string) (Finding, bool) {
	n := normalise(text)
	read, labels := maskMentions(n.text, func(i int) bool { return n.markupAt(text, i) })
	best, found := findNumber(read)
	if f, ok := findPostcode(read); ok && (!found || f.Start < best.Start) {
		best, found = f, true
	}
	if f, ok := findDateOfBirth(read); ok && (!found || f.Start < best.Start) {
		best, found = f, true
	}
	if f, ok := findName(read, labels); ok && (!found || f.Start < best.Start) {
		best, found = f, true
	}
	if !found {
		return Finding{}, false
	}
	best.Normal = best.Match
	best.Start, best.End = n.span(best.Start, best.End)
	best.Match = text[best.Start:best.End]
	return best, true
}

// ValidNHSNumber reports whether digits is exactly ten ASCII digits whose
// last passes the NHS modulus 11 check.
func ValidNHSNumber(digits string) bool {
	d, ok := tenDigits(digits)
	return ok && mod11OK(&d)
}

// ValidCHINumber reports whether digits is a plausible Scottish CHI number:
// ten ASCII digits, the first six a real date (DDMMYY, any century), and a
// check digit passing modulus 11 (as the NHS number) or, for some numbers
// issued since 2025–26, the modulus 10 (Luhn) check.
func ValidCHINumber(digits string) bool {
	d, ok := tenDigits(digits)
	return ok && chiOK(&d)
}

func tenDigits(s string) (d [10]byte, ok bool) {
	if len(s) != len(d) {
		return d, false
	}
	for i := range d {
		if !isDigit(s[i]) {
			return d, false
		}
		d[i] = s[i] - '0'
	}
	return d, true
}

func mod11OK(d *[10]byte) bool {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]) * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		check = 0
	case 10:
		return false
	}
	return int(d[9]) == check
}

// luhnOK is the modulus 10 check: from the right, every second digit before
// the check digit is doubled (less 9 when over 9) and the total with the
// check digit must be a multiple of 10.
func luhnOK(d *[10]byte) bool {
	sum := 0
	for i := 0; i < 10; i++ {
		v := int(d[i])
		if i%2 == 0 { // positions 1, 3, 5, 7, 9 counting from the left
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func chiOK(d *[10]byte) bool {
	day := int(d[0])*10 + int(d[1])
	month := int(d[2])*10 + int(d[3])
	yy := int(d[4])*10 + int(d[5])
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	maxDay := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
	if month == 2 && yy%4 != 0 {
		maxDay = 28 // 29 February exists for YY in some century only if YY%4 == 0 (2000 for 00)
	}
	if day > maxDay {
		return false
	}
	return mod11OK(d) || luhnOK(d)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// digitRun is a maximal run of ASCII digits, text[start:end].
type digitRun struct{ start, end int }

// findNumber looks for ten digits written as one run or as consecutive runs
// joined by one kind of separator ("999 000 0018", "999-000-0018",
// "999.000.0018", see joinedBy). A run is maximal, so digits inside a
// longer number (a phone number's 11) never count. Letters next to the
// digits do not matter: people paste numbers beside labels
// ("NHS:9990000018", "INC-…"). A chain that starts with "+" is an
// international phone number ("+44 7700 900123") and is skipped.
func findNumber(text string) (Finding, bool) {
	// The runs of the current chain; a window of ten digits spans at most
	// ten runs, so the last ten are enough.
	var chain [10]digitRun
	n := 0
	phone := false // the chain follows a "+": an international phone number
	var sep byte   // the chain's separator: ' ' or a mark (see joinedBy)
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		r := digitRun{start: i}
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		r.end = i
		if n > 0 {
			kind, ok := joinedBy(text[chain[n-1].end:r.start])
			switch {
			case !ok:
				n = 0
			case n == 1:
				sep = kind
			case kind != sep:
				// One number is written with one separator: "35.3 136/50
				// 61 16" is readings. Start again from the last run.
				chain[0], n, sep = chain[n-1], 1, kind
				phone = chain[0].start > 0 && text[chain[0].start-1] == '+'
			}
		}
		if clockPart(text, r) {
			n = 0 // "10:30": a time, never part of a number
			continue
		}
		if r.end-r.start > 10 {
			n = 0 // too long to be in any window, and it breaks the chain
			continue
		}
		if n == 0 {
			phone = r.start > 0 && text[r.start-1] == '+'
		}
		if n == len(chain) {
			copy(chain[:], chain[1:])
			n--
		}
		chain[n] = r
		n++
		if phone {
			continue
		}

		// Windows ending at this run, longest first. For a given end at most
		// one window has exactly ten digits; taking ends in order yields
		// windows in order of their start too.
		total := 0
		for k := n - 1; k >= 0; k-- {
			total += chain[k].end - chain[k].start
			if total < 10 {
				continue
			}
			if total == 10 {
				if kind, ok := classifyNumber(text, chain[k:n]); ok {
					start, end := chain[k].start, r.end
					return Finding{Kind: kind, Match: text[start:end], Start: start, End: end}, true
				}
			}
			break
		}
	}
	return Finding{}, false
}

// joinedBy reports whether the text between two digit runs (in normal
// form, so one space stands for any run of spaces) joins them into one
// written number, and by what: a space (' '), or one hyphen, dot, slash or
// underscore with or without a space either side (the mark). A number is
// written with one kind of separator throughout.
func joinedBy(gap string) (byte, bool) {
	gap = strings.TrimPrefix(gap, " ")
	gap = strings.TrimSuffix(gap, " ")
	switch {
	case gap == "":
		return ' ', true
	case len(gap) == 1 && isSeparator(gap[0]):
		return gap[0], true
	}
	return 0, false
}

// clockPart reports whether the run r is the hours or minutes of a clock
// time written with a colon ("10:30"). The colon is never a separator, so
// no written number holds one.
func clockPart(text string, r digitRun) bool {
	if r.end-r.start > 2 {
		return false
	}
	return r.end+1 < len(text) && text[r.end] == ':' && isDigit(text[r.end+1]) ||
		r.start >= 2 && text[r.start-1] == ':' && isDigit(text[r.start-2])
}

// isSeparator reports a character people put between the groups of a
// number or the halves of a postcode.
func isSeparator(b byte) bool { return b == '-' || b == '.' || b == '/' || b == '_' }

func classifyNumber(text string, runs []digitRun) (IdentifierKind, bool) {
	var d [10]byte
	j := 0
	for _, r := range runs {
		for i := r.start; i < r.end && j < len(d); i++ {
			d[j] = text[i] - '0'
			j++
		}
	}
	if j != len(d) {
		return "", false
	}
	// A number passing the CHI checks passes the NHS check or the Luhn
	// check; English and Welsh NHS numbers never start with a date (their
	// first two digits are 40 or more), so a date-shaped number is called
	// a CHI number.
	switch {
	case chiOK(&d):
		return CHINumber, true
	case mod11OK(&d):
		return NHSNumber, true
	}
	return "", false
}

// Postcodes have the usual shape: an outward code (area letters and a
// district: A9, A99, A9A, AA9, AA99, AA9A), an optional space, dot, slash
// or underscore, and an inward code (a digit and two letters), as a whole
// word in either case. The letter sets follow the published rules; they
// keep clinical shorthand such as "B12 5mg" or "Q1 1am" from looking like a
// postcode.
const (
	areaFirst     = "ABCDEFGHIJKLMNOPRSTUWYZ" // not Q, V, X
	areaSecond    = "ABCDEFGHKLMNOPQRSTUVWXY" // not I, J, Z
	afterA9       = "ABCDEFGHJKPSTUW"         // W1A
	afterAA9      = "ABEHMNPRVWXY"            // SW1A
	inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"    // not C, I, K, M, O, V
)

// findPostcode scans for inward codes and looks back for an outward code:
// plain byte tests, no regexp and no allocation, since it runs on every note.
func findPostcode(text string) (Finding, bool) {
	for i := 0; i+3 <= len(text); i++ {
		if !isDigit(text[i]) || !inSet(inwardLetters, text[i+1]) || !inSet(inwardLetters, text[i+2]) {
			continue
		}
		end := i + 3
		if end < len(text) && isWordByte(text[end]) {
			continue
		}
		outEnd := i
		if i > 0 && (text[i-1] == ' ' || isSeparator(text[i-1]) && text[i-1] != '-') {
			outEnd = i - 1
		}
		start, ok := outwardBefore(text, outEnd, text[i:end])
		if !ok || clinicalInward(text[i:end]) {
			continue
		}
		return Finding{Kind: Postcode, Match: text[start:end], Start: start, End: end}, true
	}
	return Finding{}, false
}

// outwardBefore finds an outward code ending at e that starts a word and
// goes with inward.
func outwardBefore(text string, e int, inward string) (int, bool) {
	for n := 2; n <= 4 && n <= e; n++ {
		s := e - n
		if s > 0 && isWordByte(text[s-1]) {
			continue
		}
		if outwardShape(text[s:e]) {
			return s, true
		}
	}
	// The one exception to the shape: GIR 0AA (Girobank).
	if strings.EqualFold(inward, "0AA") && e >= 3 && strings.EqualFold(text[e-3:e], "GIR") &&
		(e == 3 || !isWordByte(text[e-4])) {
		return e - 3, true
	}
	return 0, false
}

func outwardShape(o string) bool {
	if !inSet(areaFirst, o[0]) {
		return false
	}
	switch len(o) {
	case 2: // A9
		return isDigit(o[1])
	case 3: // A99, A9A, AA9
		return isDigit(o[1]) && (isDigit(o[2]) || inSet(afterA9, o[2])) ||
			inSet(areaSecond, o[1]) && isDigit(o[2])
	case 4: // AA99, AA9A
		return inSet(areaSecond, o[1]) && isDigit(o[2]) && (isDigit(o[3]) || inSet(afterAA9, o[3]))
	}
	return false
}

// inSet reports whether the ASCII letter b, in either case, is in set.
func inSet(set string, b byte) bool {
	if b >= 'a' && b <= 'z' {
		b -= 'a' - 'A'
	}
	return b >= 'A' && b <= 'Z' && strings.IndexByte(set, b) >= 0
}

// isWordByte matches the regexp \w: an ASCII letter, digit or underscore.
func isWordByte(b byte) bool { return isDigit(b) || isLetter(b) || b == '_' }

func isLetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// clinicalInward reports an "inward code" that is really a word a clinician
// writes in lower case after a short code: an ordinal ("C2 4th floor",
// "T12 1st") or hours ("S1 2hr"). Postcodes written in capitals still count.
func clinicalInward(in string) bool {
	if len(in) != 3 {
		return false
	}
	switch in[1:] {
	case "st":
		return in[0] == '1'
	case "nd":
		return in[0] == '2'
	case "rd":
		return in[0] == '3'
	case "th":
		return in[0] == '0' || in[0] >= '4'
	case "hr":
		return true
	}
	return false
}

// dateOfBirthRE is a date-of-birth label followed by a date in a common form:
// 12/03/1985, 12-03-85, 12.03.1985, 1985-03-12, 12 March 1985, 12th Mar 1985,
// 12-MAR-1985, March 12 1985. A label alone ("born prematurely") is fine.
var dateOfBirthRE = func() *regexp.Regexp {
	const month = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
	const year = `(?:\d{4}|\d{2})\b`
	const ordinal = `(?:st|nd|rd|th)?`
	label := `\b(?:d\.o\.b\.?|dob|date\s+of\s+birth|born(?:\s+on)?)`
	joiner := `\s*(?:[:\-]\s*|is\s*:?\s*)?(?:the\s+)?`
	date := `(?:` +
		`\d{1,2}[/.\-]\d{1,2}[/.\-]` + year +
		`|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b` +
		`|\d{1,2}` + ordinal + `(?:\s+of)?[\s\-/.]*` + month + `[\s\-/.,]*` + year +
		`|` + month + `[\s\-/.]*\d{1,2}` + ordinal + `[\s,]+` + year +
		`)`
	return regexp.MustCompile(`(?i)` + label + joiner + date)
}()

func findDateOfBirth(text string) (Finding, bool) {
	if !hasBirthLabel(text) {
		return Finding{}, false
	}
	loc := dateOfBirthRE.FindStringIndex(text)
	if loc == nil {
		return Finding{}, false
	}
	return Finding{Kind: DateOfBirth, Match: text[loc[0]:loc[1]], Start: loc[0], End: loc[1]}, true
}

// hasBirthLabel is a quick test for "dob", "d.o.b", "birth" or "born" in any
// case, so most notes skip the regexp altogether.
func hasBirthLabel(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i]|0x20 != 'b' {
			continue
		}
		if hasFoldPrefix(text[i:], "birth") || hasFoldPrefix(text[i:], "born") ||
			(i >= 2 && hasFoldPrefix(text[i-2:], "dob")) ||
			(i >= 4 && hasFoldPrefix(text[i-4:], "d.o.b")) {
			return true
		}
	}
	return false
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
