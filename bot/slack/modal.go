package slack

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// Slack's limits for modals.
const (
	maxTitle           = 24   // characters in a modal's title and submit label
	maxMetadata        = 3000 // characters of private_metadata
	maxLabel           = 2000 // characters in an input's label and hint
	maxPlaceholder     = 150  // characters in a placeholder
	maxOptionText      = 75   // characters in a select option's text
	maxOptions         = 100  // options in a select
	maxLongInput       = 3000 // characters in a plain_text_input
	maxEncodedState    = 4000 // longest encoded form state we decode
	maxInputsInForm    = 50
	formCallbackPrefix = "hpp-form:"
)

// formState is what a form needs to come back to hppbot: the form itself
// (to show it, and to turn its answers into a command line), and where its
// answer goes: the channel it was opened from and, when Slack gave one, the
// response_url to answer through. It travels in a button's value and a
// modal's private_metadata, so a form opened days after its message was sent
// still works, whichever replica receives the submission.
type formState struct {
	Form        *bot.Form
	Channel     string
	ResponseURL string
}

// The state travels as compact JSON: short keys, empty fields left out, so
// the open-a-case form fits a button's 2,000 characters. (Compressing it
// would make it smaller, but costs far more than a reply's rendering.)
type wireState struct {
	Form        wireForm `json:"f"`
	Channel     string   `json:"c,omitempty"`
	ResponseURL string   `json:"r,omitempty"`
}

type wireForm struct {
	ID      string      `json:"i,omitempty"`
	Title   string      `json:"t,omitempty"`
	Submit  string      `json:"s,omitempty"`
	Command string      `json:"c"`
	Intro   string      `json:"n,omitempty"`
	Inputs  []wireInput `json:"in"`
}

type wireInput struct {
	Name        string       `json:"n"`
	Positional  bool         `json:"p,omitempty"`
	Label       string       `json:"l,omitempty"`
	Kind        string       `json:"k,omitempty"`
	Placeholder string       `json:"ph,omitempty"`
	Hint        string       `json:"h,omitempty"`
	Optional    bool         `json:"o,omitempty"`
	Options     []wireOption `json:"op,omitempty"`
	Value       string       `json:"v,omitempty"`
}

type wireOption struct {
	Value string `json:"v"`
	Label string `json:"l,omitempty"`
}

// encodeState writes a form's state. slim leaves out what only showing the
// form needs (title, intro, labels, hints): enough to read its answers, for
// a modal's private_metadata.
func encodeState(st formState, slim bool) (string, error) {
	if st.Form == nil {
		return "", errBadState
	}
	data, err := json.Marshal(stateWire(st, slim))
	if err != nil {
		return "", err
	}
	return string(data), nil
}

// stateWire is st in its wire form.
func stateWire(st formState, slim bool) wireState {
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

var errBadState = errors.New("slack: form state unreadable")

// decodeState reads what encodeState wrote. Whatever it is given, it returns
// an error rather than panicking.
func decodeState(s string) (formState, error) {
	if s == "" || len(s) > maxEncodedState {
		return formState{}, errBadState
	}
	var w wireState
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return formState{}, errBadState
	}
	if strings.TrimSpace(w.Form.Command) == "" || len(w.Form.Inputs) == 0 || len(w.Form.Inputs) > maxInputsInForm {
		return formState{}, errBadState
	}
	f := &bot.Form{ID: w.Form.ID, Title: w.Form.Title, Submit: w.Form.Submit, Command: w.Form.Command, Intro: w.Form.Intro,
		Inputs: make([]bot.Input, len(w.Form.Inputs))}
	for i, wi := range w.Form.Inputs {
		in := bot.Input{Name: wi.Name, Positional: wi.Positional, Label: wi.Label, Kind: wi.Kind, Placeholder: wi.Placeholder,
			Hint: wi.Hint, Optional: wi.Optional, Value: wi.Value}
		for _, o := range wi.Options {
			in.Options = append(in.Options, bot.Option{Value: o.Value, Label: o.Label})
		}
		f.Inputs[i] = in
	}
	return formState{Form: f, Channel: w.Channel, ResponseURL: w.ResponseURL}, nil
}

// modal lays out a form as a Slack modal. Each input is an input block whose
// block id and action id are the input's name, so the submission's state and
// field errors are keyed by it.
func modal(st formState) (slack.ModalViewRequest, error) {
	meta, err := encodeState(st, true)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	if len(meta) > maxMetadata {
		return slack.ModalViewRequest{}, errors.New("slack: form too large for a modal")
	}
	f := st.Form
	submit := f.Submit
	if submit == "" {
		submit = "Submit"
	}
	title := f.Title
	if title == "" {
		title = "hppbot"
	}
	var blocks []slack.Block
	if intro := strings.TrimSpace(f.Intro); intro != "" {
		blocks = append(blocks, textSections("", intro, nil)...)
	}
	for _, in := range f.Inputs {
		blocks = append(blocks, inputBlock(in))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(truncateRunes(title, maxTitle)),
		Submit:          plain(truncateRunes(submit, maxTitle)),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: meta,
		CallbackID:      formCallbackPrefix + f.ID,
	}, nil
}

// inputBlock maps an input kind to its Block Kit element.
func inputBlock(in bot.Input) *slack.InputBlock {
	var placeholder *slack.TextBlockObject
	if in.Placeholder != "" {
		placeholder = plain(truncateRunes(in.Placeholder, maxPlaceholder))
	}
	var elem slack.BlockElement
	switch in.Kind {
	case bot.InputLong:
		e := slack.NewPlainTextInputBlockElement(placeholder, in.Name)
		e.Multiline = true
		e.MaxLength = maxLongInput
		e.InitialValue = in.Value
		elem = e
	case bot.InputChoice:
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for i, o := range in.Options {
			if i == maxOptions {
				break
			}
			label := o.Label
			if label == "" {
				label = o.Value
			}
			opt := slack.NewOptionBlockObject(o.Value, plain(truncateRunes(label, maxOptionText)), nil)
			if o.Value == in.Value {
				initial = opt
			}
			opts = append(opts, opt)
		}
		e := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder, in.Name, opts...)
		e.InitialOption = initial
		elem = e
	case bot.InputPerson:
		e := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, placeholder, in.Name)
		e.InitialUser = slackUser(in.Value)
		elem = e
	case bot.InputPeople:
		e := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, placeholder, in.Name)
		for _, v := range strings.Split(in.Value, ",") {
			if u := slackUser(v); u != "" {
				e.InitialUsers = append(e.InitialUsers, u)
			}
		}
		elem = e
	case bot.InputDate:
		e := slack.NewDatePickerBlockElement(in.Name)
		e.Placeholder = placeholder
		e.InitialDate = in.Value
		elem = e
	default: // bot.InputText, and any kind this surface doesn't know yet
		e := slack.NewPlainTextInputBlockElement(placeholder, in.Name)
		e.InitialValue = in.Value
		elem = e
	}
	label := in.Label
	if label == "" {
		label = in.Name
	}
	var hint *slack.TextBlockObject
	if in.Hint != "" {
		hint = plain(truncateRunes(in.Hint, maxLabel))
	}
	b := slack.NewInputBlock(in.Name, plain(truncateRunes(label, maxLabel)), hint, elem)
	b.Optional = in.Optional
	return b
}

// slackUser returns the Slack user id of a person id ("slack:U1") or mention,
// "" for anyone else.
func slackUser(v string) string {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<@"), ">")
	if surface, raw := bot.SplitID(v); (surface == bot.Slack || surface == "") && isSlackID(raw) {
		return raw
	}
	return ""
}

// answers reads a submitted modal's state for the form's inputs.
func answers(f *bot.Form, state *slack.ViewState) map[string][]string {
	out := map[string][]string{}
	if state == nil {
		return out
	}
	for _, in := range f.Inputs {
		a, ok := state.Values[in.Name][in.Name]
		if !ok {
			continue
		}
		switch in.Kind {
		case bot.InputChoice:
			out[in.Name] = []string{a.SelectedOption.Value}
		case bot.InputPerson:
			out[in.Name] = []string{a.SelectedUser}
		case bot.InputPeople:
			out[in.Name] = a.SelectedUsers
		case bot.InputDate:
			out[in.Name] = []string{a.SelectedDate}
		default: // typed text, which a form sends unescaped
			out[in.Name] = []string{inert(a.Value)}
		}
	}
	return out
}

// fieldOf tells which input an error message is about, when it can: a
// message that starts with the input's name= or its answer (as the
// handlers' errors about one value do), or one that quotes the answer. ""
// when it can't tell, or when more than one input fits.
func fieldOf(f *bot.Form, ans map[string][]string, msg string) string {
	field := ""
	for _, in := range f.Inputs {
		vals := ans[in.Name]
		hit := strings.HasPrefix(msg, in.Name+"=")
		if len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			v := strings.TrimSpace(vals[0])
			hit = hit || strings.HasPrefix(msg, v+" ") || strings.Contains(msg, strconv.Quote(v))
		}
		if hit {
			if field != "" {
				return ""
			}
			field = in.Name
		}
	}
	return field
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// truncateRunes shortens plain text to at most max characters.
func truncateRunes(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
