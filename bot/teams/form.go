package teams

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"hppbot/bot"
)

// A form becomes a card with inputs and one Action.Submit. Its data carries
// the form itself (submitKey: the command; formKey: the form as JSON), so a
// submission can be turned back into a command line by any replica, after
// any restart, with no state kept between showing and submitting.
//
// People are chosen with Teams' people picker (Input.ChoiceSet with
// choices.data Data.Query over graph.microsoft.com/users, a Teams
// extension that works in 1.4 cards on desktop and web; on mobile Teams
// shows a plain box). It answers with Microsoft Entra object ids, which are
// what hppbot names Teams people by ("teams:<object id>").

// peopleDataset is the people picker's search: everyone in the organisation.
const peopleDataset = "graph.microsoft.com/users"

// formPeople is who a form is shown to and the names of the people it
// may prefill: a people picker offers them as its choices (Teams shows a
// prefilled person by a choice's title, and a picker with no choice at all
// is a card that doesn't validate).
type formPeople struct {
	viewer string            // the person the form is for, when known
	names  map[string]string // person id -> display name
}

// formCard renders a form; values prefill it and errs are shown beside the
// inputs they are about (after a submission that needs another look).
func formCard(f *bot.Form, values map[string][]string, errs map[string]string, people formPeople) object {
	var body []object
	if f.Title != "" {
		body = append(body, object{"type": "TextBlock", "text": f.Title, "weight": "Bolder", "size": "Medium", "wrap": true})
	}
	w := &markup{}
	if f.Intro != "" {
		body = append(body, object{"type": "TextBlock", "text": w.rich(f.Intro), "wrap": true, "isSubtle": true})
	}
	if len(errs) > 0 {
		body = append(body, object{"type": "TextBlock", "text": "A few answers need another look — the notes are below each one.", "wrap": true, "color": "Attention"})
	}
	for _, in := range f.Inputs {
		body = append(body, inputElement(in, values[in.Name], people))
		// A note may quote what was typed: shown as text, never as markup.
		if msg := errs[in.Name]; msg != "" {
			body = append(body, object{"type": "TextBlock", "text": w.rich(msg), "wrap": true, "color": "Attention", "size": "Small", "spacing": "None"})
		} else if in.Hint != "" {
			body = append(body, object{"type": "TextBlock", "text": w.rich(in.Hint), "wrap": true, "isSubtle": true, "size": "Small", "spacing": "None"})
		}
	}
	spec, _ := json.Marshal(wireForm(f))
	submit := f.Submit
	if submit == "" {
		submit = "Submit"
	}
	action := object{"type": "Action.Submit", "title": submit, "style": "positive",
		"data": object{submitKey: f.Command, formKey: json.RawMessage(spec)}}
	c := newCard(body, nil)
	c["actions"] = []object{action}
	return c
}

func inputElement(in bot.Input, value []string, people formPeople) object {
	label := in.Label
	if label == "" {
		label = in.Name
	}
	el := object{"id": inputPrefix + in.Name, "label": label}
	if !in.Optional {
		el["isRequired"] = true
		el["errorMessage"] = "Please fill this in."
	}
	initial := in.Value
	if len(value) > 0 {
		initial = strings.Join(value, ",")
	}
	switch in.Kind {
	case bot.InputChoice:
		el["type"] = "Input.ChoiceSet"
		el["style"] = "compact"
		choices := make([]object, 0, len(in.Options))
		for _, o := range in.Options {
			title := o.Label
			if title == "" {
				title = o.Value
			}
			choices = append(choices, object{"title": title, "value": o.Value})
		}
		el["choices"] = choices
		el["placeholder"] = "Choose…"
	case bot.InputPerson, bot.InputPeople:
		el["type"] = "Input.ChoiceSet"
		el["choices"] = peopleChoices(value, people)
		el["choices.data"] = object{"type": "Data.Query", "dataset": peopleDataset}
		el["isMultiSelect"] = in.Kind == bot.InputPeople
		el["placeholder"] = "Type a name"
		if len(value) > 0 {
			raws := make([]string, 0, len(value))
			for _, p := range value {
				if s, raw := bot.SplitID(p); s == bot.Teams {
					raws = append(raws, raw)
				}
			}
			initial = strings.Join(raws, ",")
		}
	case bot.InputDate:
		el["type"] = "Input.Date"
	default:
		el["type"] = "Input.Text"
		el["maxLength"] = 200
		if in.Kind == bot.InputLong {
			el["isMultiline"] = true
			el["maxLength"] = 3000
		}
		if in.Placeholder != "" {
			el["placeholder"] = in.Placeholder
		}
	}
	if initial != "" {
		el["value"] = initial
	}
	return el
}

// submission is a card's Action.Submit data, with the answers merged in.
type submission struct {
	line   string            // a button's command line
	form   *bot.Form         // the form answered, if it was a form
	values map[string]string // input name -> answer, for a form
}

// parseSubmission reads an activity's value; ok is false when it isn't one
// of hppbot's.
func parseSubmission(value map[string]any) (submission, bool) {
	line, ok := value[submitKey].(string)
	if !ok {
		return submission{}, false
	}
	sub := submission{line: line}
	raw, hasForm := value[formKey]
	if !hasForm {
		return sub, true
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return submission{}, false
	}
	var w formWire
	if err := json.Unmarshal(data, &w); err != nil || w.Command == "" || len(w.Inputs) > 50 {
		return submission{}, false
	}
	f := w.form()
	sub.form = f
	sub.values = map[string]string{}
	for _, in := range f.Inputs {
		switch v := value[inputPrefix+in.Name].(type) {
		case string:
			sub.values[in.Name] = v
		case float64:
			sub.values[in.Name] = fmt.Sprint(v)
		case bool:
			sub.values[in.Name] = fmt.Sprint(v)
		}
	}
	return sub, true
}

// answers turns a Teams submission's values into a form's answers: people
// (the picker's comma-separated object ids) become person ids.
func answers(f *bot.Form, values map[string]string) map[string][]string {
	out := map[string][]string{}
	for _, in := range f.Inputs {
		v := strings.TrimSpace(values[in.Name])
		if v == "" {
			continue
		}
		if in.Kind == bot.InputPerson || in.Kind == bot.InputPeople {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					if s, _ := bot.SplitID(id); s != bot.Teams {
						id = bot.PersonID(bot.Teams, id)
					}
					out[in.Name] = append(out[in.Name], id)
				}
			}
			continue
		}
		out[in.Name] = []string{inert(v)}
	}
	return out
}

// formWire is a form as it travels in a card's data: short keys, nothing
// empty, so cards stay small.
type formWire struct {
	ID      string      `json:"id,omitempty"`
	Title   string      `json:"t,omitempty"`
	Submit  string      `json:"s,omitempty"`
	Command string      `json:"c"`
	Intro   string      `json:"i,omitempty"`
	Inputs  []inputWire `json:"in"`
}

type inputWire struct {
	Name        string       `json:"n"`
	Kind        string       `json:"k,omitempty"`
	Label       string       `json:"l,omitempty"`
	Positional  bool         `json:"p,omitempty"`
	Optional    bool         `json:"o,omitempty"`
	Placeholder string       `json:"ph,omitempty"`
	Hint        string       `json:"h,omitempty"`
	Options     []optionWire `json:"op,omitempty"`
}

type optionWire struct {
	Value string `json:"v"`
	Label string `json:"l,omitempty"`
}

func wireForm(f *bot.Form) formWire {
	w := formWire{ID: f.ID, Title: f.Title, Submit: f.Submit, Command: f.Command, Intro: f.Intro, Inputs: []inputWire{}}
	for _, in := range f.Inputs {
		iw := inputWire{Name: in.Name, Kind: in.Kind, Label: in.Label, Positional: in.Positional, Optional: in.Optional, Placeholder: in.Placeholder, Hint: in.Hint}
		for _, o := range in.Options {
			iw.Options = append(iw.Options, optionWire{Value: o.Value, Label: o.Label})
		}
		w.Inputs = append(w.Inputs, iw)
	}
	return w
}

func (w formWire) form() *bot.Form {
	f := &bot.Form{ID: w.ID, Title: w.Title, Submit: w.Submit, Command: w.Command, Intro: w.Intro}
	for _, iw := range w.Inputs {
		in := bot.Input{Name: iw.Name, Kind: iw.Kind, Label: iw.Label, Positional: iw.Positional, Optional: iw.Optional, Placeholder: iw.Placeholder, Hint: iw.Hint}
		for _, o := range iw.Options {
			in.Options = append(in.Options, bot.Option{Value: o.Value, Label: o.Label})
		}
		f.Inputs = append(f.Inputs, in)
	}
	return f
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// peopleChoices are a people picker's own choices: the person the form is
// for ("you"), then anyone prefilled, by Entra object id; the picker's
// search finds everyone else.
func peopleChoices(value []string, people formPeople) []object {
	choices := []object{}
	seen := map[string]bool{}
	add := func(id, title string) {
		s, raw := bot.SplitID(id)
		if s != bot.Teams || raw == "" || seen[raw] {
			return
		}
		seen[raw] = true
		choices = append(choices, object{"title": title, "value": raw})
	}
	if people.viewer != "" {
		title := "Me"
		if name := cleanName(people.names[people.viewer]); name != "" {
			title = name + " (you)"
		}
		add(people.viewer, title)
	}
	for _, p := range value {
		title := cleanName(people.names[p])
		if title == "" {
			title = "A colleague"
		}
		add(p, title)
	}
	return choices
}
