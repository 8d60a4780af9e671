package slack

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"hppbot/bot"
)

// slimmed is f without what a slim state leaves out.
func slimmed(f *bot.Form) *bot.Form {
	d := *f
	d.Title, d.Submit, d.Intro = "", "", ""
	d.Inputs = make([]bot.Input, len(f.Inputs))
	for i, in := range f.Inputs {
		in.Label, in.Hint = "", ""
		in.Options = nil
		for _, o := range f.Inputs[i].Options {
			in.Options = append(in.Options, bot.Option{Value: o.Value})
		}
		d.Inputs[i] = in
	}
	return &d
}

// TestEncodeStateRoundTrip: what encodeState writes, decodeState reads back
// as the same form, whole or slim, whatever the text.
func TestEncodeStateRoundTrip(t *testing.T) {
	every := &bot.Form{ID: "every", Title: "T", Submit: "S", Command: "c HPP-1", Intro: "I", Inputs: []bot.Input{
		{Name: "a", Positional: true, Label: "L", Kind: bot.InputChoice, Placeholder: "P", Hint: "H", Optional: true, Value: "V",
			Options: []bot.Option{{Value: "x", Label: "X"}, {Value: "y"}}},
		{Name: "b"},
	}}
	cases := map[string]formState{
		"open form":    {Form: bot.OpenForm(), Channel: "D1", ResponseURL: "https://hooks.slack.invalid/r/1"},
		"contact form": {Form: bot.ContactForm("HPP-1")},
		"every field":  {Form: every, Channel: "C1"},
	}
	for _, s := range awkward {
		if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || len(s) > 500 {
			continue // decodeState refuses a blank command; JSON holds only valid UTF-8; a state has a size limit
		}
		cases["awkward "+s] = formState{Channel: s, ResponseURL: s, Form: &bot.Form{ID: s, Title: s, Submit: s, Command: s, Intro: s,
			Inputs: []bot.Input{{Name: s, Label: s, Kind: s, Placeholder: s, Hint: s, Value: s, Options: []bot.Option{{Value: s, Label: s}}}}}}
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			for _, slim := range []bool{false, true} {
				enc, err := encodeState(st, slim)
				if err != nil {
					t.Fatal(err)
				}
				got, err := decodeState(enc)
				if err != nil {
					t.Fatalf("slim=%v: decodeState(%s): %v", slim, enc, err)
				}
				want := st
				if slim {
					want.Form = slimmed(st.Form)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("slim=%v: round trip\n got: %+v\nwant: %+v", slim, got.Form, want.Form)
				}
			}
		})
	}
	if _, err := encodeState(formState{}, false); err == nil {
		t.Fatal("encodeState took a state with no form")
	}
}

// TestStateWireFormat: the short keys a button's value carries, unchanged,
// so a button on a message sent before an upgrade still opens its form.
func TestStateWireFormat(t *testing.T) {
	st := formState{Channel: "D1", Form: &bot.Form{ID: "contact", Title: "Log a contact", Command: "contact HPP-1",
		Inputs: []bot.Input{{Name: "via", Label: "How", Kind: bot.InputChoice, Options: []bot.Option{{Value: "phone", Label: "Phone"}}}}}}
	got, err := encodeState(st, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"f":{"i":"contact","c":"contact HPP-1","in":[{"n":"via","k":"choice","op":[{"v":"phone"}]}]},"c":"D1"}`
	if got != want {
		t.Fatalf("encodeState:\n got: %s\nwant: %s", got, want)
	}
	old := `{"f":{"i":"contact","t":"Log a contact","c":"contact HPP-1","in":[{"n":"via","l":"How","k":"choice","op":[{"v":"phone","l":"Phone"}]}]},"c":"D1"}`
	dec, err := decodeState(old)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dec, st) {
		t.Fatalf("decodeState(%s) = %+v, want %+v", old, dec.Form, st.Form)
	}
}
