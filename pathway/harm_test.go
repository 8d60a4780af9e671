package pathway

import (
	"fmt"
	"testing"
)

func TestParseHarm(t *testing.T) {
	tests := []struct {
		in   string
		want Harm
	}{
		{"none", HarmNone},
		{"low", HarmLow},
		{"moderate", HarmModerate},
		{"severe", HarmSevere},
		{"death", HarmDeath},
		{"psychological", HarmPsychological},
		{"Moderate", HarmModerate},
		{" SEVERE ", HarmSevere},
	}
	for _, tt := range tests {
		got, err := ParseHarm(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseHarm(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "mild", "moderate harm", "catastrophic", "no harm"} {
		got, err := ParseHarm(bad)
		if err == nil {
			t.Errorf("ParseHarm(%q) = %q, want an error", bad, got)
			continue
		}
		wantCode(t, err, Invalid, "none, low, moderate, severe, death, psychological", "harm=moderate")
	}
	// Every level offered to people parses back to itself.
	for _, h := range HarmLevels {
		if got, err := ParseHarm(string(h)); err != nil || got != h {
			t.Errorf("ParseHarm(%q) = %q, %v", h, got, err)
		}
	}
}

func TestHarmLabel(t *testing.T) {
	tests := map[Harm]string{
		HarmNone:          "no harm",
		HarmLow:           "low harm",
		HarmModerate:      "moderate harm",
		HarmSevere:        "severe harm",
		HarmDeath:         "death",
		HarmPsychological: "prolonged psychological harm",
		"":                "harm level not recorded",
	}
	for h, want := range tests {
		if got := h.Label(); got != want {
			t.Errorf("Harm(%q).Label() = %q, want %q", h, got, want)
		}
	}
}

func TestHarmAtLeast(t *testing.T) {
	// rows: the harm; columns: applies from none, low, moderate, severe, death, psychological.
	froms := []Harm{HarmNone, HarmLow, HarmModerate, HarmSevere, HarmDeath, HarmPsychological}
	tests := []struct {
		harm Harm
		want [6]bool
	}{
		{HarmNone, [6]bool{true, false, false, false, false, false}},
		{HarmLow, [6]bool{true, true, false, false, false, false}},
		{HarmModerate, [6]bool{true, true, true, false, false, true}},
		{HarmPsychological, [6]bool{true, true, true, false, false, true}}, // sits with moderate
		{HarmSevere, [6]bool{true, true, true, true, false, true}},
		{HarmDeath, [6]bool{true, true, true, true, true, true}},
		{"", [6]bool{}},
		{"unknown", [6]bool{}},
	}
	for _, tt := range tests {
		for i, from := range froms {
			if got := tt.harm.AtLeast(from); got != tt.want[i] {
				t.Errorf("Harm(%q).AtLeast(%q) = %v, want %v", tt.harm, from, got, tt.want[i])
			}
		}
	}
}

func TestParseCandourMode(t *testing.T) {
	for in, want := range map[string]CandourMode{"auto": CandourAuto, "yes": CandourYes, "no": CandourNo, " YES ": CandourYes} {
		if got, err := ParseCandourMode(in); err != nil || got != want {
			t.Errorf("ParseCandourMode(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "maybe", "true", "y"} {
		_, err := ParseCandourMode(bad)
		wantCode(t, err, Invalid, "auto, yes or no", fmt.Sprintf("%q", bad))
	}
}

func TestParseNation(t *testing.T) {
	tests := []struct {
		in    string
		want  Nation
		title string
	}{
		{"england", England, "England"},
		{"Wales", Wales, "Wales"},
		{" scotland ", Scotland, "Scotland"},
		{"northern-ireland", NorthernIreland, "Northern Ireland"},
	}
	for _, tt := range tests {
		got, err := ParseNation(tt.in)
		if err != nil || got != tt.want || got.Title() != tt.title {
			t.Errorf("ParseNation(%q) = %q (%s), %v", tt.in, got, got.Title(), err)
		}
	}
	for _, bad := range []string{"", "uk", "northern ireland", "ni", "great-britain"} {
		if got, err := ParseNation(bad); err == nil {
			t.Errorf("ParseNation(%q) = %q, want an error", bad, got)
		}
	}
}
