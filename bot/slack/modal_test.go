package slack

import (
	"encoding/json"
	"testing"

	"hppbot/bot"
)

// wireOf is the wireState encodeState's bytes stand for: what it wrote with
// json.Marshal before it was written by hand.
func wireOf(st formState, slim bool) wireState {
	f := st.Form
	w := wireState{Channel: st.Channel, ResponseURL: st.ResponseURL,
		Form: wireForm{ID: f.ID, Command: f.Command, Inputs: make([]wireInput, len(f.Inputs))}}
	if !slim {
		w.Form.Title, w.Form.Submit, w.Form.Intro = f.Title, f.Submit, f.Intro
	}
	for i, in := range f.Inputs {
		wi := wireInput{Name: in.Name, Positional: in.Positional, Kind: in.Kind, Placeholder: in.Placeholder, Optional: in.Optional, Value: in.Value}
		if !slim {
			wi.Label, wi.Hint = in.Label, in.Hint
		}
		for _, o := range in.Options {
			wo := wireOption{Value: o.Value}
			if !slim {
				wo.Label = o.Label
			}
			wi.Options = append(wi.Options, wo)
		}
		w.Form.Inputs[i] = wi
	}
	return w
}

// sameStateAsMarshal checks encodeState against json.Marshal of wireOf, in
// both its forms, and that what it writes decodes to the same form.
func sameStateAsMarshal(t testing.TB, st formState) {
	t.Helper()
	for _, slim := range []bool{false, true} {
		want, err := json.Marshal(wireOf(st, slim))
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeState(st, slim)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("slim=%v: encodeState differs from json.Marshal\n got: %s\nwant: %s", slim, got, want)
		}
	}
}

func TestEncodeStateMatchesMarshal(t *testing.T) {
	every := &bot.Form{ID: "every", Title: "T", Submit: "S", Command: "c HPP-1", Intro: "I", Inputs: []bot.Input{
		{Name: "a", Positional: true, Label: "L", Kind: bot.InputChoice, Placeholder: "P", Hint: "H", Optional: true, Value: "V",
			Options: []bot.Option{{Value: "x", Label: "X"}, {Value: "y"}}},
		{Name: "b"},
	}}
	cases := map[string]formState{
		"open form":        {Form: bot.OpenForm(), Channel: "D1", ResponseURL: "https://hooks.slack.invalid/r/1"},
		"contact form":     {Form: bot.ContactForm("HPP-1")},
		"every field":      {Form: every, Channel: "C1"},
		"no inputs":        {Form: &bot.Form{Command: "status HPP-1"}},
		"nothing optional": {Form: &bot.Form{Command: "x", Inputs: []bot.Input{{}}}},
	}
	for _, s := range awkward {
		cases["awkward "+s] = formState{Channel: s, ResponseURL: s, Form: &bot.Form{ID: s, Title: s, Submit: s, Command: s, Intro: s,
			Inputs: []bot.Input{{Name: s, Label: s, Kind: s, Placeholder: s, Hint: s, Value: s, Options: []bot.Option{{Value: s, Label: s}}}}}}
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) { sameStateAsMarshal(t, st) })
	}
	if _, err := encodeState(formState{}, false); err == nil {
		t.Fatal("encodeState took a state with no form")
	}
}

// FuzzEncodeState: whatever a form holds, encodeState writes what
// json.Marshal would.
func FuzzEncodeState(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, true, false)
	}
	f.Add("contact HPP-1", "phone", false, true)
	f.Fuzz(func(t *testing.T, a, b string, p, o bool) {
		sameStateAsMarshal(t, formState{Channel: b, ResponseURL: a, Form: &bot.Form{ID: a, Title: b, Submit: a, Command: b, Intro: a,
			Inputs: []bot.Input{
				{Name: a, Positional: p, Label: b, Kind: a, Placeholder: b, Hint: a, Optional: o, Value: b, Options: []bot.Option{{Value: a, Label: b}, {Value: b}}},
				{Name: b, Positional: o, Optional: p},
			}}})
	})
}
