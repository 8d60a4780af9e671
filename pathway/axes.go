package pathway

import "strings"

// Harm is recorded on the national patient safety record's two axes
// (LFPSE): physical harm (none, low, moderate, severe, fatal) in Case.Harm,
// and psychological harm (none, low, moderate, severe) in Case.Psych, with
// Case.Prolonged saying whether it has lasted, or is likely to last, 28 days
// or more. A case stored before the two axes may hold "psychological" in
// Harm: it reads as psych=moderate prolonged=yes and no physical harm
// recorded, which decides the Duty of Candour exactly as before.

// PhysicalHarm is the physical harm axis; "" when not recorded.
func (c *Case) PhysicalHarm() Harm {
	if c.Harm == HarmPsychological {
		return ""
	}
	return c.Harm
}

// PsychHarm is the psychological harm axis and whether it is prolonged.
func (c *Case) PsychHarm() (Harm, Prolonged) {
	if c.Psych == "" && c.Harm == HarmPsychological {
		return HarmModerate, ProlongedYes
	}
	return c.Psych, c.Prolonged
}

// HarmRecorded reports whether either axis has a level.
func (c *Case) HarmRecorded() bool {
	psych, _ := c.PsychHarm()
	return c.PhysicalHarm() != "" || psych != ""
}

// AppliesTo reports whether the duty applies at these harm levels, from
// either axis: physical harm at or above AppliesFrom; psychological harm
// that is prolonged where the nation asks for that (counted, as the English
// regulation does, with moderate harm), else at or above AppliesFrom.
func (cp CandourPolicy) AppliesTo(physical, psych Harm, prolonged Prolonged) bool {
	if physical != "" && physical.AtLeast(cp.AppliesFrom) {
		return true
	}
	if psych == "" || psych == HarmNone {
		return false
	}
	if cp.ProlongedPsych {
		return prolonged == ProlongedYes && HarmPsychological.AtLeast(cp.AppliesFrom)
	}
	return psych.AtLeast(cp.AppliesFrom)
}

// ProlongedMatters reports whether the answer to "has the psychological
// harm lasted, or is it likely to last, 28 days or more?" decides whether
// the duty applies, and nobody has said: then hppbot asks before it records.
func (cp CandourPolicy) ProlongedMatters(physical, psych Harm, prolonged Prolonged) bool {
	if prolonged != "" || psych == "" || psych == HarmNone {
		return false
	}
	return !cp.AppliesTo(physical, psych, ProlongedNo) && cp.AppliesTo(physical, psych, ProlongedYes)
}

// PsychLabel is the psychological axis in words: "moderate psychological
// harm, prolonged (28 days or more)".
func PsychLabel(psych Harm, prolonged Prolonged) string {
	if psych == "" {
		return "psychological harm not recorded"
	}
	s := strings.ToLower(psych.Level()) + " psychological harm"
	if psych == HarmNone {
		return "no psychological harm"
	}
	switch prolonged {
	case ProlongedYes:
		s += ", prolonged (28 days or more)"
	case ProlongedNo:
		s += ", not prolonged (under 28 days)"
	}
	return s
}

// PhysicalLabel is the physical axis in words: "moderate physical harm".
func PhysicalLabel(h Harm) string {
	switch h {
	case "":
		return "physical harm not recorded"
	case HarmNone:
		return "no physical harm"
	case HarmDeath:
		return "fatal harm (death)"
	}
	return string(h) + " physical harm"
}

// HarmSummary is the harm in a few words for a title, leaving out an axis
// with nothing recorded: "moderate harm" when only physical harm is
// recorded (as before the two axes), "moderate physical harm · moderate
// psychological harm, prolonged (28 days or more)" with both; "" when
// neither is recorded.
func (c *Case) HarmSummary() string {
	physical := c.PhysicalHarm()
	psych, prolonged := c.PsychHarm()
	switch {
	case psych == "":
		if physical == "" {
			return ""
		}
		return physical.Label()
	case physical == "":
		return PsychLabel(psych, prolonged)
	}
	return PhysicalLabel(physical) + " · " + PsychLabel(psych, prolonged)
}

// decideDuty works out whether the duty applies from what the person said
// (candour=) and the harm on both axes.
func (c *Case) decideDuty(p *Policy) bool {
	switch c.CandourMode {
	case CandourYes:
		return true
	case CandourNo:
		return false
	}
	psych, prolonged := c.PsychHarm()
	return p.Candour.AppliesTo(c.PhysicalHarm(), psych, prolonged)
}
