package store

import (
	"testing"

	"hppbot/pathway"
)

// A case stored before harm had two axes holds one level in "h", and no
// "ph" or "pl": it reads unchanged, and "psychological" reads on the
// psychological axis as moderate and prolonged.
func TestOldHarmRecordsRead(t *testing.T) {
	tests := []struct {
		record    string
		physical  pathway.Harm
		psych     pathway.Harm
		prolonged pathway.Prolonged
	}{
		{`{"v":3,"id":9,"r":"INC-9","h":"psychological","cm":"auto","da":true,"aw":1767225600,"l":"console:sam","o":1767258000}`, "", pathway.HarmModerate, pathway.ProlongedYes},
		{`{"v":3,"id":9,"r":"INC-9","h":"death","cm":"auto","da":true,"aw":1767225600,"l":"console:sam","o":1767258000}`, pathway.HarmDeath, "", ""},
		{`{"v":3,"id":9,"r":"INC-9","h":"low","cm":"auto","aw":1767225600,"l":"console:sam","o":1767258000}`, pathway.HarmLow, "", ""},
		{`{"v":3,"id":9,"r":"INC-9","h":"low","ph":"severe","pl":"no","cm":"auto","aw":1767225600,"l":"console:sam","o":1767258000}`, pathway.HarmLow, pathway.HarmSevere, pathway.ProlongedNo},
	}
	for _, tt := range tests {
		c, err := decodeCase([]byte(tt.record))
		if err != nil {
			t.Fatalf("%s: %v", tt.record, err)
		}
		psych, prolonged := c.PsychHarm()
		if c.PhysicalHarm() != tt.physical || psych != tt.psych || prolonged != tt.prolonged {
			t.Errorf("%s: physical %q psych %q prolonged %q", tt.record, c.PhysicalHarm(), psych, prolonged)
		}
		data, err := encodeCase(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeCase(data)
		if err != nil || again.Harm != c.Harm || again.Psych != c.Psych || again.Prolonged != c.Prolonged {
			t.Errorf("%s: written back as %s", tt.record, data)
		}
	}
}
