package bot

import (
	"reflect"
	"regexp"
	"testing"
)

func TestReplyMentions(t *testing.T) {
	r := Reply{
		Text:     "<@slack:U1> and <@teams:29:a|Jo> in <#slack:C1>",
		Note:     "again <@slack:U1>",
		Sections: []Section{{Title: "<@console:sam>", Text: "<#console:maternity|maternity>", Fields: []Field{{Label: "Lead", Value: "<@slack:U2>"}}}},
	}
	people, channels := r.Mentions()
	if want := []string{"slack:U1", "teams:29:a", "console:sam", "slack:U2"}; !reflect.DeepEqual(people, want) {
		t.Errorf("people = %v; want %v", people, want)
	}
	if want := []string{"slack:C1", "console:maternity"}; !reflect.DeepEqual(channels, want) {
		t.Errorf("channels = %v; want %v", channels, want)
	}
	if p, c := (Reply{Text: "no mentions < here >"}).Mentions(); p != nil || c != nil {
		t.Errorf("got %v %v from text without mentions", p, c)
	}
}

// mentionPattern is the markup NextMention reads, as a pattern.
var mentionPattern = regexp.MustCompile(`<([@#])([^<>|\s]+)(?:\|[^<>]*)?>`)

// mentionsByPattern lists what the pattern finds in text, as NextMention's
// results.
func mentionsByPattern(text string) []MentionAt {
	var out []MentionAt
	for _, loc := range mentionPattern.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, MentionAt{Start: loc[0], End: loc[1], Kind: text[loc[2]], ID: text[loc[4]:loc[5]]})
	}
	return out
}

func mentionsByHand(text string) []MentionAt {
	var out []MentionAt
	for m, ok := NextMention(text, 0); ok; m, ok = NextMention(text, m.End) {
		out = append(out, m)
	}
	return out
}

var mentionTexts = []string{
	"", "no mentions", "<@slack:U1>", "<#slack:C1>", "<@U1|name>", "<#C1|ward-4>", "<@>", "<@|x>", "<!here>",
	"a <@U1> and <@U2|two> and <#C3>.", "<<@U1>>", "<@U1", "<@U1|", "<@U1|a<b>", "<@U 1>", "<@U\t1>", "<@U\v1>",
	"<@U1|a|b>", "<@@U1>", "<##C1>", "<@U1><@U2>", "<@teams:29:abc|Alex>", "<@é>", "<@\xff>", "<@U1|\xff>", "<", ">",
}

func TestNextMentionMatchesPattern(t *testing.T) {
	for _, text := range mentionTexts {
		if got, want := mentionsByHand(text), mentionsByPattern(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: NextMention found %+v, the pattern %+v", text, got, want)
		}
	}
	if _, ok := NextMention("<@U1>", 99); ok {
		t.Error("NextMention found a mention past the end")
	}
	if _, ok := NextMention("<@U1>", -1); ok {
		t.Error("NextMention took a negative start")
	}
}

func TestReplaceMentions(t *testing.T) {
	got := ReplaceMentions("hi <@U1|x> and <#C2>, <@U3", func(kind byte, id string) string { return string(kind) + "[" + id + "]" })
	if want := "hi @[U1] and #[C2], <@U3"; got != want {
		t.Fatalf("ReplaceMentions = %q, want %q", got, want)
	}
}

// FuzzNextMention: NextMention finds exactly what the pattern finds.
func FuzzNextMention(f *testing.F) {
	for _, text := range mentionTexts {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := mentionsByHand(text), mentionsByPattern(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: NextMention found %+v, the pattern %+v", text, got, want)
		}
	})
}

func TestMarkStruck(t *testing.T) {
	tests := []struct{ in, want string }{
		{"• ~4. Sun 6 Dec — a contact.~ *Recorded in error*", "• ~~4. Sun 6 Dec — a contact.~~ *Recorded in error*"},
		{"about ~5 minutes", "about ~5 minutes"},
		{"~ not struck ~", "~ not struck ~"},
		{"~a~ and ~b c~", "~~a~~ and ~~b c~~"},
		{"~one\nline~", "~one\nline~"},
	}
	for _, tt := range tests {
		if got := MarkStruck(tt.in, "~~", "~~"); got != tt.want {
			t.Errorf("MarkStruck(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
