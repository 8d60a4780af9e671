package teams

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
)

// FuzzActivity feeds arbitrary JSON through what hppbot does with an
// activity once it is authenticated: decoding, the command text, card
// submissions and references. None of it may panic, and the command text
// must not keep the placeholders mentions are swapped through.
func FuzzActivity(f *testing.F) {
	seeds := []string{
		`{"type":"message","text":"<at>hppbot</at> open INC-7 lead=<at>Jo</at> Fall","recipient":{"id":"28:b"},"entities":[{"type":"mention","text":"<at>hppbot</at>","mentioned":{"id":"28:b"}},{"type":"mention","text":"<at>Jo</at>","mentioned":{"id":"29:jo","name":"Jo"}}],"conversation":{"conversationType":"channel","id":"19:c@thread.tacv2;messageid=1"},"channelData":{"channel":{"id":"19:c@thread.tacv2"}}}`,
		`{"type":"message","value":{"hpp":"open","hppForm":{"c":"open","in":[{"n":"ref","k":"text","p":true}]},"in_ref":"INC-1"}}`,
		`{"type":"message","value":{"hpp":"open","hppForm":{"c":"open","in":[{"n":"lead","k":"person"}]},"in_lead":"a,b,,c"}}`,
		`{"type":"invoke","name":"fileConsent/invoke","value":{"action":"accept","context":{"file":"x"}}}`,
		`{"type":"message","text":"<p>a&amp;b&nbsp;\u0000 <at>x</at></p>","entities":[{"type":"mention","text":"","mentioned":{}}]}`,
		`{"timestamp":"not a time"}`,
		`{"value":[1,2]}`,
		`[]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var act schema.Activity
		if err := json.Unmarshal(data, &act); err != nil {
			return
		}
		var ex extras
		_ = json.Unmarshal(data, &ex)
		text := commandText(act, ex, testAppID, func(m mentioned) string { return bot.PersonID(bot.Teams, m.ID) })
		if strings.Contains(text, "\x00") {
			t.Fatalf("command text %q keeps a placeholder", text)
		}
		if utf8.ValidString(act.Text) && !utf8.ValidString(text) {
			t.Fatalf("command text %q is not UTF-8", text)
		}
		_ = channelID(act, ex)
		_ = personID(act.From)
		_ = isPersonal(act)
		_ = replyRef(act)
		if sub, ok := parseSubmission(act.Value); ok && sub.form != nil {
			line, errs := sub.form.CommandLine(answers(sub.form, sub.values))
			// CommandLine trims the command it was given (a card's data can
			// carry one with spaces around it).
			if len(errs) == 0 && !strings.HasPrefix(line, strings.TrimSpace(sub.form.Command)) {
				t.Fatalf("line %q doesn't start with the form's command %q", line, sub.form.Command)
			}
			_ = formCard(sub.form, answers(sub.form, sub.values), errs, formPeople{viewer: "teams:aad-fuzz"})
		}
		// Whatever was typed, every card validates: no Markdown or <at>
		// typed by hand turns into markup (cardProblems).
		r := bot.Reply{Text: text, Note: act.Summary, Sections: []bot.Section{{Title: act.Name, Text: "Note: “" + act.Text + "”", Fields: []bot.Field{{Label: "Note", Value: act.Text}}}}}
		people, _ := r.Mentions()
		names := map[string]string{}
		for i, p := range people {
			names[p] = "Person " + strings.Repeat("x", i%3) + act.From.Name
		}
		for _, a := range renderReply(r, renderOpts{names: names}) {
			for _, att := range a.Attachments {
				if card, ok := att.Content.(object); ok {
					if probs := cardProblems(card); len(probs) > 0 {
						t.Fatalf("a card from %q doesn't validate: %q", data, probs)
					}
				}
			}
		}
	})
}
