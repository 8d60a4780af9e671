package handlers

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"hppbot/bot"
	"hppbot/pathway"
)

// The grammar is the same on every surface:
//
//	command [positional...] [@mentions ...] [free text], with key=value anywhere
//
// A word shaped like an option (key=value, the key made of letters, '_' or
// '-') is an option wherever it stands, before the free text or inside it:
// people type "Fall on ward harm=severe" and mean harm=severe. A key the
// command doesn't know is refused, never quietly kept as text, so a typo
// such as hram=severe can't leave a case without its harm level. Free text
// that needs such a word writes it with a space instead (BP 90/60).
// Mentions are read before the free text only; after it, "@" is text.
// The free text is kept as typed, less the option words taken out of it.

// MaxLine bounds a command line; longer input is refused before parsing.
const MaxLine = 4000

// MaxMentions bounds the people named in one command.
const MaxMentions = 25

// Command is a parsed command line.
type Command struct {
	Name       string            // the command word, lower case
	Args       []string          // positional words, as typed
	Opts       map[string]string // options, keys lower case
	People     []string          // person ids from mentions, in order
	Channels   []string          // channel ids from channel mentions
	Text       string            // the free text, as typed
	UsedPeople bool              // mentions were given (even unresolved)
}

// token is a word of the line with its place.
type token struct {
	text       string
	start, end int
}

// tokenize splits a line into words; a Slack <@...>, <#...>, <!...> or
// <http...> is one word even if it holds spaces. Any other "<" is an
// ordinary letter, so "BP <90 next=3d then >100" keeps next=3d an option.
func tokenize(line string) []token {
	// Room for every word, roughly, so the slice is made once.
	out := make([]token, 0, strings.Count(line, " ")+1)
	i := 0
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start := i
		if isSlackEscape(line[i:]) {
			if j := strings.IndexByte(line[i:], '>'); j > 0 {
				i += j + 1
				// A mention glued to punctuation stays one word.
				for i < len(line) {
					r, size := utf8.DecodeRuneInString(line[i:])
					if unicode.IsSpace(r) {
						break
					}
					i += size
				}
				out = append(out, token{line[start:i], start, i})
				continue
			}
		}
		for i < len(line) {
			r, size := utf8.DecodeRuneInString(line[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += size
		}
		out = append(out, token{line[start:i], start, i})
	}
	return out
}

// isSlackEscape reports whether s starts one of Slack's <...> escapes: a
// mention, a channel, a special mention or a link.
func isSlackEscape(s string) bool {
	for _, lead := range []string{"<@", "<#", "<!", "<http"} {
		if strings.HasPrefix(s, lead) {
			return true
		}
	}
	return false
}

// grammar says how one command's words are read.
type grammar struct {
	positional int      // words read as they are before options
	options    []string // option keys allowed
	mentions   bool     // @people allowed
	channels   bool     // #channels allowed (as option values)
	text       bool     // free text allowed
}

// commandWord strips a leading "/hpp" or "hpp" from a line and returns the
// command word (lower case) and the rest.
func commandWord(line string) (name, rest string) {
	line = strings.TrimSpace(line)
	for _, lead := range []string{"/hpp", "hpp"} {
		if len(line) >= len(lead) && strings.EqualFold(line[:len(lead)], lead) {
			after := line[len(lead):]
			if after == "" || after[0] == ' ' || after[0] == '\t' || after[0] == '\n' {
				line = strings.TrimSpace(after)
				break
			}
		}
	}
	line = strings.TrimPrefix(line, "/")
	name, rest, _ = strings.Cut(line, " ")
	if i := strings.IndexAny(name, "\t\n"); i >= 0 {
		name, rest = name[:i], name[i+1:]+" "+rest
	}
	return strings.ToLower(name), strings.TrimSpace(rest)
}

// parse reads rest with g, resolving mentions for surface.
func parse(name, rest string, g grammar, surface string) (Command, error) {
	cmd := Command{Name: name, Opts: map[string]string{}}
	toks := tokenize(rest)
	// The free text is the text words' runs, each run as typed; a run ends
	// where an option word was taken out.
	var text strings.Builder
	inText := false
	runStart, runEnd := -1, -1
	endRun := func() {
		if runStart < 0 {
			return
		}
		if text.Len() > 0 {
			text.WriteByte(' ')
		}
		text.WriteString(rest[runStart:runEnd])
		runStart = -1
	}
	for _, tk := range toks {
		t := tk.text
		if key, value, ok := optionWord(t); ok {
			if err := addOption(&cmd, name, key, value, t, g); err != nil {
				return cmd, err
			}
			endRun()
			continue
		}
		if !inText {
			if len(cmd.Args) < g.positional {
				cmd.Args = append(cmd.Args, t)
				continue
			}
			if g.mentions && isMention(t) {
				if err := addMention(&cmd, t, surface); err != nil {
					return cmd, err
				}
				continue
			}
			if !g.text {
				return cmd, pathway.Errorf(pathway.Invalid, "I didn't expect %q there. %s", truncate(t, 40), usageHint(name))
			}
			inText = true
		}
		if runStart < 0 {
			runStart = tk.start
		}
		runEnd = tk.end
	}
	endRun()
	cmd.Text = text.String()
	return cmd, nil
}

// addOption records key=value, refusing a key the command doesn't know, a
// key given twice and an empty value. word is the option as typed.
func addOption(cmd *Command, name, key, value, word string, g grammar) error {
	if !contains(g.options, key) {
		return unknownOption(name, key, word, g)
	}
	if _, dup := cmd.Opts[key]; dup {
		return pathway.Errorf(pathway.Invalid, "%s= is given twice. Give it once, please.", key)
	}
	if value == "" {
		return pathway.Errorf(pathway.Invalid, "%s= needs a value after the =, with no space: for example %s", key, optionExample(key))
	}
	cmd.Opts[key] = value
	return nil
}

// addMention resolves one mention word (which may name several people).
func addMention(cmd *Command, t, surface string) error {
	for _, part := range splitMentions(t) {
		id, err := resolvePerson(part, surface)
		if err != nil {
			return err
		}
		cmd.UsedPeople = true
		if !contains(cmd.People, id) {
			cmd.People = append(cmd.People, id)
		}
	}
	if len(cmd.People) > MaxMentions {
		return pathway.Errorf(pathway.Invalid, "That's more than %d people in one command. Please name fewer.", MaxMentions)
	}
	return nil
}

// optionWord reports whether t is key=value with a simple key.
func optionWord(t string) (key, value string, ok bool) {
	k, v, found := strings.Cut(t, "=")
	if !found || k == "" || len(k) > 20 {
		return "", "", false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return "", "", false
		}
	}
	return strings.ToLower(k), v, true
}

func isMention(t string) bool {
	return strings.HasPrefix(t, "@") && len(t) > 1 || strings.HasPrefix(t, "<@")
}

// splitMentions splits "@a,@b" into its mentions.
func splitMentions(t string) []string {
	t = strings.TrimRight(t, ".;")
	if strings.HasPrefix(t, "<@") {
		var out []string
		for _, m := range strings.SplitAfter(t, ">") {
			m = strings.Trim(m, ", ")
			if m != "" {
				out = append(out, m)
			}
		}
		return out
	}
	var out []string
	for _, m := range strings.Split(t, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// resolvePerson turns one mention into a person id.
func resolvePerson(m, surface string) (string, error) {
	if strings.HasPrefix(m, "<@") && strings.HasSuffix(m, ">") {
		inner := strings.TrimSuffix(strings.TrimPrefix(m, "<@"), ">")
		id, _, _ := strings.Cut(inner, "|")
		if id == "" || len(id) > 200 {
			return "", pathway.Errorf(pathway.Invalid, "I couldn't read that mention. Pick the person from the list as you type their name.")
		}
		if s, _ := bot.SplitID(id); s == bot.Slack || s == bot.Teams || s == bot.Console {
			return id, nil
		}
		return bot.PersonID(surface, id), nil
	}
	name := strings.TrimPrefix(m, "@")
	if surface != bot.Console {
		return "", pathway.Errorf(pathway.Invalid, "I couldn't tell who %s is. Choose them from the list that appears as you type @ and their name, so it becomes a mention.", m)
	}
	if !validConsoleName(name) {
		return "", pathway.Errorf(pathway.Invalid, "%q isn't a name I can use. Names are letters, digits, dots, hyphens and underscores, like @sam or @j.lee.", m)
	}
	return bot.PersonID(bot.Console, strings.ToLower(name)), nil
}

func validConsoleName(name string) bool {
	if name == "" || len(name) > 40 {
		return false
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// resolveChannel turns a channel option value into a channel id.
func resolveChannel(v, surface, here string) (string, error) {
	switch {
	case strings.EqualFold(v, "here") || strings.EqualFold(v, "this"):
		if here == "" {
			return "", pathway.Errorf(pathway.Invalid, "channel=here only works when you type the command in the channel itself.")
		}
		return here, nil
	case strings.HasPrefix(v, "<#") && strings.HasSuffix(v, ">"):
		inner := strings.TrimSuffix(strings.TrimPrefix(v, "<#"), ">")
		id, _, _ := strings.Cut(inner, "|")
		if id == "" {
			break
		}
		if s, _ := bot.SplitID(id); s == bot.Slack || s == bot.Teams || s == bot.Console {
			return id, nil
		}
		return bot.PersonID(surface, id), nil
	case strings.HasPrefix(v, "#") && surface == bot.Console:
		name := strings.ToLower(strings.TrimPrefix(v, "#"))
		if validConsoleName(name) {
			return bot.PersonID(bot.Console, name), nil
		}
	}
	if surface == bot.Console {
		return "", pathway.Errorf(pathway.Invalid, "channel= takes a channel such as channel=#maternity.")
	}
	return "", pathway.Errorf(pathway.Invalid, "channel= takes a channel: type # and pick it from the list, or type the command in the channel with channel=here.")
}

// unknownOption refuses an option word whose key the command doesn't
// know: it names the option meant when one is close, and otherwise the
// options the command takes. Where the word could be part of a note, it says
// how to write it so it stays text.
func unknownOption(cmd, key, word string, g grammar) error {
	var b strings.Builder
	// A short key is a typo for an option one letter away (or two letters
	// swapped); a longer one may be two away. "bp" is not a typo for "on".
	best, bestD := "", 3
	if len(key) <= 3 {
		bestD = 2
	}
	for _, o := range g.options {
		if d := editDistance(key, o); d < bestD {
			best, bestD = o, d
		}
	}
	switch {
	case len(g.options) == 0:
		fmt.Fprintf(&b, "%s doesn't take options like %s=.", cmd, key)
	case best != "":
		fmt.Fprintf(&b, "I don't know the option %s= — did you mean %s=? %s takes %s.", key, best, cmd, strings.Join(g.options, "=, ")+"=")
	default:
		fmt.Fprintf(&b, "I don't know the option %s= for %s. It takes: %s.", key, cmd, strings.Join(g.options, "=, ")+"=")
	}
	if g.text {
		fmt.Fprintf(&b, " If it's part of your note, write it with a space instead of the =, like %s.", truncate(strings.Replace(word, "=", " ", 1), 40))
	}
	b.WriteString(" " + usageHint(cmd))
	return pathway.Errorf(pathway.Invalid, "%s", b.String())
}

func optionExample(key string) string {
	switch key {
	case "lead":
		return "lead=@sam"
	case "service":
		return "service=maternity"
	case "harm":
		return "harm=moderate"
	case "psych":
		return "psych=moderate"
	case "prolonged":
		return "prolonged=yes"
	case "ref":
		return "ref=INC-1042"
	case "candour":
		return "candour=auto"
	case "aware":
		return "aware=2026-11-20"
	case "involved":
		return "involved=@sam,@alex"
	case "every":
		return "every=1w"
	case "via":
		return "via=phone"
	case "next":
		return "next=7d"
	case "on":
		return "on=2026-11-20"
	case "channel":
		return "channel=#maternity"
	case "wellbeing":
		return "wellbeing=@alex"
	case "days":
		return "days=90"
	case "parallel":
		return "parallel=complaint"
	}
	return key + "=..."
}

// editDistance counts the letters to insert, delete or change, or
// neighbouring pairs to swap, to turn a into b.
func editDistance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			rows[i][j] = min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				rows[i][j] = min(rows[i][j], rows[i-2][j-2]+1)
			}
		}
	}
	return rows[len(a)][len(b)]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
