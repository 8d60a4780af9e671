package bot

import (
	"strings"
	"unicode"

	"hppbot/pathway"
)

// freeText is the Name of the input whose answer is the command's free text.
const freeText = "text"

// CommandLine turns the answers to a submitted form into the command line a
// person could have typed: Command, then the Positional inputs as typed, then
// name=value for the rest in form order (people as <@id>,<@id>), then the
// free text (the input named "text") last. Every surface that shows forms
// uses it, so a form and a typed command always mean the same thing.
//
// answers maps an input's Name to what was entered: one value, or several
// for InputPeople. People are given as ids a mention can carry: a platform id
// ("U123") or a person id ("slack:U123").
//
// When an answer can't go into a command line as it is, CommandLine returns
// no line and field errors keyed by input Name, written for the person: a
// required input left empty, a space inside a one-word value, a choice that
// isn't offered, or free text that looks like a patient identifier (checked
// first, so such text goes no further than the form).
func (f *Form) CommandLine(answers map[string][]string) (string, map[string]string) {
	errs := map[string]string{}
	var line strings.Builder
	line.WriteString(strings.TrimSpace(f.Command))
	var positional, options []string
	text := ""
	for _, in := range f.Inputs {
		vals := answered(answers[in.Name])
		if len(vals) == 0 {
			if !in.Optional {
				errs[in.Name] = "Please fill this in."
			}
			continue
		}
		if in.Kind == InputText || in.Kind == InputLong {
			if found, ok := pathway.FindIdentifier(vals[0]); ok {
				errs[in.Name] = pathway.IdentifierError(found).Message
				continue
			}
		}
		if in.Name == freeText {
			if msg := textProblem(vals[0]); msg != "" {
				errs[in.Name] = msg
				continue
			}
			text = vals[0]
			continue
		}
		value, msg := oneWordValue(in, vals)
		if msg != "" {
			errs[in.Name] = msg
			continue
		}
		if in.Positional {
			positional = append(positional, value)
		} else {
			options = append(options, in.Name+"="+value)
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	for _, part := range append(positional, options...) {
		line.WriteByte(' ')
		line.WriteString(part)
	}
	if text != "" {
		line.WriteByte(' ')
		line.WriteString(text)
	}
	return line.String(), nil
}

// answered returns the non-empty answers, trimmed.
func answered(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// oneWordValue formats an answer that must stay one word in the command line.
func oneWordValue(in Input, vals []string) (string, string) {
	switch in.Kind {
	case InputPerson, InputPeople:
		if in.Kind == InputPerson && len(vals) > 1 {
			return "", "Please choose one person."
		}
		parts := make([]string, 0, len(vals))
		for _, v := range vals {
			if strings.HasPrefix(v, "<@") && strings.HasSuffix(v, ">") {
				v = strings.TrimSuffix(strings.TrimPrefix(v, "<@"), ">")
			}
			if v == "" || strings.ContainsAny(v, "<>,|") || hasSpace(v) {
				return "", "Please choose people from the list."
			}
			parts = append(parts, Mention(v))
		}
		return strings.Join(parts, ","), ""
	}
	v := vals[0]
	if hasSpace(v) {
		msg := "Please use one word here, without spaces"
		if in.Placeholder != "" {
			msg += " — for example " + in.Placeholder
		}
		return "", msg + "."
	}
	if in.Kind == InputChoice && len(in.Options) > 0 {
		for _, o := range in.Options {
			if o.Value == v {
				return v, ""
			}
		}
		return "", "Please choose one of the options."
	}
	return v, ""
}

// textProblem says why free text can't go into a command line as it is:
// the grammar reads a name=value word as a setting wherever it stands, and
// mentions before the first ordinary word, so such text would be misread.
func textProblem(text string) string {
	words := strings.FieldsFunc(text, unicode.IsSpace)
	for _, w := range words {
		key, _, isOpt := strings.Cut(w, "=")
		if isOpt && key != "" && len(key) <= 20 && strings.IndexFunc(key, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-')
		}) < 0 {
			return "In a command, " + w + " would be read as a setting rather than as your text. Please write it with a space instead of the =, like " + strings.Replace(w, "=", " ", 1) + "."
		}
	}
	first := words[0]
	if strings.HasPrefix(first, "@") || strings.HasPrefix(first, "<@") || strings.HasPrefix(first, "<#") {
		return "Please start with an ordinary word: at the start, a mention would be read as part of the command rather than as your text."
	}
	return ""
}

func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }
