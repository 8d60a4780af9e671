package pathway

import (
	"strings"
	"testing"
)

// Made-up names only.
func TestFindName(t *testing.T) {
	tests := []struct {
		text  string
		match string // "" when nothing is refused
	}{
		// A title before a capitalised word.
		{"Mrs Jane Smith aged 76 fell", "Mrs Jane"},
		{"Spoke with Mr Khan by phone", "Mr Khan"},
		{"Spoke with Mr. Khan by phone", "Mr. Khan"},
		{"Ms O'Brien called back", "Ms O'Brien"},
		{"Miss Smith-Jones", "Miss Smith-Jones"},
		{"Mx Taylor", "Mx Taylor"},
		{"Master Lee, aged 6", "Master Lee"},
		{"Mr J Smith", "Mr J Smith"},
		{"Mr J. R. Smith", "Mr J. R. Smith"},
		{"met Mrs SMITH", "Mrs SMITH"},
		{"met Mrs  Smith", "Mrs  Smith"}, // a run of spaces
		{"met Mrs\u00a0Smith", "Mrs\u00a0Smith"},
		{"met Mrs\u200b Smith", "Mrs\u200b Smith"},
		{"met Mrs Ólafsdóttir", "Mrs Ólafsdóttir"},
		{"(Mrs Smith)", "Mrs Smith"},
		{"<@U0123ABCD|Mr Smith> met Mrs Jones", "Mrs Jones"}, // past a mention's label
		{"<@U0123ABCD|Jane Smith> aged 50, Jane Smith aged 50", "aged 50, Jane"},
		// A name next to an age.
		{"Jane Smith aged 76 fell", "Jane Smith aged 76"},
		{"Jane Smith, aged 76, fell", "Jane Smith, aged 76"},
		{"Smith (aged 76)", "Smith (aged 76"},
		{"seen Jane age 76", "Jane age 76"},
		{"Jane aged: 76", "Jane aged: 76"},
		{"aged 76, Jane Smith fell", "aged 76, Jane"},
		{"Aged 76 Jane", "Aged 76 Jane"},
		{"Jane aged ٧٦", "Jane aged ٧٦"},

		// Staff titles and colleagues named with a mention.
		{"Dr Smith reviewed", ""},
		{"Prof Jones agreed", ""},
		{"Sister Brown on shift", ""},
		{"Nurse Patel called the family", ""},
		{"Mr <@U0123ABCD> will call", ""},
		{"<@U0123ABCD|Mrs Smith> will call", ""},
		// Not names.
		{"Mrs B", ""}, // an initial alone is how reports already anonymise
		{"Mr X.", ""},
		{"the patient aged 76 fell", ""},
		{"Patient aged 76 fell", ""},
		{"Female aged 76, Ward 4", ""},
		{"aged 76 years", ""},
		{"aged 76. The family", ""},
		{"aged 76 Years", ""},
		{"MS Nurse review", ""}, // multiple sclerosis
		{"MR Scan booked", ""},  // mitral regurgitation, magnetic resonance
		{"mr smith", ""},
		{"Mrsa screen", ""},
		{"Mister", ""},
		{"Masters Degree", ""},
		{"updated the Master Patient Index", ""},
		{"Master Copy of the plan", ""},
		{"Page 76 of the notes", ""},
		{"Jane's pages 12", ""},
		{"Mother aged 40 present", ""},
		{"average 76", ""},
		{"aged 1234 Jane", ""},
		{"Mr", ""},
		{"Mrs ", ""},
		{"age", ""},
		{"aged ", ""},
	}
	for _, tt := range tests {
		f, ok := FindIdentifier(tt.text)
		if tt.match == "" {
			if ok {
				t.Errorf("FindIdentifier(%q) = %+v; want nothing", tt.text, f)
			}
			continue
		}
		if !ok || f.Kind != Name || f.Match != tt.match {
			t.Errorf("FindIdentifier(%q) = %+v, %v; want the name %q", tt.text, f, ok, tt.match)
		}
	}
}

func TestNameRefusal(t *testing.T) {
	tests := []struct {
		text, hint string
	}{
		{"Mrs Jane Smith aged 76 fell", "(Mrs J…)"},
		{"Jane Smith aged 76 fell", "(J… S… aged 76)"},
		{"aged 76, Jane fell", "(aged 76, J…)"},
		{"Mr. Ólafsson", "(Mr. Ó…)"},
	}
	for _, tt := range tests {
		err := CheckText("note", tt.text)
		if ErrorCode(err) != Identifiable {
			t.Fatalf("CheckText(%q) = %v; want it refused", tt.text, err)
		}
		msg := ErrorMessage(err)
		for _, want := range []string{"Nothing was saved", "name " + tt.hint, `"the patient"`, `"their mother"`, "@mention", "never refused", "Mr or Ms"} {
			if !strings.Contains(msg, want) {
				t.Errorf("refusal for %q lacks %q: %s", tt.text, want, msg)
			}
		}
		if strings.Contains(msg, "Smith") || strings.Contains(msg, "Jane") {
			t.Errorf("refusal for %q repeats the name: %s", tt.text, msg)
		}
	}
}
