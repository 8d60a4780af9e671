package pathway

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// Wednesday 25 November 2026 is an ordinary working day in England; Friday
// 25 December and Monday 28 December 2026 (Boxing Day's substitute) are bank
// holidays.

func TestCheckinAt(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct {
		name string
		from time.Time
		span Span
		want time.Time
	}{
		{"next working day, same time", at(t, "2026-11-25", "10:00"), Span{1, WorkingDay}, at(t, "2026-11-26", "10:00")},
		{"after hours: the start of the day the span reaches", at(t, "2026-11-25", "19:30"), Span{1, WorkingDay}, at(t, "2026-11-26", "08:00")},
		{"exactly at the end of the day counts as after hours", at(t, "2026-11-25", "18:00"), Span{1, WorkingDay}, at(t, "2026-11-26", "08:00")},
		{"Friday to Monday", at(t, "2026-11-27", "10:00"), Span{1, WorkingDay}, at(t, "2026-11-30", "10:00")},
		{"over Christmas and Boxing Day's substitute", at(t, "2026-12-24", "10:00"), Span{1, WorkingDay}, at(t, "2026-12-29", "10:00")},
		{"days land on a weekend as they fall (delivered on the next working morning)", at(t, "2026-11-25", "10:00"), Span{3, Day}, at(t, "2026-11-28", "10:00")},
		{"a weekend evening stays as it is", at(t, "2026-11-25", "20:00"), Span{3, Day}, at(t, "2026-11-28", "20:00")},
		{"a working evening days later moves to that morning", at(t, "2026-11-25", "20:00"), Span{14, Day}, at(t, "2026-12-09", "08:00")},
		{"never earlier than from", at(t, "2026-11-25", "20:00"), Span{}, at(t, "2026-11-25", "20:00")},
		{"hours in working time stay", at(t, "2026-11-25", "10:00"), Span{3, Hour}, at(t, "2026-11-25", "13:00")},
	}
	for _, tt := range tests {
		if got := p.CheckinAt(tt.from, tt.span); !got.Equal(tt.want) {
			t.Errorf("%s: CheckinAt(%v, %v) = %v, want %v", tt.name, tt.from, tt.span, got, tt.want)
		}
	}
}

func TestCheckinSchedule(t *testing.T) {
	tests := []struct {
		name  string
		spans []Span
		from  time.Time
		want  []time.Time
	}{
		{"the default: next working day, 3, 14 and 28 days", nil, at(t, "2026-11-25", "10:00"),
			[]time.Time{at(t, "2026-11-26", "10:00"), at(t, "2026-11-28", "10:00"), at(t, "2026-12-09", "10:00"), at(t, "2026-12-23", "10:00")}},
		{"in the order the policy gives", []Span{{2, Week}, {1, WorkingDay}}, at(t, "2026-11-25", "10:00"),
			[]time.Time{at(t, "2026-12-09", "10:00"), at(t, "2026-11-26", "10:00")}},
		{"none", []Span{}, at(t, "2026-11-25", "10:00"), []time.Time{}},
	}
	for _, tt := range tests {
		p := policyFor(t, England)
		if tt.spans != nil {
			p.Checkins = tt.spans
		}
		got := p.CheckinSchedule(tt.from)
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %v, want %v", tt.name, got, tt.want)
		}
		for i := range got {
			if !got[i].Equal(tt.want[i]) {
				t.Errorf("%s: check-in %d at %v, want %v", tt.name, i+1, got[i], tt.want[i])
			}
		}
	}
}

func TestCheckinAfterLowAnswer(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct{ now, want time.Time }{
		{at(t, "2026-11-25", "10:00"), at(t, "2026-11-26", "10:00")},
		{at(t, "2026-11-25", "21:00"), at(t, "2026-11-26", "08:00")},
		{at(t, "2026-11-28", "11:00"), at(t, "2026-11-30", "11:00")}, // a Saturday answer: Monday
	}
	for _, tt := range tests {
		if got := p.CheckinAfterLowAnswer(tt.now); !got.Equal(tt.want) {
			t.Errorf("CheckinAfterLowAnswer(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestCheckinReaskAt(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct{ now, want time.Time }{
		{at(t, "2026-11-25", "10:00"), at(t, "2026-11-25", "13:00")},
		{at(t, "2026-11-25", "14:59"), at(t, "2026-11-25", "17:59")},
		{at(t, "2026-11-25", "15:00"), at(t, "2026-11-26", "08:00")}, // 18:00 is the end of the working day
		{at(t, "2026-11-25", "16:30"), at(t, "2026-11-26", "08:00")},
		{at(t, "2026-11-27", "16:30"), at(t, "2026-11-30", "08:00")}, // Friday late: Monday morning
		{at(t, "2026-11-28", "10:00"), at(t, "2026-11-30", "08:00")}, // a Saturday: Monday morning
		{at(t, "2026-11-25", "06:00"), at(t, "2026-11-25", "09:00")},
		{at(t, "2026-11-25", "04:00"), at(t, "2026-11-25", "08:00")},
	}
	for _, tt := range tests {
		if got := p.CheckinReaskAt(tt.now); !got.Equal(tt.want) {
			t.Errorf("CheckinReaskAt(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestCheckinKeep(t *testing.T) {
	tests := []struct {
		name string
		ttl  Span
		now  time.Time
		want time.Duration
	}{
		{"the default 90 days", Span{90, Day}, at(t, "2026-11-25", "10:00"), 90 * 24 * time.Hour},
		{"calendar days: an hour short across the clocks going forward", Span{90, Day}, at(t, "2026-03-01", "10:00"), 90*24*time.Hour - time.Hour},
		{"weeks", Span{2, Week}, at(t, "2026-11-25", "10:00"), 14 * 24 * time.Hour},
		{"no time at all falls back to the default", Span{}, at(t, "2026-11-25", "10:00"), DefaultCheckinKeep},
	}
	for _, tt := range tests {
		p := policyFor(t, England)
		p.CheckinAnswerTTL = tt.ttl
		if got := p.CheckinKeep(tt.now); got != tt.want {
			t.Errorf("%s: CheckinKeep = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckinDay(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct {
		at   time.Time
		want string
	}{
		{at(t, "2026-11-25", "10:00"), "2026-11-25"},
		{time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), "2026-06-01"}, // 00:30 in London (summer time)
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2026-12-31"},
	}
	for _, tt := range tests {
		if got := p.CheckinDay(tt.at); got != tt.want {
			t.Errorf("CheckinDay(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestCheckinScale(t *testing.T) {
	scale := CheckinScale()
	if len(scale) != 4 {
		t.Fatalf("%d points, want 4 (with talk and Not now, six buttons in one row)", len(scale))
	}
	seen := map[string]bool{}
	for i, p := range scale {
		if p.Value != i+1 {
			t.Errorf("point %d has value %d: the scale goes 1 to 4, lowest first", i, p.Value)
		}
		if p.Low != (p.Value <= 2) {
			t.Errorf("%q: low %v; only the two lowest offer support at once", p.Label, p.Low)
		}
		if p.Label == "" || seen[p.Label] {
			t.Errorf("point %d: label %q empty or repeated", p.Value, p.Label)
		}
		seen[p.Label] = true
		got, ok := ScalePointFor(p.Value)
		if !ok || got != p {
			t.Errorf("ScalePointFor(%d) = %+v, %v", p.Value, got, ok)
		}
	}
	for _, v := range []int{0, 5, -1, 100} {
		if _, ok := ScalePointFor(v); ok {
			t.Errorf("ScalePointFor(%d) found a point", v)
		}
	}
	scale[0].Label = "changed"
	if CheckinScale()[0].Label == "changed" {
		t.Error("changing a returned scale changed the scale")
	}
}

func TestNewCheckinToken(t *testing.T) {
	tests := []struct {
		name    string
		random  []byte
		want    string
		wantErr bool
	}{
		{"ten bytes, hex", []byte{0, 1, 2, 0xab, 0xcd, 0xef, 0x10, 0x20, 0x30, 0xff}, "000102abcdef102030ff", false},
		{"only what it needs", bytes.Repeat([]byte{0x5a}, 30), "5a5a5a5a5a5a5a5a5a5a", false},
		{"too little randomness", []byte{1, 2, 3}, "", true},
		{"none", nil, "", true},
	}
	for _, tt := range tests {
		got, err := NewCheckinToken(bytes.NewReader(tt.random))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: NewCheckinToken = %q, %v; want %q (error %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
		if err != nil && ErrorCode(err) != Internal {
			t.Errorf("%s: error code %s, want internal", tt.name, ErrorCode(err))
		}
		if err == nil && !ValidCheckinToken(got) {
			t.Errorf("%s: %q is not a valid token", tt.name, got)
		}
	}
	if _, err := NewCheckinToken(iotest.ErrReader(iotest.ErrTimeout)); ErrorCode(err) != Internal {
		t.Errorf("a failing source: %v, want an internal error", err)
	}
	a, errA := NewCheckinToken(rand.Reader)
	b, errB := NewCheckinToken(rand.Reader)
	if errA != nil || errB != nil || a == b || !ValidCheckinToken(a) || !ValidCheckinToken(b) {
		t.Errorf("two tokens from crypto/rand: %q %v, %q %v", a, errA, b, errB)
	}
}

func TestValidCheckinToken(t *testing.T) {
	tests := []struct {
		token string
		want  bool
	}{
		{"0123456789abcdef0123", true},
		{"aaaaaaaaaaaaaaaaaaaa", true},
		{"", false},
		{"-", false}, // a button's "no check-in"
		{"0123456789abcdef012", false},
		{"0123456789abcdef01234", false},
		{"0123456789ABCDEF0123", false}, // tokens are lower case
		{"0123456789abcdefg123", false},
		{"0123456789abcdef 123", false},
		{"0123456789abcdef\x00123", false},
		{"0123456789abcdef01é", false}, // 20 bytes, not 20 hex digits
		{"HPP-1", false},
	}
	for _, tt := range tests {
		if got := ValidCheckinToken(tt.token); got != tt.want {
			t.Errorf("ValidCheckinToken(%q) = %v, want %v", tt.token, got, tt.want)
		}
	}
}

// FuzzValidCheckinToken checks that the validator accepts exactly what
// NewCheckinToken can make: ten bytes in lower-case hex.
func FuzzValidCheckinToken(f *testing.F) {
	for _, s := range []string{"0123456789abcdef0123", "", "-", "0123456789ABCDEF0123", "0123456789abcdef01é", strings.Repeat("f", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := hex.DecodeString(s)
		want := err == nil && len(b) == checkinTokenBytes && hex.EncodeToString(b) == s
		if got := ValidCheckinToken(s); got != want {
			t.Errorf("ValidCheckinToken(%q) = %v, want %v", s, got, want)
		}
		if want {
			made, err := NewCheckinToken(bytes.NewReader(b))
			if err != nil || made != s {
				t.Errorf("NewCheckinToken from its own bytes = %q, %v; want %q", made, err, s)
			}
		}
	})
}
