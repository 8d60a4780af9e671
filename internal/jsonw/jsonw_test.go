package jsonw

import (
	"encoding/json"
	"testing"
)

func TestStringMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"plain", "Contact logged on HPP-12"},
		{"html", "<@U123|sam> & <b>"},
		{"quotes and slashes", `say "sorry" \ then /listen`},
		{"controls", "a\x00b\x01c\bd\fe\nf\rg\th\x1f\x7f"},
		{"unicode", "Café — “kind words” 👋"},
		{"separators", "line\u2028para\u2029end"},
		{"invalid utf-8", "bad\xffbyte\xc3"},
		{"truncated rune at end", "x\xe2\x80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _ := json.Marshal(tt.in)
			if got := String(nil, tt.in); string(got) != string(want) {
				t.Errorf("String(%q) = %s, want %s", tt.in, got, want)
			}
		})
	}
}

// TestStringEveryByte checks every single byte, and a run of runes, against
// encoding/json.
func TestStringEveryByte(t *testing.T) {
	var cases []string
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	for r := rune(0); r < 0x3000; r += 7 {
		cases = append(cases, string(r))
	}
	cases = append(cases, "x\u2028\u2029y", "\U0001F600", "\xf0\x9f\x98", "\xc0\x80")
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestMembers(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"first member has no comma", Int(Key([]byte("{"), "a"), -42), `{"a":-42`},
		{"later members do", Bool(Key([]byte(`{"a":1`), "b"), true), `{"a":1,"b":true`},
		{"empty strings left out", OptString([]byte("{"), "s", ""), `{`},
		{"zero left out", OptInt([]byte("{"), "n", 0), `{`},
		{"false left out", OptBool([]byte("{"), "b", false), `{`},
		{"empty list left out", OptStrings([]byte("{"), "l", []string{}), `{`},
		{"set values written", OptStrings(OptInt(OptString([]byte("{"), "s", "<x>"), "n", 7), "l", []string{"a", ""}), `{"s":"\u003cx\u003e","n":7,"l":["a",""]`},
		{"nil list is null", Strings(nil, nil), `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "<&>", "\u2028", "\xff", "a\x00", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	})
}
