package pathway

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrZeroSpan is in the error for a length of time of zero ("0d").
var ErrZeroSpan = errors.New("no time at all")

// Unit is what a Span counts.
type Unit int

// The units people type: 90min, 36h, 3d, 2w, 2wd (working days) and 1mo.
// "m" alone could be minutes or months, so ParseTypedSpan refuses it;
// ParseSpan still reads it as minutes, as policy files and records made
// before "min" was written hold it.
const (
	Minute Unit = iota + 1
	Hour
	Day
	Week
	WorkingDay
	Month
)

// maxSpanN is the largest count a Span may hold: far from overflow in any
// arithmetic, and more than any policy could sensibly ask for.
const maxSpanN = 9999

// Span is a length of time as a person types it: a count and a unit.
// The zero Span means "not set".
type Span struct {
	N    int
	Unit Unit
}

// unitInfo describes a unit once, so parsing, printing and approximating
// cannot drift apart.
type unitInfo struct {
	suffix   string
	one      string // "1 working day"
	many     string // "2 working days"
	duration time.Duration
}

func (u Unit) info() (unitInfo, bool) {
	switch u {
	case Minute:
		return unitInfo{"min", "minute", "minutes", time.Minute}, true
	case Hour:
		return unitInfo{"h", "hour", "hours", time.Hour}, true
	case Day:
		return unitInfo{"d", "day", "days", 24 * time.Hour}, true
	case Week:
		return unitInfo{"w", "week", "weeks", 7 * 24 * time.Hour}, true
	case WorkingDay:
		return unitInfo{"wd", "working day", "working days", 24 * time.Hour}, true
	case Month:
		return unitInfo{"mo", "month", "months", 30 * 24 * time.Hour}, true
	}
	return unitInfo{}, false
}

func unitFromSuffix(s string) (Unit, bool) {
	switch s {
	case "m", "min", "mins":
		return Minute, true
	case "h":
		return Hour, true
	case "d":
		return Day, true
	case "w":
		return Week, true
	case "wd":
		return WorkingDay, true
	case "mo":
		return Month, true
	}
	return 0, false
}

func isUnitSuffix(s string) bool {
	_, ok := unitFromSuffix(s)
	return ok
}

const spanHint = "try 90min, 36h, 3d, 2w, 2wd (working days) or 1mo"

// ParseTypedSpan reads a length of time a person typed in a command, as
// ParseSpan does, except that "m" alone is refused: people have typed 6m
// meaning six months and got six minutes. The refusal names both ways to
// write it.
func ParseTypedSpan(s string) (Span, error) {
	if digits, ok := minutesOrMonths(s); ok {
		minutes, months := digits+" minutes", digits+" months"
		if strings.TrimLeft(digits, "0") == "1" {
			minutes, months = "1 minute", "1 month"
		}
		return Span{}, fmt.Errorf("%s could mean %s or %s — write %smin for minutes or %smo for months", quoteInput(s), minutes, months, digits, digits)
	}
	return ParseSpan(s)
}

// minutesOrMonths reports whether s is a count and "m" alone, and the count.
func minutesOrMonths(s string) (string, bool) {
	digits, ok := strings.CutSuffix(strings.ToLower(strings.TrimSpace(s)), "m")
	return digits, ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// ParseSpan reads one of the short forms: 90min (or 90m), 36h, 3d, 2w, 2wd, 1mo.
// Case and surrounding spaces are ignored; the count must be a whole number
// from 1 to 9999. Errors are sentences fit to show the person who typed it.
func ParseSpan(s string) (Span, error) {
	text := strings.ToLower(strings.TrimSpace(s))
	if text == "" {
		return Span{}, errors.New("I need a length of time here — " + spanHint)
	}

	i := 0
	for i < len(text) && text[i] >= '0' && text[i] <= '9' {
		i++
	}
	digits, suffix := text[:i], text[i:]

	switch {
	case strings.HasPrefix(text, "-"):
		return Span{}, fmt.Errorf("%s can't be negative — %s", quoteInput(s), spanHint)
	case digits == "" && isUnitSuffix(suffix):
		return Span{}, fmt.Errorf("%s needs a number first — %s", quoteInput(s), spanHint)
	case digits == "":
		return Span{}, fmt.Errorf("%s isn't a length of time I know — %s", quoteInput(s), spanHint)
	case strings.HasPrefix(suffix, ".") || strings.HasPrefix(suffix, ","):
		return Span{}, fmt.Errorf("%s needs a whole number — use a smaller unit, e.g. 36h rather than 1.5d", quoteInput(s))
	case suffix == "":
		return Span{}, fmt.Errorf("%s needs a unit — %s", quoteInput(s), spanHint)
	}

	unit, ok := unitFromSuffix(suffix)
	if !ok {
		return Span{}, fmt.Errorf("%s isn't a length of time I know — %s", quoteInput(s), spanHint)
	}

	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 4 { // more than maxSpanN; stop before any overflow
		return Span{}, fmt.Errorf("%s is more than I can count — the most is %d", quoteInput(s), maxSpanN)
	}
	n := 0
	for _, c := range []byte(digits) {
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		many := "of time"
		if u, ok := unit.info(); ok {
			many = u.many
		}
		return Span{}, fmt.Errorf("%s is zero %s — %w: give 1%s or more", quoteInput(s), many, ErrZeroSpan, suffix)
	}
	if n > maxSpanN {
		return Span{}, fmt.Errorf("%s is more than I can count — the most is %d", quoteInput(s), maxSpanN)
	}
	return Span{N: n, Unit: unit}, nil
}

// quoteInput quotes what the person typed for an error message, shortened so
// a pasted paragraph does not flood the reply.
func quoteInput(s string) string {
	s = strings.TrimSpace(s)
	const limit = 24
	if len(s) > limit {
		cut := limit
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut] + "…")
	}
	return strconv.Quote(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func (s Span) valid() bool {
	_, ok := s.Unit.info()
	return ok && s.N >= 1 && s.N <= maxSpanN
}

// String gives the canonical short form, such as "2wd" or "3d"; "" for the
// zero Span.
func (s Span) String() string {
	if s.IsZero() {
		return ""
	}
	u, ok := s.Unit.info()
	if !ok {
		return strconv.Itoa(s.N) + "?"
	}
	return strconv.Itoa(s.N) + u.suffix
}

// Human gives the span in words for a message, such as "2 working days" or
// "1 week"; "" for the zero Span.
func (s Span) Human() string {
	if s.IsZero() {
		return ""
	}
	u, ok := s.Unit.info()
	if !ok {
		return strconv.Itoa(s.N) + " (unknown unit)"
	}
	if s.N == 1 {
		return "1 " + u.one
	}
	return strconv.Itoa(s.N) + " " + u.many
}

// Period is the span after "every": "week" for 1w, "2 weeks" for 2w, so
// a plan reads "every week", not "every 1 week".
func (s Span) Period() string {
	if u, ok := s.Unit.info(); ok && s.N == 1 {
		return u.one
	}
	return s.Human()
}

// IsZero reports whether s is the zero Span ("not set").
func (s Span) IsZero() bool { return s == Span{} }

// UnmarshalText parses the short form, so policy files can hold "10wd".
// Blank text leaves the zero Span ("not set"), matching MarshalText.
func (s *Span) UnmarshalText(b []byte) error {
	if strings.TrimSpace(string(b)) == "" {
		*s = Span{}
		return nil
	}
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText writes the short form; the zero Span is written as "".
func (s Span) MarshalText() ([]byte, error) {
	if s.IsZero() {
		return []byte{}, nil
	}
	if !s.valid() {
		return nil, fmt.Errorf("pathway: span %d of unit %d is out of range", s.N, int(s.Unit))
	}
	return []byte(s.String()), nil
}

// Approx is a rough length for comparisons and bounds: a working day counts
// as 24 hours, a week as 7 days and a month as 30 days. Calendar.Add gives the real instant.
// Out-of-range counts saturate rather than overflow.
func (s Span) Approx() time.Duration {
	u, ok := s.Unit.info()
	if !ok {
		return 0
	}
	if s.N > 0 && int64(s.N) > math.MaxInt64/int64(u.duration) {
		return math.MaxInt64
	}
	if s.N < 0 && int64(s.N) < math.MinInt64/int64(u.duration) {
		return math.MinInt64
	}
	return time.Duration(s.N) * u.duration
}
