package prompts

import (
	"errors"
	"strings"
	"testing"
)

// card builds a prompt file from parts, so each test changes only what it is about.
type card struct {
	front, purpose, list, instead, try, remember string
}

// goodCard, as written by String, puts the front matter on lines 2-5, the
// purpose on line 8, "## Say" on 10, "## Instead of" on 15, "## Try" on 18
// and "## Remember" on 21.
func goodCard() card {
	return card{
		front:    "topic: handover\ntitle: Handing over\nsummary: When the named contact changes.\norder: 75",
		purpose:  "Use this when someone else becomes the family's named contact.",
		list:     "## Say\n- I'm handing over to my colleague.\n- I've told them everything we talked about.\n- Can we all talk together before I step back?",
		instead:  "## Instead of\nYour case has been reallocated.",
		try:      "## Try\nI'd like to introduce you to my colleague.",
		remember: "## Remember\nKeep to the plan you agreed.",
	}
}

func (c card) String() string {
	parts := []string{"---\n" + c.front + "\n---", c.purpose, c.list, c.instead, c.try, c.remember}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n") + "\n"
}

func TestParseGoodCard(t *testing.T) {
	got, err := Parse("handover.md", []byte(goodCard().String()))
	if err != nil {
		t.Fatal(err)
	}
	want := Topic{
		Name: "handover", Title: "Handing over", Summary: "When the named contact changes.", Order: 75,
		Purpose:          "Use this when someone else becomes the family's named contact.",
		QuestionsHeading: "Say",
		Questions: []string{"I'm handing over to my colleague.", "I've told them everything we talked about.",
			"Can we all talk together before I step back?"},
		InsteadOf: "Your case has been reallocated.",
		Try:       "I'd like to introduce you to my colleague.",
		Remember:  "Keep to the plan you agreed.",
	}
	if got.Text() != want.Text() || got.Name != want.Name || got.Order != want.Order || got.Summary != want.Summary {
		t.Errorf("got\n%#v\nwant\n%#v", got, want)
	}
}

func TestParseForgivingInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, tp Topic)
	}{
		{
			name:  "windows line endings and a byte order mark",
			input: "\ufeff" + strings.ReplaceAll(goodCard().String(), "\n", "\r\n"),
			check: func(t *testing.T, tp Topic) {
				if tp.Name != "handover" || len(tp.Questions) != 3 || strings.Contains(tp.Try, "\r") {
					t.Errorf("got %#v", tp)
				}
			},
		},
		{
			name: "quoted values and lines lose their quotation marks",
			input: func() string {
				c := goodCard()
				c.front = "topic: \"handover\"\ntitle: 'Handing over'\nsummary: When the named contact changes."
				c.list = "## Say\n- \"I'm handing over to my colleague.\"\n- “I've told them everything.”\n- Can we all talk?"
				c.instead = "## Instead of\n\"Your case has been reallocated.\""
				return c.String()
			}(),
			check: func(t *testing.T, tp Topic) {
				if tp.Name != "handover" || tp.Title != "Handing over" || tp.Questions[0] != "I'm handing over to my colleague." ||
					tp.Questions[1] != "I've told them everything." || tp.InsteadOf != "Your case has been reallocated." {
					t.Errorf("got %#v", tp)
				}
			},
		},
		{
			name: "wrapped text, indented continuation and other bullet marks",
			input: func() string {
				c := goodCard()
				c.purpose = "Use this when\nsomeone else takes over."
				c.list = "## Ask or say:\n- A long line that\n  carries on here.\n* Second.\n• Third."
				c.try = "## try\nI'd like to\nintroduce my colleague."
				return c.String()
			}(),
			check: func(t *testing.T, tp Topic) {
				if tp.Purpose != "Use this when someone else takes over." || tp.QuestionsHeading != "Ask or say" ||
					tp.Questions[0] != "A long line that carries on here." || tp.Questions[2] != "Third." ||
					tp.Try != "I'd like to introduce my colleague." {
					t.Errorf("got %#v", tp)
				}
			},
		},
		{
			name: "no order, no remember, comments in the front matter",
			input: func() string {
				c := goodCard()
				c.front = "# written by the patient safety team\ntopic: handover\ntitle: Handing over\nsummary: Short."
				c.remember = ""
				return c.String()
			}(),
			check: func(t *testing.T, tp Topic) {
				if tp.Order != 0 || tp.Remember != "" || strings.Contains(tp.Text(), "Remember") {
					t.Errorf("got %#v\n%s", tp, tp.Text())
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse("card.md", []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, tp)
		})
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	with := func(f func(*card)) string {
		c := goodCard()
		f(&c)
		return c.String()
	}
	tests := []struct {
		name  string
		input string
		want  string // the whole message, file and line included
	}{
		{"empty file", "  \n\n", `x.md line 1: the file is empty`},
		{"no front matter", "Just some advice.\n- one\n", `x.md line 1: a card must start with a line "---"`},
		{"front matter never closed", "---\ntopic: a\ntitle: b\n", `x.md line 1: the front matter that starts here has no closing "---" line`},
		{"missing topic", "---\ntitle: Saying sorry\nsummary: s\n---\n", `x.md line 4: front matter needs "topic:"`},
		{"missing title", with(func(c *card) { c.front = "topic: a\nsummary: s" }), `x.md line 4: front matter needs "title:"`},
		{"missing summary", with(func(c *card) { c.front = "topic: a\ntitle: t" }), `x.md line 4: front matter needs "summary:"`},
		{"unknown key", with(func(c *card) { c.front = "topic: a\ntitle: t\ncolour: blue\nsummary: s" }), `x.md line 4: unknown front-matter key "colour"`},
		{"repeated key", with(func(c *card) { c.front = "topic: a\ntitle: t\ntitle: u\nsummary: s" }), `x.md line 4: "title:" is given twice (first on line 3)`},
		{"not key value", with(func(c *card) { c.front = "topic: a\nthis is prose\nsummary: s" }), `x.md line 3: front matter lines look like "key: value"`},
		{"empty value", with(func(c *card) { c.front = "topic: a\ntitle:\nsummary: s" }), `x.md line 3: "title:" needs a value`},
		{"capitals in topic", with(func(c *card) { c.front = "topic: Apology\ntitle: t\nsummary: s" }), `x.md line 2: topic "Apology" may use only lowercase letters`},
		{"space in topic", with(func(c *card) { c.front = "topic: saying sorry\ntitle: t\nsummary: s" }), `x.md line 2: topic "saying sorry"`},
		{"trailing hyphen in topic", with(func(c *card) { c.front = "topic: sorry-\ntitle: t\nsummary: s" }), `x.md line 2: topic "sorry-"`},
		{"order not a number", with(func(c *card) { c.front = "topic: a\ntitle: t\nsummary: s\norder: first" }), `x.md line 5: order "first" should be a whole number`},
		{"order zero", with(func(c *card) { c.front = "topic: a\ntitle: t\nsummary: s\norder: 0" }), `x.md line 5: order "0"`},
		{"no purpose", with(func(c *card) { c.purpose = "" }), `x.md line 8: the card needs a short purpose`},
		{"no list", with(func(c *card) { c.list = "" }), `x.md: the card needs a list of 3 to 6 questions or phrases`},
		{"no questions", with(func(c *card) { c.list = "## Ask" }), `x.md line 10: there are no questions or phrases under "## Ask"`},
		{"too few questions", with(func(c *card) { c.list = "## Ask\n- One?\n- Two?" }), `x.md line 10: there are 2 lines under "## Ask"; a card needs 3 to 6`},
		{"too many questions", with(func(c *card) { c.list = "## Ask\n- 1\n- 2\n- 3\n- 4\n- 5\n- 6\n- 7" }), `x.md line 17: a card has at most 6 questions or phrases`},
		{"prose in the list", with(func(c *card) { c.list = "## Ask\n- One?\nTwo?" }), `x.md line 12: under "## Ask", start each question or phrase with "- "`},
		{"empty bullet", with(func(c *card) { c.list = "## Ask\n- One?\n-\n- Three?" }), `x.md line 12: this bullet is empty`},
		{"two lists", with(func(c *card) { c.remember = "## Remmeber\n- a\n- b\n- c" }), `x.md line 21: a card has one list of questions or phrases, under "## Say" (line 10); "## Remmeber" starts a second`},
		{"two instead-of pairs", with(func(c *card) { c.try += "\n\n## Instead of\nPolicy says no.\n\n## Try\nLet me find out." }), `x.md line 21: a card has exactly one "Instead of" and "Try" pair; "## Instead of" already appears on line 15`},
		{"two remembers", with(func(c *card) { c.remember += "\n\n## Remember\nAgain." }), `x.md line 24: "## Remember" already appears on line 21`},
		{"two phrases under instead of", with(func(c *card) { c.instead = "## Instead of\nPolicy says no.\n\nWe are unable to comment." }), `x.md line 18: "## Instead of" holds one short passage`},
		{"instead of without try", with(func(c *card) { c.try = "" }), `x.md line 15: "## Instead of" needs a "## Try" section`},
		{"try without instead of", with(func(c *card) { c.instead = "" }), `x.md line 15: "## Try" needs an "## Instead of" section`},
		{"no pair at all", with(func(c *card) { c.instead, c.try = "", "" }), `x.md: the card needs one "## Instead of" section`},
		{"empty try", with(func(c *card) { c.try = "## Try" }), `x.md line 18: "## Try" has no text under it`},
		{"title as level one heading", with(func(c *card) { c.purpose = "# Handing over\n\nUse this." }), `x.md line 8: use "## " for section headings`},
		{"not UTF-8", "---\ntopic: a\xff\n---\n", `x.md: the file is not UTF-8 text`},
		{"far too long", with(func(c *card) { c.purpose = strings.Repeat("Long words here. ", 200) }), `x.md: the card is `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.md", []byte(tt.input))
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %q\nwant %q...", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "x.md" {
				t.Errorf("error %T does not carry the file name", err)
			}
		})
	}
}
