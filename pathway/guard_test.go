package pathway

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Synthetic numbers only: the NHS test range (999 000 0000–999 999 9999)
// and numbers built here.

// mod11Digit is the modulus 11 check digit for nine digits, or -1 when the
// nine digits can have none.
func mod11Digit(nine string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	switch c := 11 - sum%11; c {
	case 11:
		return 0
	case 10:
		return -1
	default:
		return c
	}
}

// luhnDigit is the modulus 10 (Luhn) check digit for nine digits.
func luhnDigit(nine string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		v := int(nine[i] - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// withMod11 completes a number with its modulus 11 check digit, trying the
// next eighth digit when the first has none.
func withMod11(t testing.TB, prefix string) string {
	t.Helper()
	for i := 0; i < 10; i++ {
		nine := fmt.Sprintf("%s%d%s", prefix[:7], (int(prefix[7]-'0')+i)%10, prefix[8:9])
		if c := mod11Digit(nine); c >= 0 {
			return fmt.Sprintf("%s%d", nine, c)
		}
	}
	t.Fatalf("no mod 11 number for %s", prefix)
	return ""
}

// luhnOnly builds a CHI number for the date ddmmyy that passes only the
// modulus 10 check, as some numbers issued from 2025–26 do.
func luhnOnly(t testing.TB, ddmmyy string) string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		nine := fmt.Sprintf("%s%03d", ddmmyy, i)
		if c := luhnDigit(nine); c != mod11Digit(nine) {
			return fmt.Sprintf("%s%d", nine, c)
		}
	}
	t.Fatalf("no Luhn-only number for %s", ddmmyy)
	return ""
}

func spaced(n string) string { return n[:3] + " " + n[3:6] + " " + n[6:] }

func TestCheckDigitHelpers(t *testing.T) {
	// The test's own helpers, against a worked example, so the tables
	// below rest on something independent of the code under test.
	if mod11Digit("999000001") != 8 || mod11Digit("987654432") == 1 {
		t.Fatal("mod11Digit disagrees with the worked example")
	}
	if luhnDigit("123456789") != 7 { // 1234567897 is the textbook Luhn example
		t.Fatalf("luhnDigit(123456789) = %d, want 7", luhnDigit("123456789"))
	}
}

func TestValidNHSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9990000018", true},
		{"9990000026", true},
		{withMod11(t, "999123456"), true},
		{withMod11(t, "320000001"), true}, // a Northern Ireland H&C-shaped number
		{"9876544321", false},             // the usual format example fails the check
		{"9990000013", false},
		{"9990000017", false},
		{"999 000 0018", false},
		{"999-000-0018", false},
		{"999000001", false},
		{"99900000180", false},
		{"", false},
		{"99900000l8", false},
		{"９９９００００００１８", false}, // full-width digits are not ASCII
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", false},
	}
	// A number whose check works out at 10 is never issued.
	for i := 0; ; i++ {
		nine := fmt.Sprintf("999%06d", i)
		if mod11Digit(nine) < 0 {
			for d := 0; d <= 9; d++ {
				tests = append(tests, struct {
					in   string
					want bool
				}{fmt.Sprintf("%s%d", nine, d), false})
			}
			break
		}
	}
	for _, tt := range tests {
		if got := ValidNHSNumber(tt.in); got != tt.want {
			t.Errorf("ValidNHSNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidCHINumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
		note string
	}{
		{withMod11(t, "120385123"), true, "12 March 1985, modulus 11"},
		{luhnOnly(t, "150790"), true, "15 July 1990, modulus 10 only"},
		{withMod11(t, "010100456"), true, "1 January (19|20)00"},
		{withMod11(t, "290200123"), true, "29 February 2000"},
		{withMod11(t, "290296123"), true, "29 February 1996"},
		{withMod11(t, "310199123"), true, "31 January"},
		{withMod11(t, "290201123"), false, "no 29 February in 1901 or 2001"},
		{withMod11(t, "310485123"), false, "no 31 April"},
		{withMod11(t, "000185123"), false, "day 0"},
		{withMod11(t, "320185123"), false, "day 32"},
		{withMod11(t, "121385123"), false, "month 13"},
		{withMod11(t, "120085123"), false, "month 0"},
		{"9990000018", false, "an NHS number, not a date"},
		{"120385123", false, "nine digits"},
		{"12038512345", false, "eleven digits"},
		{"12/03/8512", false, "not digits"},
		{"", false, "empty"},
	}
	// A date-shaped number failing both checks.
	for i := 0; i < 10; i++ {
		n := fmt.Sprintf("120385123%d", i)
		if i != mod11Digit("120385123") && i != luhnDigit("120385123") {
			tests = append(tests, struct {
				in   string
				want bool
				note string
			}{n, false, "fails both checks"})
			break
		}
	}
	for _, tt := range tests {
		if got := ValidCHINumber(tt.in); got != tt.want {
			t.Errorf("ValidCHINumber(%q) = %v, want %v (%s)", tt.in, got, tt.want, tt.note)
		}
	}
}

func TestFindIdentifier(t *testing.T) {
	chi := withMod11(t, "120385123")
	chiLuhn := luhnOnly(t, "150790")
	hc := withMod11(t, "320000001")
	testRange := withMod11(t, "999456789")

	type want struct {
		kind  IdentifierKind
		match string
	}
	tests := []struct {
		text string
		want want // zero: nothing found
	}{
		// NHS numbers, as people write them.
		{"NHS no 999 000 0018 for the file", want{NHSNumber, "999 000 0018"}},
		{"9990000018", want{NHSNumber, "9990000018"}},
		{"nhs 999-000-0018.", want{NHSNumber, "999-000-0018"}},
		{"ward 4 999 000 0018", want{NHSNumber, "999 000 0018"}},
		{"bed 4 999 000 0018 2 days", want{NHSNumber, "999 000 0018"}},
		{"test patient 999 000 0018", want{NHSNumber, "999 000 0018"}},
		{"(" + spaced(testRange) + ")", want{NHSNumber, spaced(testRange)}},
		{"NHS:9990000018", want{NHSNumber, "9990000018"}},
		{"INC-9990000018", want{NHSNumber, "9990000018"}},
		{"INC9990000018x", want{NHSNumber, "9990000018"}},
		{"999\u00a0000\u00a00018 pasted from a letter", want{NHSNumber, "999\u00a0000\u00a00018"}},
		{"9990 000 018", want{NHSNumber, "9990 000 018"}},
		{"44 9990 000018", want{NHSNumber, "9990 000018"}},
		{"H&C " + hc, want{NHSNumber, hc}},
		// Other separators, since the normal form (issue 20): any run of
		// spaces, or one dot, slash or underscore.
		{"999  000  0018", want{NHSNumber, "999  000  0018"}},
		{"999/000/0018", want{NHSNumber, "999/000/0018"}},
		{"999.000.0018", want{NHSNumber, "999.000.0018"}},
		{"999_000_0018", want{NHSNumber, "999_000_0018"}},
		{"999 - 000 - 0018", want{NHSNumber, "999 - 000 - 0018"}},
		// CHI numbers.
		{"CHI " + chi, want{CHINumber, chi}},
		{"chi " + chi[:6] + " " + chi[6:], want{CHINumber, chi[:6] + " " + chi[6:]}},
		{"new CHI " + chiLuhn, want{CHINumber, chiLuhn}},

		// Numbers that are not identifiers.
		{"format is 987 654 4321", want{}},
		{"call 07700 900123", want{}},
		{"call 07700 900 123", want{}},
		{"tel 0161 496 0000", want{}},
		{"tel +44 9990 000018", want{}}, // passes the check, but it is an international phone number
		{"99900000180", want{}},         // eleven digits
		{"19990000018", want{}},
		{"999 000 00180", want{}},
		{"999 -- 000 -- 0018", want{}}, // two separators do not join
		{"999./000./0018", want{}},
		{"999 000.0018", want{}},   // two kinds of separator: readings, not one number (a limit the README states)
		{"999\n000\n0018", want{}}, // nor do line breaks
		{"BP 120/80, HR 88, RR 18, sats 94% on 2L, GCS 15, temp 37.8", want{}},

		// Postcodes.
		{"lives at LS1 4AP", want{Postcode, "LS1 4AP"}},
		{"sw1a 1aa", want{Postcode, "sw1a 1aa"}},
		{"M1 1AE.", want{Postcode, "M1 1AE"}},
		{"near B33 8TH, by the park", want{Postcode, "B33 8TH"}},
		{"CR2 6XH", want{Postcode, "CR2 6XH"}},
		{"(DN55 1PT)", want{Postcode, "DN55 1PT"}},
		{"GIR 0AA", want{Postcode, "GIR 0AA"}},
		{"EC1A 1BB", want{Postcode, "EC1A 1BB"}},
		{"W1A 0AX", want{Postcode, "W1A 0AX"}},
		{"ls14ap", want{Postcode, "ls14ap"}},
		{"SW1A 1ST", want{Postcode, "SW1A 1ST"}}, // capitals: a postcode, not an ordinal

		// Not postcodes.
		{"ward 4", want{}},
		{"bay 12", want{}},
		{"ICU", want{}},
		{"2 am", want{}},
		{"given at 2am and 2pm", want{}},
		{"1st", want{}},
		{"A1 anaemia", want{}},
		{"LS1 only", want{}},
		{"LS1", want{}},
		{"LS1 4A", want{}},
		{"XLS1 4AP", want{}},
		{"LS1 4APX", want{}},
		{"LS1 4CP", want{}}, // C never appears in the inward code
		{"C2 4th floor", want{}},
		{"T12 1st degree", want{}},
		{"S1 2hr post op", want{}},
		{"O2 2L NC", want{}},
		{"B12 5mg", want{}},
		{"Q1 1AA", want{}}, // no area starts with Q

		// Dates of birth.
		{"DOB 12/03/1985", want{DateOfBirth, "DOB 12/03/1985"}},
		{"d.o.b.: 12-03-85 per notes", want{DateOfBirth, "d.o.b.: 12-03-85"}},
		{"D.O.B 12.03.1985", want{DateOfBirth, "D.O.B 12.03.1985"}},
		{"date of birth is 12.03.1985", want{DateOfBirth, "date of birth is 12.03.1985"}},
		{"Date of Birth: 1985-03-12", want{DateOfBirth, "Date of Birth: 1985-03-12"}},
		{"born on 12 March 1985", want{DateOfBirth, "born on 12 March 1985"}},
		{"born 12th Mar 1985", want{DateOfBirth, "born 12th Mar 1985"}},
		{"Born: March 12 1985", want{DateOfBirth, "Born: March 12 1985"}},
		{"born on the 12th of March, 1985", want{DateOfBirth, "born on the 12th of March, 1985"}},
		{"born March 12th, 1985", want{DateOfBirth, "born March 12th, 1985"}},
		{"DOB 12-MAR-1985", want{DateOfBirth, "DOB 12-MAR-1985"}},
		{"dob:12/03/1985", want{DateOfBirth, "dob:12/03/1985"}},
		{"DOB - 1/3/85", want{DateOfBirth, "DOB - 1/3/85"}},
		{"baby born 3 Sept 2025", want{DateOfBirth, "born 3 Sept 2025"}},

		// Not dates of birth.
		{"born prematurely at 32 weeks", want{}},
		{"born at 34/40", want{}},
		{"born 2 days ago", want{}},
		{"DOB unknown", want{}},
		{"date of birth withheld", want{}},
		{"seen 12/03/2025 in clinic", want{}},
		{"airborne 12/03/2025", want{}},
		{"born 12 March", want{}},
		{"DOB 12/03/19851", want{}},

		// The earliest finding wins.
		{"LS1 4AP and 999 000 0018", want{Postcode, "LS1 4AP"}},
		{"999 000 0018 at LS1 4AP", want{NHSNumber, "999 000 0018"}},
		{"DOB 12/03/1985, NHS 999 000 0018", want{DateOfBirth, "DOB 12/03/1985"}},
		{"ref 987 654 4321 then 999 000 0018", want{NHSNumber, "999 000 0018"}},
		{"C2 4th floor, LS1 4AP", want{Postcode, "LS1 4AP"}},

		// Nothing at all.
		{"", want{}},
		{"Family met with the consultant; apology given and questions noted.", want{}},
		{"\xff\xfe\xfd 999 000 0018 \xff", want{NHSNumber, "999 000 0018"}},
	}
	for _, tt := range tests {
		f, ok := FindIdentifier(tt.text)
		if ok != (tt.want.kind != "") || f.Kind != tt.want.kind || f.Match != tt.want.match {
			t.Errorf("FindIdentifier(%q) = %+v, %v; want %+v", tt.text, f, ok, tt.want)
			continue
		}
		if ok && tt.text[f.Start:f.End] != f.Match {
			t.Errorf("FindIdentifier(%q): offsets %d:%d do not hold %q", tt.text, f.Start, f.End, f.Match)
		}
	}
}

// Every valid number in a slice of the test range is found in each way it is
// written, and every invalid one is left alone.
func TestFindIdentifierTestRange(t *testing.T) {
	for i := 0; i < 20000; i += 7 {
		n := fmt.Sprintf("999%07d", i*97)
		valid := ValidNHSNumber(n)
		for _, form := range []string{n, spaced(n), strings.ReplaceAll(spaced(n), " ", "-")} {
			f, ok := FindIdentifier("pt " + form + " seen")
			if ok != valid || (ok && (f.Kind != NHSNumber || f.Match != form)) {
				t.Fatalf("FindIdentifier(%q) = %+v, %v; valid %v", form, f, ok, valid)
			}
		}
	}
}

func TestFindIdentifierLongInput(t *testing.T) {
	long := strings.Repeat("Family updated by phone; next contact agreed. ", 200)
	if f, ok := FindIdentifier(long); ok {
		t.Fatalf("found %+v in plain text", f)
	}
	text := long + "NHS 999 000 0018"
	f, ok := FindIdentifier(text)
	if !ok || f.Start != len(long)+4 || f.Match != "999 000 0018" {
		t.Fatalf("FindIdentifier(long + number) = %+v, %v", f, ok)
	}
	digits := strings.Repeat("1234 ", 1000) // a chain of runs that never totals ten
	if f, ok := FindIdentifier(digits); ok {
		t.Fatalf("found %+v in a run of 4-digit groups", f)
	}
}

func FuzzFindIdentifier(f *testing.F) {
	for _, s := range []string{
		"NHS 999 000 0018", "9990000018", "999-000-0018", "ward 4 999 000 0018",
		"+44 9990 000018", "07700 900123", "LS1 4AP", "sw1a 1aa", "C2 4th floor",
		"DOB 12/03/1985", "born on the 12th of March, 1985", "born prematurely",
		"999\u00a0000\u00a00018", "\xff\xfe 12 34 56 78 90", "",
		"９９９.０００.００１８", "٩٩٩\u200b٠٠٠\u00ad٠٠١٨", "SW1A\u200b1AA", "<@teams:aaaa9990-0000-18bb-8ccc-dddddddddddd>",
		"Mrs Jane Smith aged 76", "aged 76, Jane", "<@U1|Mr Smith>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		pc, pcOK := findPostcode(text)
		if want, wantOK := oraclePostcode(text); pc != want || pcOK != wantOK {
			t.Fatalf("findPostcode(%q) = %+v, %v; oracle %+v, %v", text, pc, pcOK, want, wantOK)
		}

		got, ok := FindIdentifier(text)
		if !ok {
			if got != (Finding{}) {
				t.Fatalf("FindIdentifier(%q) = %+v with ok false", text, got)
			}
			return
		}
		if got.Start < 0 || got.Start >= got.End || got.End > len(text) {
			t.Fatalf("FindIdentifier(%q): offsets %d:%d out of bounds", text, got.Start, got.End)
		}
		if text[got.Start:got.End] != got.Match {
			t.Fatalf("FindIdentifier(%q): text[%d:%d] = %q, Match %q", text, got.Start, got.End, text[got.Start:got.End], got.Match)
		}
		switch got.Kind {
		case NHSNumber, CHINumber:
			var digits []byte // as the guard read them: see normalise
			for i := 0; i < len(got.Normal); i++ {
				if isDigit(got.Normal[i]) {
					digits = append(digits, got.Normal[i])
				}
			}
			if got.Kind == NHSNumber && !ValidNHSNumber(string(digits)) {
				t.Fatalf("FindIdentifier(%q) refused %q as an NHS number; digits %q fail the check", text, got.Match, digits)
			}
			if got.Kind == CHINumber && !ValidCHINumber(string(digits)) {
				t.Fatalf("FindIdentifier(%q) refused %q as a CHI number; digits %q fail the check", text, got.Match, digits)
			}
			if got.Start > 0 && isDigit(text[got.Start-1]) || got.End < len(text) && isDigit(text[got.End]) {
				t.Fatalf("FindIdentifier(%q): %q is part of a longer number", text, got.Match)
			}
		case Postcode:
			for i := 0; i < len(got.Normal); i++ {
				if got.Normal[i] >= utf8.RuneSelf {
					t.Fatalf("FindIdentifier(%q): postcode %q read as %q, not ASCII", text, got.Match, got.Normal)
				}
			}
		case DateOfBirth, Name:
		default:
			t.Fatalf("FindIdentifier(%q): unknown kind %q", text, got.Kind)
		}
		// The match on its own is found whole, as the same kind.
		again, ok := FindIdentifier(got.Match)
		if !ok || again.Kind != got.Kind || again.Start != 0 || again.End != len(got.Match) {
			t.Fatalf("FindIdentifier(%q) = %+v, but on its own the match gives %+v, %v", text, got, again, ok)
		}
	})
}

// postcodeOracle is the postcode shape as a regexp: slow, but easy to check
// against the published rules. findPostcode must agree with it.
var postcodeOracle = regexp.MustCompile(`\b(?:[Gg][Ii][Rr] ?0[Aa][Aa]|` +
	`[A-PR-UWYZa-pr-uwyz](?:[0-9][0-9A-HJKPSTUWa-hjkpstuw]?|[A-HK-Ya-hk-y][0-9][0-9ABEHMNPRVWXYabehmnprvwxy]?)` +
	`[ ./_]?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b`)

func oraclePostcode(text string) (Finding, bool) {
	for offset := 0; offset < len(text); {
		loc := postcodeOracle.FindStringIndex(text[offset:])
		if loc == nil {
			break
		}
		start, end := offset+loc[0], offset+loc[1]
		if !clinicalInward(text[end-3 : end]) {
			return Finding{Kind: Postcode, Match: text[start:end], Start: start, End: end}, true
		}
		offset = end // the match ended at a word boundary, so no context is lost
	}
	return Finding{}, false
}

func TestPostcodeMatchesOracle(t *testing.T) {
	// Short random strings over an alphabet rich in postcode parts.
	const alphabet = "AaBbCcDGgIiLlMOPQRSsTtVWXYZz0123456789  _-.\xc2\xa0é"
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 16)
	found := 0
	for range 200_000 {
		buf = buf[:0]
		for range 1 + rng.IntN(12) {
			buf = append(buf, alphabet[rng.IntN(len(alphabet))])
		}
		text := string(buf)
		got, gotOK := findPostcode(text)
		want, wantOK := oraclePostcode(text)
		if got != want || gotOK != wantOK {
			t.Fatalf("findPostcode(%q) = %+v, %v; oracle %+v, %v", text, got, gotOK, want, wantOK)
		}
		if gotOK {
			found++
		}
	}
	if found < 100 {
		t.Fatalf("only %d random strings held a postcode; the comparison proves little", found)
	}
}

func BenchmarkFindIdentifier(b *testing.B) {
	// A typical note, about 200 characters, with nothing to refuse.
	note := "Met family in the quiet room on ward 4 at 14:30 with the ward manager. " +
		"Apologised for the delayed escalation on 2nd shift; explained next steps, " +
		"BP 120/80, sats 94% on 2L. Next call agreed for Fri 10am."
	if f, ok := FindIdentifier(note); ok {
		b.Fatalf("benchmark note has an identifier: %+v", f)
	}
	b.SetBytes(int64(len(note)))
	b.ReportAllocs()
	for b.Loop() {
		FindIdentifier(note)
	}
}

// Since dots and slashes join a number's groups, a date and a time side by
// side, or a line of observations, hold ten digits that would pass a check
// about one time in six. A number is written with one kind of separator,
// and a clock time is never part of one.
func TestReadingsDatesAndTimesAreNotNumbers(t *testing.T) {
	for _, text := range []string{
		"obs 35.3 136/50 61 16 99%", "T 36.8 BP 120/80 HR 88 RR 18", "25/8/2025 356 mls",
		"12 03 2025 10:30", "v19.93.41 1569", "W90082/95.482",
		"seen 12/03/2025 10:30", "seen 12/03/2025 10.30", "12/03/25 1030", "1/3/25 0930 call",
		"12.03.2025 10.30", "12-03-2025 23:59", "called 10:30, 12/03/2025", "12/03/2025 10:30:15",
	} {
		if f, ok := FindIdentifier(text); ok {
			t.Errorf("FindIdentifier(%q) = %+v; want nothing", text, f)
		}
	}
	// Random dates and times in the ways people write them: none refused.
	rng := rand.New(rand.NewPCG(12, 3))
	for _, format := range []string{
		"seen %02d/%02d/20%02d %02d:%02d", "seen %02d/%02d/20%02d %02d.%02d", "seen %02d/%02d/%02d %02d%02d",
		"seen %d.%d.%02d %02d.%02d", "seen %02d-%02d-20%02d %02d%02d", "seen %02d %02d 20%02d %02d:%02d",
	} {
		refused := 0
		for range 5000 {
			text := fmt.Sprintf(format, 1+rng.IntN(31), 1+rng.IntN(12), rng.IntN(100), rng.IntN(24), rng.IntN(60))
			if _, ok := FindIdentifier(text); ok {
				refused++
			}
		}
		if refused > 0 {
			t.Errorf("%q: %d of 5000 random dates and times refused", format, refused)
		}
	}
	rng = rand.New(rand.NewPCG(12, 4))
	refused := 0
	for range 5000 {
		text := fmt.Sprintf("obs %d.%d %d/%d %d %d %d%%", 35+rng.IntN(4), rng.IntN(10), 90+rng.IntN(80), 50+rng.IntN(50), 50+rng.IntN(80), 10+rng.IntN(20), 85+rng.IntN(15))
		if _, ok := FindIdentifier(text); ok {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of 5000 random lines of observations refused", refused)
	}
	// Still refused: a number followed by a time, and a number with a
	// colon nowhere near it.
	for _, text := range []string{"999 000 0018 10:30", "9990000018 at 10.30", "999/000/0018 1030", "ratio 1:2, 999 000 0018"} {
		if f, ok := FindIdentifier(text); !ok || f.Kind != NHSNumber {
			t.Errorf("FindIdentifier(%q) = %+v, %v; want the NHS number", text, f, ok)
		}
	}
}

// A note that is not plain ASCII, with a Teams mention: the normal form and
// the mention mask cost an allocation or two.
func BenchmarkFindIdentifierUnicode(b *testing.B) {
	note := "Met family in the quiet room on ward ４ at 14:30 with <@teams:0f8fad5b-d9cb-469f-a165-70867728950e>. " +
		"Apologised for the delayed escalation; explained next steps. Next call agreed for Fri 10am — café by the entrance."
	if f, ok := FindIdentifier(note); ok {
		b.Fatalf("benchmark note has an identifier: %+v", f)
	}
	b.SetBytes(int64(len(note)))
	b.ReportAllocs()
	for b.Loop() {
		FindIdentifier(note)
	}
}
