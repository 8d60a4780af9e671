package delivery

import (
	"testing"
	"time"
)

func TestParseRates(t *testing.T) {
	tests := []struct {
		in   string
		want []Rate
		ok   bool
	}{
		{"1/1s", []Rate{{1, time.Second}}, true},
		{"300/1m", []Rate{{300, time.Minute}}, true},
		{"7/1s, 60/30s,1800/1h", []Rate{{7, time.Second}, {60, 30 * time.Second}, {1800, time.Hour}}, true},
		{"", nil, false},
		{"7", nil, false},
		{"0/1s", nil, false},
		{"-1/1s", nil, false},
		{"7/0s", nil, false},
		{"7/soon", nil, false},
		{"7/48h", nil, false},
	}
	for _, tc := range tests {
		got, err := ParseRates(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseRates(%q) error = %v; want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && FormatRates(got) != FormatRates(tc.want) {
			t.Errorf("ParseRates(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
	if got := FormatRates(DefaultLimits().TeamsConversation); got != "7/1s,60/30s,1800/1h" {
		t.Errorf("FormatRates = %q", got)
	}
}

func FuzzParseRates(f *testing.F) {
	for _, s := range []string{"1/1s", "300/1m", "7/1s,60/30s,1800/1h", "", "/", "1/", "9999999/1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRates(s)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.N <= 0 || r.Per <= 0 || r.perMilli(1) <= 0 {
				t.Fatalf("ParseRates(%q) gave %v", s, r)
			}
		}
		again, err := ParseRates(FormatRates(rs))
		if err != nil || FormatRates(again) != FormatRates(rs) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}
