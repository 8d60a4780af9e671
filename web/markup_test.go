package web

import (
	"regexp"
	"strings"
	"testing"
)

func TestMarkup(t *testing.T) {
	n := names{"console:lee": "Lee <Ward 4>"}
	for _, tt := range []struct{ in, want string }{
		{"plain & simple", "plain &amp; simple"},
		{"*bold* and ~struck~", "<strong>bold</strong> and <del>struck</del>"},
		{"~by <@console:lee> at 10:00~ reason", "<del>by Lee &lt;Ward 4&gt; at 10:00</del> reason"},
		{"<@console:sam> and <#C1>", "@sam and #C1"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a \ue0000\ue001 b", "a 0 b"},
		{"`code`", "<code>code</code>"},
	} {
		if got := n.inline(tt.in); got != tt.want {
			t.Errorf("inline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := string(n.Block("Head\n• one\n• two\nTail"))
	want := `<p>Head</p><ul class="nhsuk-list nhsuk-list--bullet"><li>one</li><li>two</li></ul><p>Tail</p>`
	if got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

// allowedTags are the only tags markup may produce.
var allowedTags = regexp.MustCompile(`</?(strong|del|code|p|li|ul( class="nhsuk-list nhsuk-list--bullet")?)>`)

// FuzzMarkup: whatever the text (notes are typed by people), the HTML holds
// no tag but the few the markup makes.
func FuzzMarkup(f *testing.F) {
	for _, s := range []string{"*a* ~b~ `c`", "• x\n<@console:lee>", "<img src=x onerror=alert(1)>", "~<@a>~", "\ue000\ue001"} {
		f.Add(s)
	}
	n := names{"console:lee": "<b>Lee</b>"}
	f.Fuzz(func(t *testing.T, s string) {
		out := allowedTags.ReplaceAllString(string(n.Block(s)), "")
		if strings.ContainsAny(out, "<>") {
			t.Fatalf("markup made a tag of %q: %q", s, out)
		}
	})
}
