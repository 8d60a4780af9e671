package pathway

import "testing"

func TestNormalRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"INC-20", "INC-20"},
		{"inc-20", "INC-20"},
		{" Inc-20\t", "INC-20"},
		{"w123/ab.c_d:e", "W123/AB.C_D:E"},
		{"", ""},
		{"é-1", "é-1"}, // not a reference; left as it is, never mangled
	}
	for _, tt := range tests {
		if got := NormalRef(tt.in); got != tt.want {
			t.Errorf("NormalRef(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameRef(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"INC-1", "inc-1", true},
		{"INC-1", "INC-10", false},
		{"", "", false},
		{"INC-1", "", false},
	}
	for _, tt := range tests {
		if got := SameRef(tt.a, tt.b); got != tt.want {
			t.Errorf("SameRef(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLooksLikeRef(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"INC-20", true},
		{"W123456", true},
		{"foo", true},
		{"-x", false},
		{"INC 20", false},
		{"@sam", false},
		{"harm=severe", false},
		{string(make([]byte, MaxRefLen+1)), false},
	}
	for _, tt := range tests {
		if got := LooksLikeRef(tt.in); got != tt.want {
			t.Errorf("LooksLikeRef(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
