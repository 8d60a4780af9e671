package pathway

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// digitsIn writes the ASCII digits of s from the script whose zero is zero.
func digitsIn(s string, zero rune) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = zero + r - '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Zeros of some of the scripts people's keyboards and phones type digits in.
var digitZeros = []rune{
	'０',     // full-width
	'٠',     // Arabic-Indic
	'۰',     // Extended Arabic-Indic (Persian, Urdu)
	'०',     // Devanagari
	'০',     // Bengali
	'੦',     // Gurmukhi
	'૦',     // Gujarati
	'௦',     // Tamil
	'๐',     // Thai
	'၀',     // Myanmar
	0x1D7CE, // mathematical bold
	0x1D7D8, // mathematical double-struck
	0x1D7F6, // mathematical monospace
	0x1FBF0, // segmented
}

func TestDigitValue(t *testing.T) {
	for _, zero := range digitZeros {
		for d := rune(0); d <= 9; d++ {
			if got := digitValue(zero + d); got != int(d) {
				t.Errorf("digitValue(%U) = %d, want %d", zero+d, got, d)
			}
		}
	}
	// The rule digitValue rests on: Unicode's decimal digits come in runs
	// of ten.
	for _, rt := range unicode.Nd.R16 {
		if rt.Stride != 1 || (rt.Hi-rt.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U–%U is not whole runs of ten", rt.Lo, rt.Hi)
		}
	}
	for _, rt := range unicode.Nd.R32 {
		if rt.Stride != 1 || (rt.Hi-rt.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U–%U is not whole runs of ten", rt.Lo, rt.Hi)
		}
	}
}

func TestNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text, one space", "plain text, one space"},
		{"999.476.5919", "999.476.5919"},
		{"９９９４７６５９１９", "9994765919"},
		{"٩٩٩٤٧٦٥٩١٩", "9994765919"},
		{"999\u200b476\u200b5919", "9994765919"},
		{"999\u00ad476\u00ad5919", "9994765919"},
		{"\u200e999\u200f 476\u202a5919\u202c\u2066\u2069\ufeff\u2060", "999 4765919"},
		{"SW1A\u200b1AA", "SW1A1AA"},
		{"SW1A\u00a01AA", "SW1A 1AA"},
		{"a\u2009b\u2007c\u3000d\u202fe\u205ff\tg", "a b c d e f g"},
		{"a \u00a0\u3000 \t b", "a b"},
		{"line\nbreaks\nstay", "line\nbreaks\nstay"},
		{"café é", "café é"},       // composed, as NFKC composes
		{"e\u0301", "é"},           // composed
		{"9\u0301 9\u20e3", "9 9"}, // marks on digits go
		{"ﬁle №1 ①", "file No1 1"},
		{"\xff\xfe", "\ufffd\ufffd"},
	}
	for _, tt := range tests {
		if got := normalise(tt.in).text; got != tt.want {
			t.Errorf("normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The way back from the normal form lands on the text as typed.
func TestNormaliseSpan(t *testing.T) {
	in := "NHS \u200b９９９\u00a0\u00a0４７６ ٥٩١٩ seen"
	n := normalise(in)
	i := strings.Index(n.text, "999")
	if i < 0 {
		t.Fatalf("normalise(%q) = %q", in, n.text)
	}
	start, end := n.span(i, i+len("999 476 5919"))
	if got := in[start:end]; got != "９９９\u00a0\u00a0４７６ ٥٩١٩" {
		t.Fatalf("span = %q", got)
	}
}

// mutations of a valid NHS number, as people and their devices write it.
var (
	// Between any two digits: nothing shows.
	invisibles = []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f",
		"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u034f", "\ufe0f", "\u180e"}
	// Between groups: a run of spaces of any kind.
	spaces = []string{" ", "\u00a0", "\u2009", "\u2007", "\u3000", "\u202f", "\u2002", "\u2003", "\u205f", "\t"}
	// Between groups: one of these, with or without spaces, the same mark
	// (in any of its forms) throughout the number.
	marks = [][]string{{"-", "\uff0d", "\ufe63"}, {".", "\uff0e", "\ufe52"}, {"/", "\uff0f"}, {"_", "\uff3f"}}
)

// validNHS is a valid number in the NHS test range, picked by seed.
func validNHS(seed uint64) string {
	for i := uint64(0); ; i++ {
		nine := fmt.Sprintf("999%06d", (seed+i)%1_000_000)
		if c := mod11Digit(nine); c >= 0 {
			return fmt.Sprintf("%s%d", nine, c)
		}
	}
}

func TestFindIdentifierVariants(t *testing.T) {
	n := validNHS(476591)
	last2 := n[8:]
	groups := func(sep string) string { return n[:3] + sep + n[3:6] + sep + n[6:] }
	every := func(sep string) string {
		var b strings.Builder
		for i, r := range n {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	type variant struct{ name, text string }
	var variants []variant
	add := func(name, text string) { variants = append(variants, variant{name, text}) }
	// What was seen in issue 20, item 2, and its near relations.
	add("dots", groups("."))
	add("slashes", groups("/"))
	add("underscores", groups("_"))
	add("hyphens with spaces", groups(" - "))
	add("two spaces", groups("  "))
	for _, s := range invisibles {
		add(fmt.Sprintf("%U between groups", []rune(s)[0]), groups(s))
		add(fmt.Sprintf("%U between every digit", []rune(s)[0]), every(s))
		add(fmt.Sprintf("%U and a space", []rune(s)[0]), groups(" "+s))
	}
	for _, s := range spaces {
		add(fmt.Sprintf("%U between groups", []rune(s)[0]), groups(s))
		add(fmt.Sprintf("%U run between groups", []rune(s)[0]), groups(s+" "+s))
	}
	for _, forms := range marks {
		for _, m := range forms {
			add(fmt.Sprintf("%U between groups", []rune(m)[0]), groups(m))
		}
	}
	for _, zero := range digitZeros {
		add(fmt.Sprintf("digits from %U", zero), digitsIn(n, zero))
		add(fmt.Sprintf("digits from %U, spaced", zero), digitsIn(groups("\u00a0"), zero))
	}
	add("mixed scripts", digitsIn(n[:3], '٠')+digitsIn(n[3:6], '０')+n[6:])
	add("full-width, soft hyphens", digitsIn(groups("\u00ad"), '０'))

	for _, v := range variants {
		for _, context := range []string{"%s", "NHS %s", "Confirmed %s with the family.", "(%s)"} {
			text := fmt.Sprintf(context, v.text)
			f, ok := FindIdentifier(text)
			if !ok || f.Kind != NHSNumber || f.Match != v.text {
				t.Errorf("%s: FindIdentifier(%q) = %+v, %v; want the NHS number %q", v.name, text, f, ok, v.text)
				continue
			}
			msg := IdentifierError(f).Message
			if !strings.Contains(msg, "(999…"+last2+")") {
				t.Errorf("%s: the refusal's hint is not the number's digits: %s", v.name, msg)
			}
		}
	}

	postcodes := []string{
		"SW1A\u200b1AA", "SW1A\u00a01AA", "SW1A\u2009\u20091AA", "SW1A.1AA", "SW1A/1AA", "SW1A_1AA",
		"ＳＷ１Ａ　１ＡＡ", "SW1A\u00ad 1AA", "LS\u200d1 4AP", "ls1\u3000" + digitsIn("4", '٠') + "ap",
	}
	for _, p := range postcodes {
		text := "lives at " + p + " now"
		f, ok := FindIdentifier(text)
		if !ok || f.Kind != Postcode || f.Match != p {
			t.Errorf("FindIdentifier(%q) = %+v, %v; want the postcode %q", text, f, ok, p)
			continue
		}
		if msg := IdentifierError(f).Message; !strings.Contains(msg, "postcode (") || !utf8.ValidString(msg) {
			t.Errorf("refusal for %q: %s", p, msg)
		}
	}
}

// The refusal's hint never crashes and is never empty, whatever was found.
func TestIdentifierErrorHint(t *testing.T) {
	for _, f := range []Finding{
		{Kind: NHSNumber},
		{Kind: NHSNumber, Match: "\xff"},
		{Kind: Postcode, Match: "ａ"},
		{Kind: CHINumber, Normal: "1"},
		{Kind: Name},
		{Kind: Name, Normal: "Mr \xff"},
		{Kind: DateOfBirth},
	} {
		if msg := IdentifierError(f).Message; !strings.HasPrefix(msg, "Nothing was saved") {
			t.Errorf("IdentifierError(%+v) = %q", f, msg)
		}
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{
		"", "plain", "999.476.5919", "９９９４７６５９１９", "٩٩٩ ٤٧٦ ٥٩١٩", "SW1A\u200b1AA", "SW1A\u00a01AA",
		"a \u00a0\u3000 \t b", "e\u200d\u0301", "\u1100\u200b\u1161", "ﬁ ① ²", "\xff\xfe 12",
		"<@teams:aaaa9990-0000-18bb-8ccc-dddddddddddd>", "Mrs\u00a0Jane Smith aged ٧٦",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n := normalise(text)
		if n.from != nil && len(n.from) != len(n.text) {
			t.Fatalf("normalise(%q): %d origins for %d bytes", text, len(n.from), len(n.text))
		}
		if !utf8.ValidString(n.text) {
			t.Fatalf("normalise(%q) = %q: not UTF-8", text, n.text)
		}
		if strings.Contains(n.text, "  ") || strings.ContainsRune(n.text, '\t') {
			t.Fatalf("normalise(%q) = %q: a run of spaces", text, n.text)
		}
		for _, r := range n.text {
			if r >= utf8.RuneSelf && unicode.IsDigit(r) || invisible(r) || unicode.Is(unicode.Zs, r) && r != ' ' {
				t.Fatalf("normalise(%q) = %q: keeps %U", text, n.text, r)
			}
		}
		prev := 0
		for i, o := range n.from {
			if o.start < prev || o.start >= o.end || o.end > len(text) {
				t.Fatalf("normalise(%q): byte %d comes from %d:%d (after %d)", text, i, o.start, o.end, prev)
			}
			prev = o.start
		}
		// Once is enough: the normal form of the normal form is itself, but
		// for text NFKC composes anew once invisible characters are gone
		// (a joiner between a letter and its accent, between Hangul jamo).
		if again := normalise(n.text).text; again != n.text {
			if stripped := strings.Map(func(r rune) rune {
				if invisible(r) {
					return -1
				}
				return r
			}, text); normalise(stripped).text != again {
				t.Fatalf("normalise(%q) = %q, but normalising that gives %q", text, n.text, again)
			}
		}
		// The guard finds the same in the text and in its normal form.
		f1, ok1 := FindIdentifier(text)
		f2, ok2 := FindIdentifier(n.text)
		if ok1 != ok2 || ok1 && (f1.Kind != f2.Kind || f1.Normal != f2.Normal) {
			if again := normalise(n.text).text; again == n.text {
				t.Fatalf("FindIdentifier(%q) = %+v, %v; on its normal form %q: %+v, %v", text, f1, ok1, n.text, f2, ok2)
			}
		}
	})
}

// FuzzGuardMutations: no mutation of a valid NHS number by putting
// invisible characters between its digits, spaces or one kind of separator
// between its groups, or by writing its digits in other scripts, gets past
// the guard.
func FuzzGuardMutations(f *testing.F) {
	f.Add(uint64(476591), []byte{})
	f.Add(uint64(1), []byte{1, 2, 0, 5, 1, 9, 3})
	f.Add(uint64(999999), []byte{0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10})
	f.Add(uint64(5), []byte{2, 3, 2, 6, 2, 3, 5, 3, 8})
	f.Fuzz(func(t *testing.T, seed uint64, ops []byte) {
		n := validNHS(seed)
		text := mutate(n, ops)
		for _, context := range []string{"%s", "Spoke to the family about %s today.", "ref:%s."} {
			in := fmt.Sprintf(context, text)
			got, ok := FindIdentifier(in)
			if !ok || got.Kind != NHSNumber {
				t.Fatalf("FindIdentifier(%q) = %+v, %v: the NHS number %s got through", in, got, ok, n)
			}
			if msg := IdentifierError(got).Message; !strings.Contains(msg, "(999…"+n[8:]+")") {
				t.Fatalf("FindIdentifier(%q): refusal %q does not point at the number", in, msg)
			}
		}
	})
}

// mutate writes the digits of n as ops say. The first byte picks how the
// groups are separated: by spaces, or by one of the marks. Each pair after
// it picks a digit and what to do to it: write it in another script, or
// put an invisible character or a separator before it.
func mutate(n string, ops []byte) string {
	style := -1 // spaces
	if len(ops) > 0 {
		style = int(ops[0])%(len(marks)+1) - 1
		ops = ops[1:]
	}
	digits := make([]string, len(n))
	gaps := make([][]string, len(n)) // gaps[i] goes before digit i
	hasMark := make([]bool, len(n))
	for i := range n {
		digits[i] = n[i : i+1]
	}
	for k := 0; k+1 < len(ops); k += 2 {
		i, op := int(ops[k])%len(n), int(ops[k+1])
		switch op % 4 {
		case 0:
			digits[i] = digitsIn(n[i:i+1], digitZeros[op/4%len(digitZeros)])
		case 1:
			if i > 0 {
				gaps[i] = append(gaps[i], invisibles[op/4%len(invisibles)])
			}
		case 2: // with a mark, only beside the mark (kept below if one comes)
			if i > 0 {
				gaps[i] = append(gaps[i], spaces[op/4%len(spaces)])
			}
		case 3:
			if i > 0 && style >= 0 && !hasMark[i] {
				forms := marks[style]
				gaps[i] = append(gaps[i], forms[op/4%len(forms)])
				hasMark[i] = true
			}
		}
	}
	var b strings.Builder
	for i := range n {
		for _, g := range gaps[i] {
			if style >= 0 && !hasMark[i] && slices.Contains(spaces, g) {
				continue // spaces alone would be a second kind of separator
			}
			b.WriteString(g)
		}
		b.WriteString(digits[i])
	}
	return b.String()
}

// Random mutations, as the fuzz target makes them, in an ordinary test run.
func TestGuardMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 2))
	ops := make([]byte, 0, 40)
	for range 20_000 {
		ops = ops[:0]
		for range rng.IntN(40) {
			ops = append(ops, byte(rng.UintN(256)))
		}
		n := validNHS(rng.Uint64N(1_000_000))
		text := mutate(n, ops)
		if f, ok := FindIdentifier("note " + text + " end"); !ok || f.Kind != NHSNumber || f.Match != text {
			t.Fatalf("FindIdentifier(%q) = %+v, %v; want the NHS number %s", text, f, ok, n)
		}
	}
}
