package bot

import "testing"

func TestInert(t *testing.T) {
	wj := WordJoiner
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"no markup here", "no markup here"},
		{"<@U0BOSS>", "<" + wj + "@U0BOSS>"},
		{"see <#C0GEN> and <!here>", "see <" + wj + "#C0GEN> and <" + wj + "!here>"},
		{"BP <90 then >100", "BP <90 then >100"},
		{"ends with <", "ends with <"},
		{"<<@x>", "<<" + wj + "@x>"},
	} {
		if got := Inert(tc.in); got != tc.want {
			t.Errorf("Inert(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
