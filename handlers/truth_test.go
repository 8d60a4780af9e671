package handlers

import (
	"strings"
	"testing"
)

// Status gives the reason the duty is not applying that is true for the
// case: the person's own choice, or the harm level.
func TestStatusSaysWhyTheDutyIsNotApplying(t *testing.T) {
	tests := []struct {
		open, want, not string
	}{
		{"open INC-4 harm=psychological candour=no", "candour=no was chosen", "at this harm level"},
		{"open INC-5 harm=low", "Not applying at this harm level", "candour=no"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		f.as("lee", tt.open)
		s := text(f.as("lee", "status HPP-1"))
		if !strings.Contains(s, tt.want) || strings.Contains(s, tt.not) {
			t.Errorf("%s: status should say %q and not %q:\n%s", tt.open, tt.want, tt.not, s)
		}
	}
}
