package pathway

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		want Span
	}{
		{"90m", Span{90, Minute}},
		{"36h", Span{36, Hour}},
		{"3d", Span{3, Day}},
		{"2w", Span{2, Week}},
		{"2wd", Span{2, WorkingDay}},
		{"10WD", Span{10, WorkingDay}},
		{"10Wd", Span{10, WorkingDay}},
		{"  5D \t", Span{5, Day}},
		{"1m", Span{1, Minute}},
		{"90min", Span{90, Minute}},
		{"5mins", Span{5, Minute}},
		{"1mo", Span{1, Month}},
		{"3MO", Span{3, Month}},
		{"007d", Span{7, Day}},
		{"9999h", Span{9999, Hour}},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if err != nil {
			t.Errorf("ParseSpan(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseSpan(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseSpanErrors(t *testing.T) {
	tests := []struct {
		in          string
		wantMessage string // a part of the message the person sees
	}{
		{"", "I need a length of time"},
		{"   ", "I need a length of time"},
		{"3x", `"3x" isn't a length of time I know — try 90min, 36h, 3d, 2w, 2wd (working days) or 1mo`},
		{"3 days", "isn't a length of time I know"},
		{"3 d", "isn't a length of time I know"},
		{"3dd", "isn't a length of time I know"},
		{"3", "needs a unit"},
		{"d", "needs a number first"},
		{"wd", "needs a number first"},
		{"+3d", "isn't a length of time I know"},
		{"½d", "isn't a length of time I know"},
		{"0d", "is zero days — no time at all: give 1d or more"},
		{"000wd", "no time at all"},
		{"-3d", "can't be negative"},
		{"1.5d", "whole number"},
		{"1,5d", "whole number"},
		{"10000d", "the most is 9999"},
		{"99999999999999999999999999d", "the most is 9999"},
		{"\xff\xfe", "isn't a length of time I know"},
		{strings.Repeat("9", 40) + "x", "isn't a length of time I know"},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if err == nil {
			t.Errorf("ParseSpan(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMessage) {
			t.Errorf("ParseSpan(%q) error %q, want it to contain %q", tt.in, err, tt.wantMessage)
		}
		if len(err.Error()) > 120 {
			t.Errorf("ParseSpan(%q) error is too long for a chat reply: %q", tt.in, err)
		}
	}
}

func TestSpanStringAndHuman(t *testing.T) {
	tests := []struct {
		span         Span
		short, human string
	}{
		{Span{1, WorkingDay}, "1wd", "1 working day"},
		{Span{2, WorkingDay}, "2wd", "2 working days"},
		{Span{3, Day}, "3d", "3 days"},
		{Span{1, Day}, "1d", "1 day"},
		{Span{1, Week}, "1w", "1 week"},
		{Span{2, Week}, "2w", "2 weeks"},
		{Span{90, Minute}, "90min", "90 minutes"},
		{Span{1, Minute}, "1min", "1 minute"},
		{Span{1, Month}, "1mo", "1 month"},
		{Span{6, Month}, "6mo", "6 months"},
		{Span{36, Hour}, "36h", "36 hours"},
		{Span{1, Hour}, "1h", "1 hour"},
		{Span{}, "", ""},
		{Span{3, Unit(42)}, "3?", "3 (unknown unit)"},
	}
	for _, tt := range tests {
		if got := tt.span.String(); got != tt.short {
			t.Errorf("%+v.String() = %q, want %q", tt.span, got, tt.short)
		}
		if got := tt.span.Human(); got != tt.human {
			t.Errorf("%+v.Human() = %q, want %q", tt.span, got, tt.human)
		}
	}
}

func TestSpanRoundTrip(t *testing.T) {
	for _, in := range []string{"90min", "36h", "3d", "2w", "2wd", "9999wd", "1min", "3mo"} {
		s, err := ParseSpan(in)
		if err != nil {
			t.Fatalf("ParseSpan(%q): %v", in, err)
		}
		if s.String() != in {
			t.Errorf("ParseSpan(%q).String() = %q", in, s.String())
		}
		b, err := s.MarshalText()
		if err != nil || string(b) != in {
			t.Errorf("MarshalText(%q) = %q, %v", in, b, err)
		}
		var back Span
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("UnmarshalText(%q) = %+v, %v; want %+v", b, back, err, s)
		}
	}
}

func TestSpanText(t *testing.T) {
	type policy struct {
		Notify Span  `json:"notify"`
		Warn   Span  `json:"warn,omitempty"`
		Extra  *Span `json:"extra,omitempty"`
	}
	tests := []struct {
		in      string
		want    policy
		wantErr string
	}{
		{in: `{"notify":"10wd"}`, want: policy{Notify: Span{10, WorkingDay}}},
		{in: `{"notify":" 2WD ","warn":"36h"}`, want: policy{Notify: Span{2, WorkingDay}, Warn: Span{36, Hour}}},
		{in: `{"notify":""}`, want: policy{}},
		{in: `{"notify":"ten days"}`, wantErr: "isn't a length of time I know"},
		{in: `{"notify":"0d"}`, wantErr: "no time at all"},
	}
	for _, tt := range tests {
		var got policy
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Unmarshal(%s) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if got.Notify != tt.want.Notify || got.Warn != tt.want.Warn {
			t.Errorf("Unmarshal(%s) = %+v, want %+v", tt.in, got, tt.want)
		}
	}

	out, err := json.Marshal(policy{Notify: Span{10, WorkingDay}})
	if err != nil || string(out) != `{"notify":"10wd","warn":""}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	for _, bad := range []Span{{0, Day}, {10000, Day}, {-1, Hour}, {3, Unit(9)}} {
		if b, err := bad.MarshalText(); err == nil {
			t.Errorf("%+v.MarshalText() = %q, want an error", bad, b)
		}
	}
}

func TestSpanIsZero(t *testing.T) {
	tests := []struct {
		span Span
		want bool
	}{
		{Span{}, true},
		{Span{1, Day}, false},
		{Span{0, Day}, false},
		{Span{3, 0}, false},
	}
	for _, tt := range tests {
		if got := tt.span.IsZero(); got != tt.want {
			t.Errorf("%+v.IsZero() = %v, want %v", tt.span, got, tt.want)
		}
	}
}

func TestSpanApprox(t *testing.T) {
	tests := []struct {
		span Span
		want time.Duration
	}{
		{Span{90, Minute}, 90 * time.Minute},
		{Span{36, Hour}, 36 * time.Hour},
		{Span{3, Day}, 72 * time.Hour},
		{Span{2, Week}, 14 * 24 * time.Hour},
		{Span{10, WorkingDay}, 240 * time.Hour},
		{Span{}, 0},
		{Span{5, Unit(0)}, 0},
		{Span{math.MaxInt, Week}, math.MaxInt64},
		{Span{math.MinInt, Week}, math.MinInt64},
	}
	for _, tt := range tests {
		if got := tt.span.Approx(); got != tt.want {
			t.Errorf("%+v.Approx() = %v, want %v", tt.span, got, tt.want)
		}
	}
}

// TestParseTypedSpan: in a command, "m" alone could be minutes or months,
// so it is refused with both ways to write it; everything else reads as
// ParseSpan reads it.
func TestParseTypedSpan(t *testing.T) {
	tests := []struct {
		in      string
		want    Span
		wantErr string
	}{
		{in: "6m", wantErr: `"6m" could mean 6 minutes or 6 months — write 6min for minutes or 6mo for months`},
		{in: "1M", wantErr: `"1M" could mean 1 minute or 1 month — write 1min for minutes or 1mo for months`},
		{in: " 90m ", wantErr: "90 minutes or 90 months"},
		{in: "m", wantErr: "needs a number first"},
		{in: "6min", want: Span{6, Minute}},
		{in: "6mo", want: Span{6, Month}},
		{in: "2w", want: Span{2, Week}},
		{in: "3x", wantErr: "isn't a length of time I know"},
	}
	for _, tt := range tests {
		got, err := ParseTypedSpan(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTypedSpan(%q) = %+v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTypedSpan(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"90m", "90min", "6mo", "2wd", "0d", "-1h", "1.5d", "99999w", "", "3x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSpan(in)
		typed, typedErr := ParseTypedSpan(in)
		if typedErr == nil && (err != nil || typed != s) {
			t.Fatalf("ParseTypedSpan(%q) = %+v but ParseSpan gives %+v, %v", in, typed, s, err)
		}
		if typedErr == nil && typed.Unit == Minute && !strings.Contains(strings.ToLower(in), "min") {
			t.Fatalf("ParseTypedSpan(%q) read minutes without min", in)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseSpan(%q): empty error message", in)
			}
			return
		}
		if !s.valid() {
			t.Fatalf("ParseSpan(%q) = %+v, which is out of range", in, s)
		}
		again, err := ParseSpan(s.String())
		if err != nil || again != s {
			t.Fatalf("ParseSpan(%q) = %+v, but its String %q parses to %+v, %v", in, s, s.String(), again, err)
		}
	})
}

// TestPeriodReadsAfterEvery: "every week", not "every 1 week".
func TestPeriodReadsAfterEvery(t *testing.T) {
	for s, want := range map[Span]string{{1, Week}: "week", {2, Week}: "2 weeks", {1, WorkingDay}: "working day", {1, Month}: "month"} {
		if got := s.Period(); got != want {
			t.Errorf("%v.Period() = %q, want %q", s, got, want)
		}
	}
}

// TestZeroLengthSaysSo: next=0h is a length of time, just zero of it.
func TestZeroLengthSaysSo(t *testing.T) {
	_, err := ParseWhen("0h", time.UTC)
	if err == nil || !strings.Contains(err.Error(), "zero hours") || strings.Contains(err.Error(), "isn't a date") {
		t.Errorf("ParseWhen(0h): %v", err)
	}
}
