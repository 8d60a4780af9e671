package prompts

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input makes Parse panic, that every error names
// the file, and that whatever Parse accepts is a card hppbot can show.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(content, "content/*.md")
	for _, n := range names {
		b, _ := fs.ReadFile(content, n)
		f.Add(b)
	}
	for _, s := range []string{
		"", "---", "---\n---", "---\ntopic: a\n", "\ufeff---\r\ntopic: a\r\n---\r\n",
		ownApology, newTopic, goodCard().String(),
		"---\ntopic: a\ntitle: t\nsummary: s\n---\np\n## Ask\n- \"\n  \"\n- '\n- “”\n## Instead of\n\"\n## Try\n'",
		"---\ntopic: a\ntitle: t\nsummary: s\n---\n## \n#\n###\n- \n* \n•",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := Parse("fuzz.md", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.md" || pe.Line < 0 {
				t.Fatalf("error without file and line: %#v", err)
			}
			return
		}
		if !topicName.MatchString(tp.Name) || tp.Title == "" || tp.Summary == "" || tp.Purpose == "" {
			t.Fatalf("accepted an incomplete card: %#v", tp)
		}
		if n := len(tp.Questions); n < minQuestions || n > maxQuestions {
			t.Fatalf("accepted %d questions", n)
		}
		if tp.InsteadOf == "" || tp.Try == "" {
			t.Fatalf("accepted a card without its pair: %#v", tp)
		}
		text := tp.Text()
		if utf8.RuneCountInString(text) > maxCardChars || !utf8.ValidString(text) || strings.Contains(text, "\r") {
			t.Fatalf("accepted a card that cannot be shown: %q", text)
		}
	})
}
