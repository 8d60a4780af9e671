package pathway

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// An Entra object id whose digits read as the NHS number 999 000 0018 when
// the markup is not read as a mention.
const numberedObjectID = "aaaa9990-0000-18bb-8ccc-dddddddddddd"

func TestMentionsAreNotText(t *testing.T) {
	if f, ok := FindIdentifier(numberedObjectID); !ok || f.Kind != NHSNumber {
		t.Fatalf("the test's object id should read as an NHS number on its own; got %+v, %v", f, ok)
	}
	tests := []struct {
		text string
		want IdentifierKind // "" when nothing is refused
	}{
		// Mentions: the id is not read.
		{"contact HPP-1 via=phone agreed that <@teams:" + numberedObjectID + "> calls next", ""},
		{"<@teams:" + numberedObjectID + ">", ""},
		{"<#teams:19:9990000018abc@thread.tacv2>", ""},
		{"<@teams:29:1aaaa9990-0000-18bb>", ""},
		{"<@console:sam9990000018>", ""},
		{"<@slack:U9990000018>", ""},
		{"spoke with <@U9990000018> and <@W9990000018|sam>", ""},
		{"see <#C9990000018|maternity> and <#G9990000018>", ""},
		{"<!here> <!channel> <!subteam^S9990000018|@nurses> <!date^9990000018^{date}|today>", ""},
		{"Mr <@U0123ABCD> will call", ""}, // a colleague named with a mention
		{"asked <@U0123ABCD|Mr Smith> aged 50", ""},
		{"<@teams:" + numberedObjectID + "> aged 45", ""},

		// What people type around and inside mentions is still read.
		{"<@U0123ABCD> NHS 999 000 0018", NHSNumber},
		{"<@U0123ABCD|999 000 0018>", NHSNumber}, // a label is typed text
		{"<#C0123ABCD|SW1A 1AA>", Postcode},
		{"<@teams:" + numberedObjectID + "> met Mrs Smith", Name},

		// Markup with no platform id's shape is text.
		{"<@9990000018>", NHSNumber},
		{"<#9990000018>", NHSNumber},
		{"<!9990000018>", NHSNumber},
		{"<@u9990000018>", NHSNumber},
		{"<@nhs:9990000018>", NHSNumber},
		{"<@teams:" + numberedObjectID, NHSNumber}, // not closed
		{"<@teams:aaaa9990-0000-18bb 8ccc>", NHSNumber},
		// Markup a surface kept inert (a typed "<" with a word joiner or
		// another invisible character after it) is text.
		{"<\u2060@U9990000018>", NHSNumber},
		{"<\u2060@teams:9990000018>", NHSNumber},
		{"<\u200b#C9990000018|x>", NHSNumber},
		{"<\u2060!subteam^S9990000018>", NHSNumber},
		{"<\u2060@U0123ABCD> said hello", ""},
		{"spoke with <\u2060@U9990000018>", NHSNumber},
		{"<\u2060#C9990000018|maternity>", NHSNumber},
		{"<\u200b@teams:" + numberedObjectID + ">", NHSNumber},
		// So is markup written otherwise than in ASCII (a full-width "<"):
		// a platform writes its mentions in plain ASCII.
		{"\uff1c@U9990000018>", NHSNumber},
		{"\uff1c@U9990000018\uff1e", NHSNumber},
		// Real mentions in text that isn't plain ASCII are still mentions.
		{"<\u2060@U0123ABCD> and <@U9990000018> \u00a0here", ""},
		{"café <@U9990000018|sam>", ""},
		// Digits either side of a mention do not join across it.
		{"999 <@U0123ABCD> 000 0018", ""},
	}
	for _, tt := range tests {
		f, ok := FindIdentifier(tt.text)
		if ok != (tt.want != "") || f.Kind != tt.want {
			t.Errorf("FindIdentifier(%q) = %+v, %v; want %q", tt.text, f, ok, tt.want)
		}
	}
}

// randomObjectID is an Entra object id: a version 4 UUID.
func randomObjectID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Issue 20, item 3: about one Teams colleague in two hundred was refused.
// None of 200,000 random object ids is refused as a mention, though on their
// own, as text, about one in two hundred reads as a number.
func TestRandomObjectIDsAreNotRefused(t *testing.T) {
	count := 200_000
	if testing.Short() {
		count = 20_000
	}
	rng := rand.New(rand.NewPCG(3, 200))
	refused, asText := 0, 0
	var b strings.Builder
	for range count {
		id := randomObjectID(rng)
		b.Reset()
		b.WriteString("agreed that <@teams:")
		b.WriteString(id)
		b.WriteString("> calls next")
		if _, ok := FindIdentifier(b.String()); ok {
			refused++
			if refused <= 3 {
				t.Errorf("refused a note mentioning %s", id)
			}
		}
		if _, ok := FindIdentifier(id); ok {
			asText++
		}
	}
	if refused != 0 {
		t.Errorf("%d of %d random object ids refused; want 0", refused, count)
	}
	if asText < count/1000 {
		t.Errorf("only %d of %d object ids read as a number on their own: the test proves little", asText, count)
	}
	t.Logf("%d random object ids: %d refused as mentions, %d would be as text", count, refused, asText)
}
