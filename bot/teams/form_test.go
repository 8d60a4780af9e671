package teams

import (
	"encoding/json"
	"reflect"
	"testing"

	"hppbot/bot"
)

func TestCommandLine(t *testing.T) {
	open := bot.OpenForm()
	contact := bot.ContactForm("HPP-3")
	tests := []struct {
		name     string
		form     *bot.Form
		answers  map[string][]string
		want     string
		wantErrs []string // inputs with an error
	}{
		{"open, everything", open, map[string][]string{
			"ref": {"INC-7"}, "service": {"maternity"}, "harm": {"moderate"}, "lead": {"teams:aad-jo"},
			"involved": {"teams:aad-al", "teams:aad-kim"}, "aware": {"2026-03-01"}, "candour": {"auto"}, "text": {"Fall on ward 4"},
		}, "open INC-7 service=maternity harm=moderate lead=<@teams:aad-jo> involved=<@teams:aad-al>,<@teams:aad-kim> aware=2026-03-01 candour=auto Fall on ward 4", nil},
		{"open, just the reference", open, map[string][]string{"ref": {" INC-8 "}}, "open INC-8", nil},
		{"open, no reference", open, map[string][]string{"harm": {"low"}}, "", []string{"ref"}},
		{"a reference with spaces", open, map[string][]string{"ref": {"INC 9"}}, "", []string{"ref"}},
		{"two leads", open, map[string][]string{"ref": {"INC-1"}, "lead": {"teams:a", "teams:b"}}, "", []string{"lead"}},
		{"a mangled person", open, map[string][]string{"ref": {"INC-1"}, "involved": {"teams:a> x"}}, "", []string{"involved"}},
		{"a service with spaces", open, map[string][]string{"ref": {"INC-1"}, "service": {"maternity ward"}}, "", []string{"service"}},
		{"contact with a note over lines", contact, map[string][]string{"via": {"phone"}, "next": {"7d"}, "text": {"Spoke with the family.\nThey'd like a meeting."}},
			"contact HPP-3 via=phone next=7d Spoke with the family.\nThey'd like a meeting.", nil},
		{"contact, nothing filled", contact, nil, "contact HPP-3", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, errs := tc.form.CommandLine(tc.answers)
			if line != tc.want {
				t.Errorf("line = %q, want %q", line, tc.want)
			}
			var got []string
			for _, k := range sortedKeys(errs) {
				got = append(got, k)
			}
			if !reflect.DeepEqual(got, tc.wantErrs) {
				t.Errorf("errors on %v (%v), want %v", got, errs, tc.wantErrs)
			}
		})
	}
}

func TestSubmissionRoundTrip(t *testing.T) {
	f := bot.OpenForm()
	card := formCard(f, nil, nil, formPeople{})
	data := card["actions"].([]object)[0]["data"].(object)
	// What Teams sends back: the data, JSON-decoded, with the answers.
	raw, _ := json.Marshal(data)
	var value map[string]any
	if err := json.Unmarshal(raw, &value); err != nil {
		t.Fatal(err)
	}
	value[inputPrefix+"ref"] = "INC-4"
	value[inputPrefix+"involved"] = "aad-1, aad-2"
	value[inputPrefix+"harm"] = "low"
	sub, ok := parseSubmission(value)
	if !ok || sub.form == nil {
		t.Fatalf("not read as a form submission: %+v", sub)
	}
	if !reflect.DeepEqual(sub.form, f) {
		t.Errorf("form after the round trip:\n%+v\nwant\n%+v", sub.form, f)
	}
	line, errs := sub.form.CommandLine(answers(sub.form, sub.values))
	if len(errs) > 0 || line != "open INC-4 harm=low involved=<@teams:aad-1>,<@teams:aad-2>" {
		t.Errorf("line %q errs %v", line, errs)
	}
	for _, bad := range []map[string]any{
		{"other": "x"},
		{submitKey: 3},
		{submitKey: "open", formKey: "not a form"},
		{submitKey: "open", formKey: map[string]any{"c": ""}},
	} {
		if sub, ok := parseSubmission(bad); ok && sub.form != nil {
			t.Errorf("%v read as a form", bad)
		}
	}
	// Prefilled people show as the picker's ids.
	again := formCard(f, map[string][]string{"involved": {"teams:aad-1", "slack:U1"}}, map[string]string{"ref": "Please fill this in."}, formPeople{})
	for _, el := range again["body"].([]object) {
		if el["id"] == inputPrefix+"involved" && el["value"] != "aad-1" {
			t.Errorf("prefilled people = %v", el["value"])
		}
	}
}
