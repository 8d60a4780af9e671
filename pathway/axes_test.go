package pathway

import "testing"

func TestParsePsychAndProlonged(t *testing.T) {
	for in, want := range map[string]Harm{"none": HarmNone, "low": HarmLow, " Moderate ": HarmModerate, "SEVERE": HarmSevere} {
		if got, err := ParsePsych(in); err != nil || got != want {
			t.Errorf("ParsePsych(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "death", "fatal", "psychological", "mild"} {
		_, err := ParsePsych(bad)
		wantCode(t, err, Invalid, "none, low, moderate, severe", "psych=moderate prolonged=yes")
	}
	for in, want := range map[string]Prolonged{"yes": ProlongedYes, "NO": ProlongedNo} {
		if got, err := ParseProlonged(in); err != nil || got != want {
			t.Errorf("ParseProlonged(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "y", "28d", "true"} {
		_, err := ParseProlonged(bad)
		wantCode(t, err, Invalid, "yes or no", "28 days or more")
	}
	// fatal is the national record's word for death.
	if h, err := ParseHarm("fatal"); err != nil || h != HarmDeath {
		t.Errorf("ParseHarm(fatal) = %q, %v", h, err)
	}
}

// The duty from either axis, per nation (DOMAIN.md): England, Scotland and
// Northern Ireland from moderate physical harm or prolonged psychological
// harm; Wales from low harm on either axis.
func TestCandourAppliesToEitherAxis(t *testing.T) {
	tests := []struct {
		name      string
		physical  Harm
		psych     Harm
		prolonged Prolonged
		want      map[Nation]bool
		asks      map[Nation]bool // whether hppbot asks about prolonged first
	}{
		{"nothing recorded", "", "", "", map[Nation]bool{}, nil},
		{"low physical", HarmLow, "", "", map[Nation]bool{Wales: true}, nil},
		{"moderate physical", HarmModerate, "", "", map[Nation]bool{England: true, Scotland: true, NorthernIreland: true, Wales: true}, nil},
		{"fatal", HarmDeath, HarmNone, "", map[Nation]bool{England: true, Scotland: true, NorthernIreland: true, Wales: true}, nil},
		{"moderate psych, prolonged", "", HarmModerate, ProlongedYes, map[Nation]bool{England: true, Scotland: true, NorthernIreland: true, Wales: true}, nil},
		{"low psych, prolonged", HarmNone, HarmLow, ProlongedYes, map[Nation]bool{England: true, Scotland: true, NorthernIreland: true, Wales: true}, nil},
		{"severe psych, not prolonged", "", HarmSevere, ProlongedNo, map[Nation]bool{Wales: true}, nil},
		{"moderate psych, not said", HarmLow, HarmModerate, "", map[Nation]bool{Wales: true}, map[Nation]bool{England: true, Scotland: true, NorthernIreland: true}},
		{"moderate psych not said, severe physical", HarmSevere, HarmModerate, "", map[Nation]bool{England: true, Scotland: true, NorthernIreland: true, Wales: true}, nil},
		{"no psych", HarmLow, HarmNone, "", map[Nation]bool{Wales: true}, nil},
	}
	for _, tt := range tests {
		for _, n := range []Nation{England, Wales, Scotland, NorthernIreland} {
			cp := policyFor(t, n).Candour
			if got := cp.AppliesTo(tt.physical, tt.psych, tt.prolonged); got != tt.want[n] {
				t.Errorf("%s in %s: applies %v, want %v", tt.name, n, got, tt.want[n])
			}
			if got := cp.ProlongedMatters(tt.physical, tt.psych, tt.prolonged); got != tt.asks[n] {
				t.Errorf("%s in %s: asks about prolonged %v, want %v", tt.name, n, got, tt.asks[n])
			}
		}
	}
}

// A case stored before the two axes, with harm "psychological", reads as
// moderate, prolonged psychological harm and decides the duty as before,
// whatever the level it applies from.
func TestOlderPsychologicalHarmReadsOnTheNewAxis(t *testing.T) {
	old := &Case{Harm: HarmPsychological, CandourMode: CandourAuto}
	if old.PhysicalHarm() != "" {
		t.Errorf("physical %q, want none recorded", old.PhysicalHarm())
	}
	if psych, prolonged := old.PsychHarm(); psych != HarmModerate || prolonged != ProlongedYes {
		t.Errorf("psych %q prolonged %q", psych, prolonged)
	}
	for _, n := range []Nation{England, Wales, Scotland, NorthernIreland} {
		for _, from := range []Harm{HarmLow, HarmModerate, HarmSevere, HarmDeath, HarmPsychological} {
			p := policyFor(t, n)
			p.Candour.AppliesFrom = from
			if got, before := old.decideDuty(p), HarmPsychological.AtLeast(from); got != before {
				t.Errorf("%s from %s: applies %v, before the two axes %v", n, from, got, before)
			}
		}
	}
	if got := old.HarmSummary(); got != "moderate psychological harm, prolonged (28 days or more)" {
		t.Errorf("HarmSummary = %q", got)
	}
}

func TestHarmSummaryAndLevels(t *testing.T) {
	tests := []struct {
		c    Case
		want string
	}{
		{Case{}, ""},
		{Case{Harm: HarmModerate}, "moderate harm"},
		{Case{Harm: HarmDeath}, "death"},
		{Case{Harm: HarmDeath, Psych: HarmNone}, "fatal harm (death) · no psychological harm"},
		{Case{Harm: HarmLow, Psych: HarmModerate, Prolonged: ProlongedNo}, "low physical harm · moderate psychological harm, not prolonged (under 28 days)"},
		{Case{Psych: HarmNone}, "no psychological harm"},
		{Case{Psych: HarmSevere}, "severe psychological harm"},
	}
	for _, tt := range tests {
		if got := tt.c.HarmSummary(); got != tt.want {
			t.Errorf("HarmSummary(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
	for h, want := range map[Harm]string{"": "Not recorded", HarmNone: "No harm", HarmLow: "Low", HarmDeath: "Fatal", HarmSevere: "Severe"} {
		if got := h.Level(); got != want {
			t.Errorf("Harm(%q).Level() = %q, want %q", h, got, want)
		}
	}
}

func TestOpenWithTwoAxes(t *testing.T) {
	now := at(t, "2026-12-07", "10:00")
	tests := []struct {
		name      string
		nation    Nation
		in        OpenInput
		psych     Harm
		prolonged Prolonged
		duty      bool
		refused   string
	}{
		{"prolonged psych in England", England, OpenInput{Psych: HarmModerate, Prolonged: ProlongedYes}, HarmModerate, ProlongedYes, true, ""},
		{"short psych in England", England, OpenInput{Psych: HarmModerate, Prolonged: ProlongedNo}, HarmModerate, ProlongedNo, false, ""},
		{"low psych in Wales", Wales, OpenInput{Psych: HarmLow}, HarmLow, "", true, ""},
		{"harm=psychological", England, OpenInput{Harm: HarmPsychological}, HarmModerate, ProlongedYes, true, ""},
		{"harm=psychological and psych=", England, OpenInput{Harm: HarmPsychological, Psych: HarmLow}, "", "", false, "psych= on its own"},
		{"harm=psychological prolonged=no", England, OpenInput{Harm: HarmPsychological, Prolonged: ProlongedNo}, "", "", false, "psych=moderate prolonged=no"},
		{"prolonged alone", England, OpenInput{Harm: HarmLow, Prolonged: ProlongedYes}, "", "", false, "psych=moderate prolonged=yes"},
		{"no psych yet prolonged", England, OpenInput{Psych: HarmNone, Prolonged: ProlongedYes}, "", "", false, "don't go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policyFor(t, tt.nation)
			tt.in.Ref = "INC-21"
			c, _, err := Open(tt.in, "console:sam", p, now)
			if tt.refused != "" {
				wantCode(t, err, Invalid, tt.refused)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Psych != tt.psych || c.Prolonged != tt.prolonged || c.DutyApplies != tt.duty {
				t.Errorf("psych %q prolonged %q duty %v; want %q %q %v", c.Psych, c.Prolonged, c.DutyApplies, tt.psych, tt.prolonged, tt.duty)
			}
			if tt.duty != !c.NotifyDue.IsZero() {
				t.Errorf("duty %v but notification due %v", tt.duty, c.NotifyDue)
			}
			if c.Harm == HarmPsychological {
				t.Errorf("a new case keeps harm=psychological on the physical axis")
			}
		})
	}
}
