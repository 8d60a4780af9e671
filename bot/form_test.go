package bot

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// testForm has one input of every kind, shaped like the open-a-case form.
func testForm() *Form {
	return &Form{
		ID: "open", Command: "open",
		Inputs: []Input{
			{Name: "ref", Kind: InputText, Positional: true, Placeholder: "INC-1042"},
			{Name: "service", Kind: InputText, Optional: true},
			{Name: "harm", Kind: InputChoice, Optional: true, Options: []Option{{Value: "low"}, {Value: "moderate"}}},
			{Name: "lead", Kind: InputPerson, Optional: true},
			{Name: "involved", Kind: InputPeople, Optional: true},
			{Name: "aware", Kind: InputDate, Optional: true},
			{Name: "text", Kind: InputLong, Optional: true},
		},
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string][]string
		want    string
		errs    map[string]string // field -> a fragment of its message
	}{
		{
			name:    "only the required positional",
			answers: map[string][]string{"ref": {"INC-7"}},
			want:    "open INC-7",
		},
		{
			name: "everything, in form order with the free text last",
			answers: map[string][]string{
				"text": {"Fall on the ward\nsecond line"}, "aware": {"2026-01-05"}, "involved": {"U1", "U2"},
				"lead": {"U9"}, "harm": {"moderate"}, "service": {"maternity"}, "ref": {" INC-7 "},
			},
			want: "open INC-7 service=maternity harm=moderate lead=<@U9> involved=<@U1>,<@U2> aware=2026-01-05 Fall on the ward\nsecond line",
		},
		{
			name:    "people given as person ids or mentions",
			answers: map[string][]string{"ref": {"INC-7"}, "involved": {"teams:29:abc", "<@U2>"}},
			want:    "open INC-7 involved=<@teams:29:abc>,<@U2>",
		},
		{
			name:    "empty answers are left out",
			answers: map[string][]string{"ref": {"INC-7"}, "service": {""}, "involved": {" ", ""}, "text": {"  "}},
			want:    "open INC-7",
		},
		{
			name:    "one person only for a person input",
			answers: map[string][]string{"ref": {"INC-7"}, "lead": {"U1", "U2"}},
			errs:    map[string]string{"lead": "Please choose one person"},
		},
		{
			name:    "required input missing",
			answers: map[string][]string{"service": {"maternity"}},
			errs:    map[string]string{"ref": "Please fill this in"},
		},
		{
			name:    "spaces inside one-word values",
			answers: map[string][]string{"ref": {"INC 7"}, "service": {"mat ernity"}, "aware": {"5 Jan"}},
			errs: map[string]string{
				"ref":     "without spaces — for example INC-1042",
				"service": "without spaces",
				"aware":   "without spaces",
			},
		},
		{
			name:    "a choice that isn't offered",
			answers: map[string][]string{"ref": {"INC-7"}, "harm": {"catastrophic"}},
			errs:    map[string]string{"harm": "choose one of the options"},
		},
		{
			name:    "a person that can't be a mention",
			answers: map[string][]string{"ref": {"INC-7"}, "involved": {"U1", "sam smith"}},
			errs:    map[string]string{"involved": "choose people from the list"},
		},
		{
			name:    "an NHS number in the summary",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"Patient 999 000 0018 fell"}},
			errs:    map[string]string{"text": "Nothing was saved: that looks like it contains an NHS number"},
		},
		{
			name:    "a postcode in a one-line text input",
			answers: map[string][]string{"ref": {"INC-7"}, "service": {"LS1 4AP"}},
			errs:    map[string]string{"service": "a postcode"},
		},
		{
			name:    "free text that starts like a setting",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"harm=severe was my first thought"}},
			errs:    map[string]string{"text": "harm=severe would be read as a setting"},
		},
		{
			name:    "free text that starts with a mention",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"@sam called the family"}},
			errs:    map[string]string{"text": "a mention would be read as part of the command"},
		},
		{
			name:    "free text whose first word holds an = sign",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"Sats=88% on arrival"}},
			errs:    map[string]string{"text": "Sats=88% would be read as a setting"},
		},
		{
			name:    "free text with a setting after the first word",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"Sats 88% with x=y later"}},
			errs:    map[string]string{"text": "x=y would be read as a setting rather than as your text. Please write it with a space instead of the =, like x y."},
		},
		{
			name:    "free text with = that is not a setting is kept",
			answers: map[string][]string{"ref": {"INC-7"}, "text": {"Sats 88% and 2+2=4 later"}},
			want:    "open INC-7 Sats 88% and 2+2=4 later",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := testForm().CommandLine(tt.answers)
			if tt.errs == nil {
				if len(errs) > 0 {
					t.Fatalf("unexpected field errors: %v", errs)
				}
				if got != tt.want {
					t.Fatalf("line\n got %q\nwant %q", got, tt.want)
				}
				return
			}
			if got != "" {
				t.Errorf("a form with errors gave a line: %q", got)
			}
			if !maps.EqualFunc(errs, tt.errs, func(msg, fragment string) bool { return strings.Contains(msg, fragment) }) {
				t.Fatalf("field errors\n got %v\nwant fragments %v", errs, tt.errs)
			}
		})
	}
}

// FuzzCommandLine checks that any answers give either a line that starts
// with the command or field errors, never both and never a panic.
func FuzzCommandLine(f *testing.F) {
	f.Add("INC-7", "maternity", "moderate", "U1", "Fall on the ward")
	f.Add("INC 7", "", "x", "<@", "harm=severe")
	f.Add("", "LS1 4AP", "", "a,b", "999 000 0018")
	f.Add("INC-7", "", "", "U1", "Fall on ward harm=severe")
	f.Add("INC-7", "", "", "U1", "BP=90/60 Sats 88%")
	f.Fuzz(func(t *testing.T, ref, service, harm, person, text string) {
		form := testForm()
		line, errs := form.CommandLine(map[string][]string{
			"ref": {ref}, "service": {service}, "harm": {harm}, "lead": {person}, "involved": {person, ref}, "text": {text},
		})
		if (line == "") == (len(errs) == 0) {
			t.Fatalf("want a line or errors, not both or neither: %q %v", line, errs)
		}
		if line != "" && !strings.HasPrefix(line, "open ") {
			t.Fatalf("line %q doesn't start with the command", line)
		}
		// Options are read anywhere in a line, so a note that reaches the
		// line holds no word the grammar would take as one.
		if line != "" && strings.TrimSpace(text) != "" {
			for _, w := range strings.Fields(text) {
				key, _, isOpt := strings.Cut(w, "=")
				if isOpt && key != "" && len(key) <= 20 && strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == "" {
					t.Fatalf("note word %q would be read as an option in %q", w, line)
				}
			}
		}
		for name := range errs {
			if !slices.ContainsFunc(form.Inputs, func(in Input) bool { return in.Name == name }) {
				t.Fatalf("error for %q, which is not an input", name)
			}
		}
	})
}
