package teams

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// No Adaptive Card validator library is available to these tests (the
// AdaptiveCards SDKs are .NET and JavaScript), so cardProblems checks the
// rules of the Adaptive Card 1.4 schema and Teams' host config that
// hppbot's cards touch: known element and action types with known
// properties and enum values, unique input ids, a label for every input,
// at least one choice (with a title and value) in every Input.ChoiceSet,
// at most 6 actions (Teams' maxActions), non-empty TextBlocks and facts,
// and a mention entity for every <at>…</at> and a <at>…</at> for every
// entity.

var (
	spacings   = []string{"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
	sizes      = []string{"Default", "Small", "Medium", "Large", "ExtraLarge"}
	weights    = []string{"Default", "Lighter", "Bolder"}
	colors     = []string{"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}
	styles     = []string{"default", "positive", "destructive"}
	common     = []string{"type", "id", "spacing", "separator", "isVisible", "height"}
	inputProps = append([]string{"label", "isRequired", "errorMessage", "value"}, common...)
	allowed    = map[string][]string{
		"TextBlock":       append([]string{"text", "wrap", "weight", "size", "color", "isSubtle", "maxLines", "horizontalAlignment", "fontType"}, common...),
		"FactSet":         append([]string{"facts"}, common...),
		"Input.Text":      append([]string{"placeholder", "maxLength", "isMultiline", "style", "regex"}, inputProps...),
		"Input.Date":      append([]string{"placeholder", "min", "max"}, inputProps...),
		"Input.ChoiceSet": append([]string{"choices", "choices.data", "isMultiSelect", "style", "placeholder", "wrap"}, inputProps...),
	}
	atTag = regexp.MustCompile(`<at>([^<]*)</at>`)
)

// cardProblems lists what is wrong with a card; none is clean.
func cardProblems(card map[string]any) []string {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	var data map[string]any // the card as JSON decodes it
	raw, err := json.Marshal(card)
	if err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	checkCardObject(data, true, add)

	// Mentions: the tags in text and the entities match one to one.
	var texts []string
	collectTexts(data["body"], &texts)
	tags := map[string]bool{}
	for _, t := range texts {
		for _, m := range atTag.FindAllString(t, -1) {
			tags[m] = true
		}
		if n := strings.Count(strings.ToLower(t), "<at"); n != len(atTag.FindAllString(t, -1)) {
			add("a TextBlock has %d <at but %d whole mention tags: %q", n, len(atTag.FindAllString(t, -1)), t)
		}
	}
	ms, _ := data["msteams"].(map[string]any)
	ents, _ := ms["entities"].([]any)
	seen := map[string]bool{}
	for _, e := range ents {
		ent, _ := e.(map[string]any)
		text, _ := ent["text"].(string)
		who, _ := ent["mentioned"].(map[string]any)
		if ent["type"] != "mention" || !atTag.MatchString(text) || who["id"] == "" || who["name"] == "" || who["id"] == nil || who["name"] == nil {
			add("bad mention entity %v", ent)
		}
		if !tags[text] {
			add("entity %q is not in the card's text", text)
		}
		seen[text] = true
	}
	for tag := range tags {
		if !seen[tag] {
			add("%s has no mention entity", tag)
		}
	}
	return probs
}

func checkCardObject(c map[string]any, top bool, add func(string, ...any)) {
	if c["type"] != "AdaptiveCard" {
		add("card type %v", c["type"])
	}
	if top && (c["version"] != cardVersion || c["$schema"] != cardSchema) {
		add("card version %v schema %v", c["version"], c["$schema"])
	}
	body, _ := c["body"].([]any)
	actions, _ := c["actions"].([]any)
	if len(body) == 0 {
		add("a card with an empty body")
	}
	ids := map[string]bool{}
	for _, el := range body {
		checkElement(el, ids, add)
	}
	if len(actions) > 6 {
		add("%d actions; Teams shows at most 6", len(actions))
	}
	for _, a := range actions {
		act, _ := a.(map[string]any)
		title, _ := act["title"].(string)
		if title == "" {
			add("an action without a title: %v", act)
		}
		if s, ok := act["style"]; ok && !slices.Contains(styles, fmt.Sprint(s)) {
			add("action style %v", s)
		}
		switch act["type"] {
		case "Action.Submit":
			if _, ok := act["data"].(map[string]any); !ok {
				add("Action.Submit %q without data", title)
			}
		case "Action.ShowCard":
			sub, ok := act["card"].(map[string]any)
			if !ok {
				add("Action.ShowCard %q without a card", title)
				continue
			}
			checkCardObject(sub, false, add)
		default:
			add("action type %v", act["type"])
		}
	}
}

func checkElement(v any, ids map[string]bool, add func(string, ...any)) {
	el, ok := v.(map[string]any)
	if !ok {
		add("an element that isn't an object: %v", v)
		return
	}
	typ, _ := el["type"].(string)
	props, known := allowed[typ]
	if !known {
		add("element type %q", typ)
		return
	}
	for k := range el {
		if !slices.Contains(props, k) {
			add("%s has an unknown property %q", typ, k)
		}
	}
	enum := func(key string, values []string) {
		if s, ok := el[key]; ok && !slices.Contains(values, fmt.Sprint(s)) {
			add("%s %s %v", typ, key, s)
		}
	}
	enum("spacing", spacings)
	enum("size", sizes)
	enum("weight", weights)
	enum("color", colors)
	switch typ {
	case "TextBlock":
		if s, _ := el["text"].(string); strings.TrimSpace(s) == "" {
			add("an empty TextBlock")
		}
	case "FactSet":
		facts, _ := el["facts"].([]any)
		if len(facts) == 0 {
			add("a FactSet with no facts")
		}
		for _, f := range facts {
			fact, _ := f.(map[string]any)
			t, tok := fact["title"].(string)
			_, vok := fact["value"].(string)
			if !tok || !vok || t == "" || len(fact) != 2 {
				add("a fact %v", fact)
			}
		}
	default: // inputs
		id, _ := el["id"].(string)
		if id == "" || ids[id] {
			add("%s id %q empty or used twice", typ, id)
		}
		ids[id] = true
		if l, _ := el["label"].(string); l == "" {
			add("%s %q without a label", typ, id)
		}
		if el["isRequired"] == true {
			if m, _ := el["errorMessage"].(string); m == "" {
				add("required %s %q without an error message", typ, id)
			}
		}
		if typ == "Input.ChoiceSet" {
			enum("style", []string{"compact", "expanded", "filtered"})
			choices, _ := el["choices"].([]any)
			if len(choices) == 0 {
				add("Input.ChoiceSet %q has no choices", id)
			}
			for _, c := range choices {
				ch, _ := c.(map[string]any)
				t, _ := ch["title"].(string)
				val, _ := ch["value"].(string)
				if t == "" || val == "" || len(ch) != 2 {
					add("Input.ChoiceSet %q choice %v", id, ch)
				}
			}
			if q, ok := el["choices.data"]; ok {
				query, _ := q.(map[string]any)
				if query["type"] != "Data.Query" || query["dataset"] == "" || query["dataset"] == nil {
					add("Input.ChoiceSet %q choices.data %v", id, q)
				}
			}
		}
		if typ == "Input.Text" {
			if n, ok := el["maxLength"].(float64); ok && n <= 0 {
				add("Input.Text %q maxLength %v", id, n)
			}
		}
	}
}

// collectTexts gathers every TextBlock's text and every fact in v.
func collectTexts(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "TextBlock" {
			s, _ := x["text"].(string)
			*out = append(*out, s)
		}
		if _, isFact := x["title"]; isFact && x["type"] == nil {
			for _, k := range []string{"title", "value"} {
				s, _ := x[k].(string)
				*out = append(*out, s)
			}
		}
		for _, vv := range x {
			collectTexts(vv, out)
		}
	case []any:
		for _, vv := range x {
			collectTexts(vv, out)
		}
	}
}

func TestCardProblemsFindsWhatTeamsRefuses(t *testing.T) {
	good := func() map[string]any {
		return map[string]any{
			"$schema": cardSchema, "type": "AdaptiveCard", "version": cardVersion,
			"body": []any{
				map[string]any{"type": "TextBlock", "text": "Hello <at>Sam</at>", "wrap": true},
				map[string]any{"type": "Input.ChoiceSet", "id": "in_x", "label": "X", "choices": []any{map[string]any{"title": "A", "value": "a"}}},
			},
			"actions": []any{map[string]any{"type": "Action.Submit", "title": "Go", "data": map[string]any{"hpp": "help"}}},
			"msteams": map[string]any{"entities": []any{map[string]any{"type": "mention", "text": "<at>Sam</at>", "mentioned": map[string]any{"id": "29:sam", "name": "Sam"}}}},
		}
	}
	if p := cardProblems(good()); len(p) != 0 {
		t.Fatalf("a good card has problems: %q", p)
	}
	body := func(c map[string]any) []any { return c["body"].([]any) }
	tests := []struct {
		name   string
		change func(c map[string]any)
		want   string
	}{
		{"no choices", func(c map[string]any) { body(c)[1].(map[string]any)["choices"] = []any{} }, "has no choices"},
		{"a choice without a value", func(c map[string]any) {
			body(c)[1].(map[string]any)["choices"] = []any{map[string]any{"title": "A"}}
		}, "choice"},
		{"<at> without its entity", func(c map[string]any) { delete(c, "msteams") }, "has no mention entity"},
		{"entity without its <at>", func(c map[string]any) { body(c)[0].(map[string]any)["text"] = "Hello" }, "is not in the card's text"},
		{"half a tag", func(c map[string]any) { body(c)[0].(map[string]any)["text"] = "Hello <at>Sam</at> and <at>Jo" }, "whole mention tags"},
		{"unknown element", func(c map[string]any) { body(c)[0].(map[string]any)["type"] = "RichTextBlock" }, "element type"},
		{"unknown property", func(c map[string]any) { body(c)[0].(map[string]any)["colour"] = "red" }, "unknown property"},
		{"bad enum", func(c map[string]any) { body(c)[0].(map[string]any)["weight"] = "Heavy" }, "weight"},
		{"empty text", func(c map[string]any) {
			body(c)[0].(map[string]any)["text"] = " "
			delete(c, "msteams")
		}, "empty TextBlock"},
		{"input without a label", func(c map[string]any) { delete(body(c)[1].(map[string]any), "label") }, "without a label"},
		{"same id twice", func(c map[string]any) { c["body"] = append(body(c), body(c)[1]) }, "used twice"},
		{"seven actions", func(c map[string]any) {
			a := c["actions"].([]any)
			c["actions"] = append(a, a[0], a[0], a[0], a[0], a[0], a[0])
		}, "at most 6"},
		{"wrong version", func(c map[string]any) { c["version"] = "1.6" }, "version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(c)
			p := cardProblems(c)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("problems %q, want one about %q", p, tc.want)
			}
		})
	}
}
