package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hppbot/bot"
	"hppbot/pathway"
)

// The grammar is the same on every surface:
//
//	command [positional...] [key=value ...] [@mentions ...] [free text]
//
// Options and mentions are read until the first word that is neither; from
// there on everything is free text, kept exactly as typed. So a note may
// contain "x=y" or "@" without being misread.

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

// tokenize splits a line into words; a <...> mention is one word even if it
// holds spaces.
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
		if line[i] == '<' {
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
	i := 0
	for ; i < len(toks) && len(cmd.Args) < g.positional; i++ {
		t := toks[i].text
		if _, _, isOpt := optionWord(t); isOpt && len(g.options) > 0 {
			break
		}
		cmd.Args = append(cmd.Args, t)
	}
	for ; i < len(toks); i++ {
		t := toks[i].text
		if key, value, ok := optionWord(t); ok {
			if !contains(g.options, key) {
				return cmd, unknownOption(name, key, g)
			}
			if _, dup := cmd.Opts[key]; dup {
				return cmd, pathway.Errorf(pathway.Invalid, "%s= is given twice. Give it once, please.", key)
			}
			if value == "" {
				return cmd, pathway.Errorf(pathway.Invalid, "%s= needs a value after the =, with no space: for example %s", key, optionExample(key))
			}
			cmd.Opts[key] = value
			continue
		}
		if g.mentions && isMention(t) {
			for _, part := range splitMentions(t) {
				id, err := resolvePerson(part, surface)
				if err != nil {
					return cmd, err
				}
				cmd.UsedPeople = true
				if !contains(cmd.People, id) {
					cmd.People = append(cmd.People, id)
				}
			}
			if len(cmd.People) > MaxMentions {
				return cmd, pathway.Errorf(pathway.Invalid, "That's more than %d people in one command. Please name fewer.", MaxMentions)
			}
			continue
		}
		break
	}
	if i < len(toks) {
		if !g.text {
			extra := toks[i].text
			return cmd, pathway.Errorf(pathway.Invalid, "I didn't expect %q there. %s", truncate(extra, 40), usageHint(name))
		}
		cmd.Text = strings.TrimSpace(rest[toks[i].start:])
	}
	return cmd, nil
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

func unknownOption(cmd, key string, g grammar) error {
	if len(g.options) == 0 {
		return pathway.Errorf(pathway.Invalid, "%s doesn't take options like %s=. %s", cmd, key, usageHint(cmd))
	}
	best, bestD := "", 3
	for _, o := range g.options {
		if d := editDistance(key, o); d < bestD {
			best, bestD = o, d
		}
	}
	if best != "" {
		return pathway.Errorf(pathway.Invalid, "I don't know the option %s= — did you mean %s=? %s", key, best, usageHint(cmd))
	}
	return pathway.Errorf(pathway.Invalid, "I don't know the option %s= for %s. It takes: %s=. %s", key, cmd, strings.Join(g.options, "=, "), usageHint(cmd))
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

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
