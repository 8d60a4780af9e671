package pathway

import (
	"fmt"
	"strings"
)

// Harm is the level of harm recorded for a case.
type Harm string

const (
	HarmNone     Harm = "none"
	HarmLow      Harm = "low"
	HarmModerate Harm = "moderate"
	HarmSevere   Harm = "severe"
	HarmDeath    Harm = "death" // the national record calls it fatal; "fatal" is read as this
	// HarmPsychological is "prolonged psychological harm" as one level, from
	// before harm had two axes. harm=psychological still reads; a new case
	// records it on the psychological axis as psych=moderate prolonged=yes,
	// and a case stored with it reads the same way (Case.PsychHarm).
	HarmPsychological Harm = "psychological"
)

// PsychLevels are the psychological harm levels of the national patient
// safety record (LFPSE), in the order people choose from.
var PsychLevels = []Harm{HarmNone, HarmLow, HarmModerate, HarmSevere}

// HarmLevels lists the levels in the order people choose from.
var HarmLevels = []Harm{HarmNone, HarmLow, HarmModerate, HarmSevere, HarmDeath, HarmPsychological}

// rank orders harm for "applies from" comparisons. Prolonged psychological
// harm sits with moderate harm, as the English regulation treats it.
func (h Harm) rank() int {
	switch h {
	case HarmNone:
		return 0
	case HarmLow:
		return 1
	case HarmModerate, HarmPsychological:
		return 2
	case HarmSevere:
		return 3
	case HarmDeath:
		return 4
	}
	return -1
}

// ParseHarm reads a harm level as typed.
// "fatal", the national record's word, is read as death.
func ParseHarm(s string) (Harm, error) {
	h := Harm(strings.ToLower(strings.TrimSpace(s)))
	if h == "fatal" {
		return HarmDeath, nil
	}
	if h.rank() < 0 {
		return "", Errorf(Invalid, "%q isn't a harm level I know. Use one of: none, low, moderate, severe, death, psychological — for example harm=moderate. For psychological harm on its own scale, use psych=none|low|moderate|severe.", s)
	}
	return h, nil
}

// ParsePsych reads a psychological harm level as typed (psych=).
func ParsePsych(s string) (Harm, error) {
	h := Harm(strings.ToLower(strings.TrimSpace(s)))
	switch h {
	case HarmNone, HarmLow, HarmModerate, HarmSevere:
		return h, nil
	}
	return "", Errorf(Invalid, "%q isn't a psychological harm level. Use one of: none, low, moderate, severe — for example psych=moderate prolonged=yes.", s)
}

// Prolonged says whether psychological harm has lasted, or is likely to
// last, 28 days or more: "yes", "no", or "" when nobody has said.
type Prolonged string

const (
	ProlongedYes Prolonged = "yes"
	ProlongedNo  Prolonged = "no"
)

// ParseProlonged reads prolonged=yes|no.
func ParseProlonged(s string) (Prolonged, error) {
	switch v := Prolonged(strings.ToLower(strings.TrimSpace(s))); v {
	case ProlongedYes, ProlongedNo:
		return v, nil
	}
	return "", Errorf(Invalid, "prolonged= takes yes or no (you typed %q): yes if the psychological harm has lasted, or is likely to last, 28 days or more.", s)
}

// Level is how a level reads on the national record's scales: "No harm",
// "Low", "Moderate", "Severe", "Fatal"; "Not recorded" when empty.
func (h Harm) Level() string {
	switch h {
	case HarmNone:
		return "No harm"
	case HarmDeath:
		return "Fatal"
	case "":
		return "Not recorded"
	}
	return strings.ToUpper(string(h[:1])) + string(h[1:])
}

// Label is how a harm level reads in a sentence.
func (h Harm) Label() string {
	switch h {
	case HarmNone:
		return "no harm"
	case HarmPsychological:
		return "prolonged psychological harm"
	case HarmDeath:
		return "death"
	case "":
		return "harm level not recorded"
	}
	return string(h) + " harm"
}

// AtLeast reports whether h is at or above the level from; no harm is never
// at least anything but none.
func (h Harm) AtLeast(from Harm) bool {
	if h == "" || h.rank() < 0 {
		return false
	}
	if h == HarmNone {
		return from == HarmNone
	}
	return h.rank() >= from.rank()
}

// CandourMode is what the person opening a case said about the Duty of Candour.
type CandourMode string

const (
	CandourAuto CandourMode = "auto" // decide from the harm level and the nation's rules
	CandourYes  CandourMode = "yes"
	CandourNo   CandourMode = "no"
)

// ParseCandourMode reads candour=auto|yes|no.
func ParseCandourMode(s string) (CandourMode, error) {
	switch m := CandourMode(strings.ToLower(strings.TrimSpace(s))); m {
	case CandourAuto, CandourYes, CandourNo:
		return m, nil
	}
	return "", Errorf(Invalid, "candour= takes auto, yes or no (you typed %q). Leave it out and I'll decide from the harm level.", s)
}

// Nation selects the Duty of Candour rules and the bank holidays.
type Nation string

const (
	England         Nation = "england"
	Wales           Nation = "wales"
	Scotland        Nation = "scotland"
	NorthernIreland Nation = "northern-ireland"
)

// ParseNation reads a nation name.
func ParseNation(s string) (Nation, error) {
	switch n := Nation(strings.ToLower(strings.TrimSpace(s))); n {
	case England, Wales, Scotland, NorthernIreland:
		return n, nil
	}
	return "", fmt.Errorf("%q is not a nation I know: use england, wales, scotland or northern-ireland", s)
}

// Title is the nation's name as written.
func (n Nation) Title() string {
	switch n {
	case Wales:
		return "Wales"
	case Scotland:
		return "Scotland"
	case NorthernIreland:
		return "Northern Ireland"
	}
	return "England"
}
