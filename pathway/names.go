package pathway

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names of patients and relatives, in the two forms people most often write
// them: a title before a name ("Mrs Jane Smith", "Mr. Khan") and a name next
// to an age ("Jane Smith aged 76", "aged 76, Jane"). The titles staff go by
// (Dr, Prof, Sister, Nurse) are left alone. Surgeons in the UK are Mr or Ms,
// so a colleague named with a title is refused too; the refusal says to
// @mention them instead, and a mention is never read as a name. This cannot
// recognise every name: a name with no title and no age passes.

// patientTitles are the titles refused before a capitalised word, longest
// first so "Mrs" is not read as "Mr". Only the title-case spelling counts:
// "MS" and "MR" are multiple sclerosis and mitral regurgitation.
var patientTitles = []string{"Master", "Miss", "Mrs", "Mr", "Ms", "Mx"}

// masterNotTitle are the words after which "Master" is no title: "the
// Master Patient Index".
var masterNotTitle = map[string]bool{
	"Patient": true, "Index": true, "Copy": true, "List": true, "File": true, "Plan": true,
	"Record": true, "Records": true, "Class": true, "Key": true, "Data": true, "Degree": true, "Document": true,
}

// notNames are capitalised words that often stand next to an age without
// being a name: "Patient aged 76", "aged 76 Female".
var notNames = map[string]bool{
	"a": true, "an": true, "and": true, "admitted": true, "adult": true, "baby": true,
	"boy": true, "brother": true, "but": true, "child": true, "currently": true,
	"daughter": true, "days": true, "elderly": true, "father": true, "female": true,
	"frail": true, "gentleman": true, "girl": true, "grandchild": true, "granddaughter": true,
	"grandfather": true, "grandmother": true, "grandson": true, "he": true, "her": true,
	"his": true, "husband": true, "infant": true, "lady": true, "male": true, "man": true,
	"months": true, "mother": true, "neonate": true, "now": true, "partner": true,
	"patient": true, "person": true, "presented": true, "pt": true, "resident": true,
	"she": true, "sister": true, "son": true, "teenager": true, "the": true, "their": true,
	"then": true, "they": true, "toddler": true, "was": true, "weeks": true, "when": true,
	"who": true, "wife": true, "with": true, "woman": true, "years": true, "yrs": true,
	"ward": true, "bay": true, "bed": true,
}

// findName reports the first name written with a title or next to an age in
// text (normal form, mentions masked), leaving out anything inside a
// mention's label: a mention names a colleague.
func findName(text string, labels []maskedMention) (Finding, bool) {
	best, found := Finding{}, false
	consider := func(start, end int) bool {
		for _, l := range labels {
			if start < l.end && l.start < end {
				return false
			}
		}
		if !found || start < best.Start {
			best, found = Finding{Kind: Name, Match: text[start:end], Start: start, End: end}, true
		}
		return true
	}
	for i := strings.IndexByte(text, 'M'); i >= 0; {
		if end, ok := titledName(text, i); ok && consider(i, end) {
			break // the first by position: later titles start later
		}
		next := strings.IndexByte(text[i+1:], 'M')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	for i := 0; i+3 <= len(text); i++ {
		if text[i]|0x20 != 'a' || !hasFoldPrefix(text[i:], "age") || wordBefore(text, i) {
			continue
		}
		if found && i > best.End {
			break
		}
		if start, end, ok := nameWithAge(text, i); ok {
			consider(start, end)
		}
	}
	return best, found
}

// titledName reads a title at text[i] followed by a capitalised word, perhaps
// after initials ("Mr J. Smith"), and returns where the name ends.
func titledName(text string, i int) (int, bool) {
	if wordBefore(text, i) {
		return 0, false
	}
	p := -1
	for _, t := range patientTitles {
		if strings.HasPrefix(text[i:], t) {
			p = i + len(t)
			break
		}
	}
	if p < 0 {
		return 0, false
	}
	if p < len(text) && text[p] == '.' {
		p++
	}
	if text[i:min(p, len(text))] == "Master" && p+1 < len(text) {
		if end, ok := capitalisedWord(text, p+1); ok && masterNotTitle[text[p+1:end]] {
			return 0, false
		}
	}
	for range 4 { // a name, or up to three initials then a name
		if p >= len(text) || text[p] != ' ' {
			return 0, false
		}
		p++
		if end, ok := capitalisedWord(text, p); ok {
			return end, true
		}
		r, w := utf8.DecodeRuneInString(text[p:])
		if !unicode.IsUpper(r) {
			return 0, false
		}
		p += w
		if p < len(text) && text[p] == '.' {
			p++
		}
	}
	return 0, false
}

// nameWithAge reads "age NN" or "aged NN" at text[i] with a capitalised name
// just before or just after it, and returns the span of both.
func nameWithAge(text string, i int) (start, end int, ok bool) {
	p := i + len("age")
	if p < len(text) && text[p]|0x20 == 'd' {
		p++
	}
	if p < len(text) && text[p] == ':' {
		p++
	}
	if p < len(text) && text[p] == ' ' {
		p++
	}
	digits := p
	for p < len(text) && p-digits < 4 && isDigit(text[p]) {
		p++
	}
	if n := p - digits; n == 0 || n > 3 || p < len(text) && isDigit(text[p]) {
		return 0, 0, false
	}
	ageEnd := p

	// A name just before: "Jane Smith aged 76", "Smith, aged 76", "Jane (age 76)".
	q := i
	for n := 0; n < 3 && q > 0 && strings.IndexByte(" ,(", text[q-1]) >= 0; n++ {
		q--
	}
	if q < i {
		if s, ok := nameBefore(text, q); ok {
			return s, ageEnd, true
		}
	}

	// A name just after: "aged 76, Jane", "age 76 Jane Smith".
	for n := 0; n < 2 && p < len(text) && strings.IndexByte(" ,", text[p]) >= 0; n++ {
		p++
	}
	if p > ageEnd {
		if e, ok := capitalisedWord(text, p); ok && !notNames[strings.ToLower(text[p:e])] {
			return i, e, true
		}
	}
	return 0, 0, false
}

// nameBefore finds the capitalised words ending at text[e] ("Jane Smith"),
// and returns where they start.
func nameBefore(text string, e int) (int, bool) {
	start, found := e, false
	for {
		s := e
		for s > 0 {
			r, w := utf8.DecodeLastRuneInString(text[:s])
			if !unicode.IsLetter(r) && r != '\'' && r != '-' {
				break
			}
			s -= w
		}
		end, ok := capitalisedWord(text, s)
		if s == e || !ok || end != e || notNames[strings.ToLower(text[s:e])] {
			return start, found
		}
		start, found = s, true
		if s == 0 || text[s-1] != ' ' {
			return start, found
		}
		e = s - 1
	}
}

// capitalisedWord reads a word at text[p] that starts with a capital letter
// followed by another letter ("Smith", "O'Brien", "Smith-Jones", "SMITH"),
// and returns where it ends.
func capitalisedWord(text string, p int) (int, bool) {
	r, w := utf8.DecodeRuneInString(text[p:])
	if !unicode.IsUpper(r) {
		return 0, false
	}
	q := p + w
	letters := 1
	for q < len(text) {
		r, w := utf8.DecodeRuneInString(text[q:])
		if unicode.IsLetter(r) {
			letters++
			q += w
			continue
		}
		if (r == '\'' || r == '’' || r == '-') && q+w < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[q+w:]); unicode.IsLetter(r2) && letters > 0 {
				q += w
				continue
			}
		}
		break
	}
	if letters < 2 {
		return 0, false
	}
	return q, true
}

// wordBefore reports whether a letter or digit comes just before text[i].
func wordBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
