package handlers

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"hppbot/bot"
	"hppbot/pathway"
)

func TestCommandWord(t *testing.T) {
	tests := []struct {
		line, name, rest string
	}{
		{"/hpp open INC-1 harm=low", "open", "INC-1 harm=low"},
		{"hpp status HPP-1", "status", "HPP-1"},
		{"HPP   list", "list", ""},
		{"open INC-1", "open", "INC-1"},
		{"/hpp", "", ""},
		{"  /hpp   HELP   open ", "help", "open"},
		{"hppx open", "hppx", "open"},
		{"/status HPP-2", "status", "HPP-2"},
		{"", "", ""},
	}
	for _, tt := range tests {
		name, rest := commandWord(tt.line)
		if name != tt.name || rest != tt.rest {
			t.Errorf("commandWord(%q) = %q, %q; want %q, %q", tt.line, name, rest, tt.name, tt.rest)
		}
	}
}

func TestParse(t *testing.T) {
	open := grammar{positional: 1, options: []string{"lead", "service", "harm", "involved"}, mentions: true, text: true}
	contact := grammar{positional: 1, options: []string{"via", "next"}, text: true}
	lead := grammar{positional: 1, mentions: true}
	tests := []struct {
		name    string
		g       grammar
		surface string
		rest    string
		want    Command
		wantErr string
	}{
		{
			name: "options then text kept as typed", g: open, surface: bot.Console,
			rest: "INC-1042 service=maternity harm=moderate Baby moved  to NICU, 2+2=4 <c stays text",
			want: Command{Args: []string{"INC-1042"}, Opts: map[string]string{"service": "maternity", "harm": "moderate"}, Text: "Baby moved  to NICU, 2+2=4 <c stays text"},
		},
		{
			name: "options after the text are options", g: open, surface: bot.Console,
			rest: "INC-20 Fall on ward harm=severe lead=@alex",
			want: Command{Args: []string{"INC-20"}, Opts: map[string]string{"harm": "severe", "lead": "@alex"}, Text: "Fall on ward"},
		},
		{
			name: "options inside the text are taken out of it", g: contact, surface: bot.Console,
			rest: "HPP-1 Spoke  with mum next=3d about the  meeting via=phone",
			want: Command{Args: []string{"HPP-1"}, Opts: map[string]string{"next": "3d", "via": "phone"}, Text: "Spoke  with mum about the  meeting"},
		},
		{
			name: "options before the positional", g: contact, surface: bot.Console,
			rest: "next=3d HPP-1 note",
			want: Command{Args: []string{"HPP-1"}, Opts: map[string]string{"next": "3d"}, Text: "note"},
		},
		{
			name: "mentions after the text are text", g: open, surface: bot.Console,
			rest: "INC-1 Seen by @sam on the ward",
			want: Command{Args: []string{"INC-1"}, Opts: map[string]string{}, Text: "Seen by @sam on the ward"},
		},
		{
			name: "options between positionals", g: grammar{positional: 2, options: []string{"on"}, text: true}, surface: bot.Console,
			rest: "HPP-1 on=2026-11-20 notified Met the parents",
			want: Command{Args: []string{"HPP-1", "notified"}, Opts: map[string]string{"on": "2026-11-20"}, Text: "Met the parents"},
		},
		{name: "an option repeated in the text", g: open, surface: bot.Console, rest: "INC-1042 harm=moderate Baby moved, harm=x", wantErr: "harm= is given twice"},
		{name: "unknown option inside the text says how to keep it", g: contact, surface: bot.Console, rest: "HPP-1 Checked BP=90/60 today", wantErr: "write it with a space instead of the =, like BP 90/60"},
		{name: "misspelt option after the text", g: open, surface: bot.Console, rest: "INC-20 Fall on ward hram=severe", wantErr: "did you mean harm="},
		{name: "a short unknown key is not matched to a distant option", g: contact, surface: bot.Console, rest: "HPP-1 Checked bp=90/60", wantErr: "I don't know the option bp= for cmd. It takes: via=, next=."},
		{
			name: "console mentions", g: open, surface: bot.Console,
			rest: "INC-1 @Sam @alex,@jo summary",
			want: Command{Args: []string{"INC-1"}, Opts: map[string]string{}, People: []string{"console:sam", "console:alex", "console:jo"}, UsedPeople: true, Text: "summary"},
		},
		{
			name: "slack mentions with names and spaces", g: lead, surface: bot.Slack,
			rest: "HPP-3 <@U024BE7LH|Sam Smith>",
			want: Command{Args: []string{"HPP-3"}, Opts: map[string]string{}, People: []string{"slack:U024BE7LH"}, UsedPeople: true},
		},
		{
			name: "already prefixed ids pass through", g: lead, surface: bot.Teams,
			rest: "HPP-3 <@teams:29:abc|Sam>",
			want: Command{Args: []string{"HPP-3"}, Opts: map[string]string{}, People: []string{"teams:29:abc"}, UsedPeople: true},
		},
		{
			name: "option keys are case-insensitive", g: contact, surface: bot.Console,
			rest: "HPP-1 VIA=phone note",
			want: Command{Args: []string{"HPP-1"}, Opts: map[string]string{"via": "phone"}, Text: "note"},
		},
		{
			name: "an option before the positional is not a positional", g: contact, surface: bot.Console,
			rest: "via=phone",
			want: Command{Opts: map[string]string{"via": "phone"}},
		},
		{name: "unknown option suggests", g: contact, surface: bot.Console, rest: "HPP-1 vai=phone", wantErr: "did you mean via="},
		{name: "unknown option lists", g: contact, surface: bot.Console, rest: "HPP-1 colour=blue", wantErr: "It takes: via=, next="},
		{name: "duplicate option", g: contact, surface: bot.Console, rest: "HPP-1 via=phone via=video", wantErr: "given twice"},
		{name: "empty option", g: contact, surface: bot.Console, rest: "HPP-1 next= soon", wantErr: "needs a value"},
		{name: "bare @name on slack is refused kindly", g: lead, surface: bot.Slack, rest: "HPP-1 @sam", wantErr: "Choose them from the list"},
		{name: "bad console name", g: lead, surface: bot.Console, rest: "HPP-1 @sam!", wantErr: "isn't a name I can use"},
		{name: "text where none is allowed", g: lead, surface: bot.Console, rest: "HPP-1 @sam and more", wantErr: "I didn't expect \"and\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse("cmd", tt.rest, tt.g, tt.surface)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(pathway.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("error = %v; want it to contain %q", err, tt.wantErr)
				}
				if pathway.ErrorCode(err) != pathway.Invalid {
					t.Errorf("code = %s; want invalid", pathway.ErrorCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name = "cmd"
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse = %#v\nwant    %#v", got, tt.want)
			}
		})
	}
}

func TestTooManyMentions(t *testing.T) {
	var b strings.Builder
	b.WriteString("HPP-1")
	for i := 0; i < MaxMentions+1; i++ {
		b.WriteString(" @p")
		b.WriteString(strings.Repeat("x", i+1))
	}
	_, err := parse("involve", b.String(), grammar{positional: 1, mentions: true}, bot.Console)
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("err = %v; want a refusal for too many people", err)
	}
}

func TestResolveChannel(t *testing.T) {
	tests := []struct {
		v, surface, here, want, wantErr string
	}{
		{"#maternity", bot.Console, "", "console:maternity", ""},
		{"<#C0123|maternity>", bot.Slack, "", "slack:C0123", ""},
		{"here", bot.Teams, "teams:19:abc@thread.tacv2", "teams:19:abc@thread.tacv2", ""},
		{"here", bot.Slack, "", "", "only works when you type the command in the channel"},
		{"maternity", bot.Slack, "", "", "type # and pick it"},
		{"#bad name", bot.Console, "", "", "channel=#maternity"},
	}
	for _, tt := range tests {
		got, err := resolveChannel(tt.v, tt.surface, tt.here)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("resolveChannel(%q) err = %v; want %q", tt.v, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("resolveChannel(%q) = %q, %v; want %q", tt.v, got, err, tt.want)
		}
	}
}

func TestTokenizeLeavesOtherAnglesAlone(t *testing.T) {
	var got []string
	for _, tk := range tokenize("BP <90 next=3d then >100") {
		got = append(got, tk.text)
	}
	want := []string{"BP", "<90", "next=3d", "then", ">100"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize = %q; want %q", got, want)
	}
}

func TestTokenizeKeepsMentionsWhole(t *testing.T) {
	toks := tokenize("a <@U1|Sam Smith> b\t<#C1|x>,")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"a", "<@U1|Sam Smith>", "b", "<#C1|x>,"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize = %q; want %q", got, want)
	}
}

func BenchmarkParse(b *testing.B) {
	g := grammar{positional: 1, options: []string{"lead", "service", "harm", "candour", "aware", "involved", "every"}, mentions: true, text: true}
	rest := "INC-1042 service=maternity harm=moderate involved=<@U1>,<@U2> Baby moved to NICU after a delayed escalation"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parse("open", rest, g, bot.Slack); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParse checks the grammar never panics and keeps its promises on any
// input: free text is what was typed less the options in it, no option is
// left in it, people are surface ids.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"INC-1042 service=maternity harm=moderate involved=@sam Baby moved",
		"HPP-3 <@U1|Sam> <@U2>",
		"HPP-1 via=phone next=7d note with = and @ and <",
		"<@", "<@>", "@", "x= =y", "<#C1|", "\xff\xfe", "a\tb\nc",
		"HPP-1 Spoke with mum next=3d", "next=3d HPP-1 note via=phone", "HPP-1 note via=phone more next=2w end",
		"HPP-1 BP <90 next=3d then >100", "HPP-1 see <http://x y> lead=@sam", "HPP-1 BP=90/60",
	} {
		f.Add(s, 0)
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, rest string, which int) {
		surface := bot.Console
		if which%2 == 1 {
			surface = bot.Slack
		}
		g := grammar{positional: 1, options: []string{"via", "next", "lead"}, mentions: true, text: true}
		cmd, err := parse("x", rest, g, surface)
		if err != nil {
			if pathway.ErrorCode(err) != pathway.Invalid {
				t.Fatalf("error code %s for %q", pathway.ErrorCode(err), rest)
			}
			return
		}
		// The text is the input's words in order, less the options taken
		// out: its words are a subsequence of the input's.
		in := tokenize(rest)
		for _, tk := range tokenize(cmd.Text) {
			for len(in) > 0 && in[0].text != tk.text {
				in = in[1:]
			}
			if len(in) == 0 {
				t.Fatalf("text %q is not from the input %q", cmd.Text, rest)
			}
			in = in[1:]
		}
		for _, p := range cmd.People {
			if s, raw := bot.SplitID(p); s == "" || raw == "" {
				t.Fatalf("person %q is not a surface id", p)
			}
		}
		if utf8.ValidString(rest) && !utf8.ValidString(cmd.Text) {
			t.Fatalf("valid input gave invalid text")
		}
		// Options are options wherever they stand: none is left in the text.
		for _, tk := range tokenize(cmd.Text) {
			if _, _, isOpt := optionWord(tk.text); isOpt {
				t.Fatalf("option-shaped word %q left in the text %q of %q", tk.text, cmd.Text, rest)
			}
		}
	})
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"via", "via", 0},
		{"vai", "via", 1},
		{"hram", "harm", 1},
		{"nxet", "next", 1},
		{"bp", "on", 2},
		{"", "on", 2},
		{"servce", "service", 1},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzOptionsAnywhere puts known options at every position of a line of
// ordinary words — before the case id, between it and the note, inside the
// note, at the end — and checks each is read as an option, the case id as
// the positional, and the note as the other words in order, as typed.
func FuzzOptionsAnywhere(f *testing.F) {
	f.Add("HPP-1 Spoke with mum about the meeting", "3d", "phone", uint8(0), uint8(7))
	f.Add("HPP-1 Fall on ward", "2026-12-01", "letter", uint8(4), uint8(4))
	f.Add("HPP-1", "7d", "x", uint8(1), uint8(0))
	f.Add("HPP-1 a  b\tc", "1mo", "@", uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, line, next, via string, atNext, atVia uint8) {
		if !utf8.ValidString(line) {
			return
		}
		// Ordinary words only: nothing option-shaped, no mentions, no <...>.
		var words []string
		for _, w := range strings.Fields(line) {
			w = strings.NewReplacer("=", "-", "<", "(", ">", ")", "@", "at").Replace(w)
			words = append(words, w)
		}
		if len(words) == 0 {
			words = []string{"HPP-1"}
		}
		value := func(v, fallback string) string {
			v = strings.NewReplacer("<", "(", ">", ")").Replace(v)
			if fs := strings.Fields(v); len(fs) > 0 && utf8.ValidString(fs[0]) {
				return fs[0]
			}
			return fallback
		}
		next, via = value(next, "7d"), value(via, "phone")
		line2 := slices.Clone(words)
		line2 = slices.Insert(line2, int(atNext)%(len(line2)+1), "next="+next)
		line2 = slices.Insert(line2, int(atVia)%(len(line2)+1), "VIA="+via)
		rest := strings.Join(line2, " ")
		g := grammar{positional: 1, options: []string{"via", "next", "on"}, mentions: true, text: true}
		cmd, err := parse("contact", rest, g, bot.Console)
		if err != nil {
			t.Fatalf("parse(%q): %v", rest, err)
		}
		want := Command{Name: "contact", Args: words[:1], Opts: map[string]string{"next": next, "via": via}, Text: strings.Join(words[1:], " ")}
		if !reflect.DeepEqual(cmd, want) {
			t.Fatalf("parse(%q)\n = %#v\nwant %#v", rest, cmd, want)
		}
	})
}
