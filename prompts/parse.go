package prompts

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits that keep a card short enough to read in under a minute and to fit
// in one Slack section (3,000 characters), with room for a surface to add a
// line of its own.
const (
	minQuestions  = 3
	maxQuestions  = 6
	maxCardChars  = 2800
	maxFileBytes  = 32 << 10
	maxTitleChars = 80
	maxSumChars   = 150
	maxHeadChars  = 40
	maxNameChars  = 40
	defaultOrder  = 1000 // a new card with no order: after the built-in ones
	maxOrder      = 9999
)

var topicName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseError is a problem with one prompt file. Line is 1-based, or 0 when
// the problem is with the file as a whole (something missing, say).
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// The sections of a card body, in the order they usually appear.
type section int

const (
	secPurpose section = iota
	secList
	secInsteadOf
	secTry
	secRemember
)

// fixedSections are the headings with a fixed meaning; any other "##"
// heading introduces the card's list of questions or phrases.
var fixedSections = map[string]section{
	"instead of": secInsteadOf,
	"try":        secTry,
	"remember":   secRemember,
}

var sectionHeading = map[section]string{
	secInsteadOf: "## Instead of",
	secTry:       "## Try",
	secRemember:  "## Remember",
}

// Parse reads one prompt file. name is used only in error messages and is
// usually the file's path. The returned Topic's Source is empty and its Order
// is 0 when the file gives none; Load fills both in.
func Parse(name string, data []byte) (Topic, error) {
	p := &parser{file: name}
	t, err := p.parse(data)
	if err != nil {
		return Topic{}, err
	}
	return t, nil
}

type parser struct {
	file string
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parse(data []byte) (Topic, error) {
	var t Topic
	if len(data) > maxFileBytes {
		return t, p.errf(0, "the file is %d bytes; a prompt card is at most %d", len(data), maxFileBytes)
	}
	if !utf8.Valid(data) {
		return t, p.errf(0, "the file is not UTF-8 text; save it as UTF-8 and try again")
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if strings.TrimSpace(text) == "" {
		return t, p.errf(1, `the file is empty; a card starts with front matter between two "---" lines`)
	}
	lines := strings.Split(text, "\n")

	bodyStart, err := p.frontMatter(lines, &t)
	if err != nil {
		return Topic{}, err
	}
	if err := p.body(lines, bodyStart, &t); err != nil {
		return Topic{}, err
	}
	if n := utf8.RuneCountInString(t.Text()); n > maxCardChars {
		return Topic{}, p.errf(0, "the card is %d characters when shown; keep it under %d so it fits in one chat message", n, maxCardChars)
	}
	return t, nil
}

// frontMatter fills the front-matter fields of t and returns the index of
// the first body line.
func (p *parser) frontMatter(lines []string, t *Topic) (int, error) {
	if strings.TrimSpace(lines[0]) != "---" {
		return 0, p.errf(1, `a card must start with a line "---", then front matter such as "topic: listen", then another "---"`)
	}
	seen := map[string]int{}
	closing := -1
	for i := 1; i < len(lines); i++ {
		n := i + 1
		line := strings.TrimSpace(lines[i])
		if line == "---" {
			closing = i
			break
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return 0, p.errf(n, `front matter lines look like "key: value"; this one does not (did you forget the closing "---"?)`)
		}
		if prev, dup := seen[key]; dup {
			return 0, p.errf(n, `%q is given twice (first on line %d)`, key+":", prev)
		}
		seen[key] = n
		value = unquote(strings.TrimSpace(value))
		if value == "" {
			return 0, p.errf(n, "%q needs a value", key+":")
		}
		switch key {
		case "topic":
			if len(value) > maxNameChars || !topicName.MatchString(value) {
				return 0, p.errf(n, "topic %q may use only lowercase letters, digits and single hyphens, up to %d characters (for example \"keep-in-touch\")", value, maxNameChars)
			}
			t.Name = value
		case "title":
			if utf8.RuneCountInString(value) > maxTitleChars {
				return 0, p.errf(n, "the title is longer than %d characters", maxTitleChars)
			}
			t.Title = value
		case "summary":
			if utf8.RuneCountInString(value) > maxSumChars {
				return 0, p.errf(n, "the summary is longer than %d characters; it is one line in the topic list", maxSumChars)
			}
			t.Summary = value
		case "order":
			o, err := strconv.Atoi(value)
			if err != nil || o < 1 || o > maxOrder {
				return 0, p.errf(n, "order %q should be a whole number from 1 to %d", value, maxOrder)
			}
			t.Order = o
		default:
			return 0, p.errf(n, "unknown front-matter key %q; the keys are topic, title, summary and order", key)
		}
	}
	if closing < 0 {
		return 0, p.errf(1, `the front matter that starts here has no closing "---" line`)
	}
	closeLine := closing + 1
	for _, k := range []string{"topic", "title", "summary"} {
		if _, ok := seen[k]; !ok {
			return 0, p.errf(closeLine, "front matter needs %q", k+":")
		}
	}
	return closing + 1, nil
}

var headingLine = regexp.MustCompile(`^(#+)(?:\s+(.*))?$`)

// body reads the purpose and the sections after the front matter.
func (p *parser) body(lines []string, start int, t *Topic) error {
	var (
		cur        = secPurpose
		paras      = map[section][][]string{} // paragraphs of the text sections, as lines
		items      [][]string                 // the list's bullets, as lines
		headLine   = map[section]int{}        // where each section's heading is
		firstHead  = 0                        // line of the first heading
		newPara    = true                     // the next text line starts a paragraph
		lastBullet = -1                       // line index of the last bullet line, for continuations
	)
	for i := start; i < len(lines); i++ {
		n := i + 1
		raw := strings.TrimRight(lines[i], " \t")
		line := strings.TrimSpace(raw)

		if m := headingLine.FindStringSubmatch(line); m != nil {
			if len(m[1]) != 2 {
				return p.errf(n, `use "## " for section headings; the title comes from the front matter`)
			}
			head := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[2]), ":"))
			if head == "" {
				return p.errf(n, "this heading has no text")
			}
			if firstHead == 0 {
				firstHead = n
			}
			sec, fixed := fixedSections[strings.ToLower(head)]
			if !fixed {
				sec = secList
				if utf8.RuneCountInString(head) > maxHeadChars {
					return p.errf(n, "the heading is longer than %d characters", maxHeadChars)
				}
			}
			if prev, dup := headLine[sec]; dup {
				if sec == secList {
					return p.errf(n, `a card has one list of questions or phrases, under "## %s" (line %d); "## %s" starts a second. The other headings are "## Instead of", "## Try" and "## Remember"`, t.QuestionsHeading, prev, head)
				}
				if sec == secInsteadOf || sec == secTry {
					return p.errf(n, `a card has exactly one "Instead of" and "Try" pair; %q already appears on line %d`, sectionHeading[sec], prev)
				}
				return p.errf(n, "%q already appears on line %d", sectionHeading[sec], prev)
			}
			headLine[sec] = n
			if sec == secList {
				t.QuestionsHeading = head
			}
			cur, newPara, lastBullet = sec, true, -1
			continue
		}

		if line == "" {
			newPara, lastBullet = true, -1
			continue
		}

		if cur == secList {
			if item, ok := bullet(line); ok {
				if item == "" {
					return p.errf(n, "this bullet is empty")
				}
				if len(items) == maxQuestions {
					return p.errf(n, "a card has at most %d questions or phrases, so it can be read in under a minute; this is number %d", maxQuestions, maxQuestions+1)
				}
				items = append(items, []string{item})
				lastBullet = i
				continue
			}
			if lastBullet == i-1 && raw != line && len(items) > 0 {
				// An indented line straight after a bullet continues it.
				items[len(items)-1] = append(items[len(items)-1], line)
				lastBullet = i
				continue
			}
			return p.errf(n, `under "## %s", start each question or phrase with "- "`, t.QuestionsHeading)
		}

		ps := paras[cur]
		if newPara || len(ps) == 0 {
			if cur != secPurpose && len(ps) > 0 {
				return p.errf(n, "%q holds one short passage; this blank line starts a second", sectionHeading[cur])
			}
			ps = append(ps, nil)
		}
		ps[len(ps)-1] = append(ps[len(ps)-1], line)
		paras[cur] = ps
		newPara = false
	}

	for _, lines := range items {
		t.Questions = append(t.Questions, unquote(strings.Join(lines, " ")))
	}
	var purpose []string
	for _, para := range paras[secPurpose] {
		purpose = append(purpose, strings.Join(para, " "))
	}
	t.Purpose = strings.Join(purpose, "\n\n")
	t.InsteadOf = unquote(joinPassage(paras[secInsteadOf]))
	t.Try = unquote(joinPassage(paras[secTry]))
	t.Remember = joinPassage(paras[secRemember])

	if t.Purpose == "" {
		return p.errf(firstHead, "the card needs a short purpose, between the front matter and the first heading: when to use it and why it matters")
	}
	ln, hasList := headLine[secList]
	switch {
	case !hasList:
		return p.errf(0, `the card needs a list of %d to %d questions or phrases under a heading such as "## Ask", each line starting with "- "`, minQuestions, maxQuestions)
	case len(t.Questions) == 0:
		return p.errf(ln, `there are no questions or phrases under "## %s"; add %d to %d lines starting with "- "`, t.QuestionsHeading, minQuestions, maxQuestions)
	case len(t.Questions) == 1:
		return p.errf(ln, `there is 1 line under "## %s"; a card needs %d to %d`, t.QuestionsHeading, minQuestions, maxQuestions)
	case len(t.Questions) < minQuestions:
		return p.errf(ln, `there are %d lines under "## %s"; a card needs %d to %d`, len(t.Questions), t.QuestionsHeading, minQuestions, maxQuestions)
	}
	for _, sec := range []section{secInsteadOf, secTry, secRemember} {
		if hl, ok := headLine[sec]; ok && len(paras[sec]) == 0 {
			return p.errf(hl, "%q has no text under it", sectionHeading[sec])
		}
	}
	_, hasInstead := headLine[secInsteadOf]
	_, hasTry := headLine[secTry]
	switch {
	case !hasInstead && !hasTry:
		return p.errf(0, `the card needs one "## Instead of" section (a defensive or procedural phrase) and one "## Try" section (a better one)`)
	case !hasTry:
		return p.errf(headLine[secInsteadOf], `"## Instead of" needs a "## Try" section to go with it`)
	case !hasInstead:
		return p.errf(headLine[secTry], `"## Try" needs an "## Instead of" section to go with it`)
	}
	return nil
}

// joinPassage joins the lines of a one-passage section (the parser has
// already refused a second passage).
func joinPassage(paras [][]string) string {
	if len(paras) == 0 {
		return ""
	}
	return strings.Join(paras[0], " ")
}

// bullet reports whether line is a list item and returns its text.
func bullet(line string) (string, bool) {
	for _, mark := range []string{"-", "*", "•"} {
		if line == mark {
			return "", true
		}
		if rest, ok := strings.CutPrefix(line, mark+" "); ok {
			return unquote(strings.TrimSpace(rest)), true
		}
	}
	return "", false
}

// unquote removes one pair of quotation marks around the whole of s, so a
// file written with quotes renders the same as one written without.
func unquote(s string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}, {"'", "'"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			inner := s[len(q[0]) : len(s)-len(q[1])]
			if !strings.Contains(inner, q[0]) && !strings.Contains(inner, q[1]) {
				return strings.TrimSpace(inner)
			}
		}
	}
	return s
}
