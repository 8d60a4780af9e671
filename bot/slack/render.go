package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// Slack's Block Kit limits (docs.slack.dev/reference/block-kit).
const (
	maxMessageBlocks = 50   // blocks in a message
	maxViewBlocks    = 100  // blocks in a modal or the App Home
	maxSectionText   = 3000 // characters in a section's text
	maxFields        = 10   // fields in a section
	maxFieldText     = 2000 // characters in a field
	maxContextText   = 3000 // characters in a context element
	maxButtons       = 25   // elements in an actions block
	maxButtonLabel   = 75   // characters in a button's label
	maxButtonValue   = 2000 // characters in a button's value
	maxFallbackText  = 300  // characters of the notification text we send
)

// Action ids: a button either runs its value as a command line, or opens the
// form encoded in its value. The index keeps each action id unique.
const (
	actionRun  = "hpp:run:"
	actionForm = "hpp:form:"
)

// message is a reply rendered for Slack: blocks, and the plain fallback text
// Slack shows in notifications.
type message struct {
	Text   string
	Blocks []slack.Block
}

// names maps person and channel ids of other surfaces ("teams:29:…") to the
// names to show for them; Slack's own are rendered as mentions.
type names map[string]string

// render lays out a reply as Block Kit within limit blocks: the text, each
// section (long text split at line breaks, at most ten fields a block), the
// note as a context block, and the buttons. A Form is not shown: a surface
// that can open it does so before rendering.
func render(r bot.Reply, nm names, limit int) message {
	r = fitSections(r, nm, limit)
	var body []slack.Block
	body = append(body, textSections("", r.Text, nm)...)
	for i, s := range r.Sections {
		body = append(body, section(s, nm, i)...)
	}
	var tail []slack.Block
	if note := strings.TrimSpace(r.Note); note != "" {
		tail = append(tail, contextBlock(truncate(mrkdwn(note, nm), maxContextText)))
	}
	tail = append(tail, actions(r.Buttons)...)
	if len(tail) >= limit {
		tail = tail[:limit-1]
	}
	if len(body)+len(tail) > limit {
		body = append(body[:limit-len(tail)-1], contextBlock(escape("There's more than fits in one Slack message. A narrower command shows the rest — or /hpp export <case> gives the full record as a file.")))
	}
	blocks := append(body, tail...)
	return message{Text: fallbackText(r, nm), Blocks: blocks}
}

// fallbackText is the first paragraph of the reply, short: what a
// notification shows.
func fallbackText(r bot.Reply, nm names) string {
	text := strings.TrimSpace(r.Text)
	if text == "" && len(r.Sections) > 0 {
		text = strings.TrimSpace(r.Sections[0].Title + "\n" + r.Sections[0].Text)
		for _, f := range r.Sections[0].Fields {
			if text != "" {
				break
			}
			text = strings.TrimSpace(f.Label + ": " + f.Value)
		}
	}
	if text == "" {
		text = strings.TrimSpace(r.Note)
	}
	if text == "" && len(r.Buttons) > 0 {
		labels := make([]string, 0, len(r.Buttons))
		for _, b := range r.Buttons {
			labels = append(labels, b.Label)
		}
		text = "Choose what to do next: " + strings.Join(labels, ", ")
	}
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	text = mrkdwn(text, nm)
	if text == "" {
		return "A message from hppbot"
	}
	if len(text) > maxFallbackText {
		cut := safeCut(text, maxFallbackText-len("…"))
		return strings.TrimRight(text[:cut], " \n") + "…"
	}
	return text
}

// section renders one section: a bold title with the text, split into as
// many section blocks as the text needs, then the fields, ten a block.
func section(s bot.Section, nm names, index int) []slack.Block {
	blocks := textSections(strings.TrimSpace(s.Title), s.Text, nm)
	if s.Button != nil {
		// The section's own button sits beside its first block.
		if btn, ok := buttonElement(*s.Button, "s"+strconv.Itoa(index)); ok {
			if first, isSection := firstSection(blocks); isSection {
				first.Accessory = slack.NewAccessory(btn)
			} else {
				blocks = append(blocks, slack.NewActionBlock("", btn))
			}
		}
	}
	var fields []*slack.TextBlockObject
	for _, f := range s.Fields {
		text := mrkdwn(f.Value, nm)
		if label := strings.TrimSpace(f.Label); label != "" {
			text = "*" + escape(label) + "*\n" + text
		}
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, truncate(text, maxFieldText), false, false))
	}
	for len(fields) > 0 {
		n := min(len(fields), maxFields)
		if len(blocks) > 0 {
			// The fields sit under the last block of text when they fit.
			if last, ok := blocks[len(blocks)-1].(*slack.SectionBlock); ok && last.Fields == nil {
				last.Fields = fields[:n]
				fields = fields[n:]
				continue
			}
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields[:n], nil))
		fields = fields[n:]
	}
	return blocks
}

// textSections renders text as section blocks no longer than Slack allows,
// splitting at line breaks. A title, when given, starts the first block in
// bold.
func textSections(title, text string, nm names) []slack.Block {
	text = strings.TrimSpace(text)
	var b strings.Builder
	b.Grow(len(title) + len(text) + 16)
	if title != "" {
		b.WriteByte('*')
		escapeTo(&b, title)
		b.WriteByte('*')
		if text != "" {
			b.WriteByte('\n')
		}
	}
	mrkdwnTo(&b, text, nm)
	body := b.String()
	if body == "" {
		return nil
	}
	if len(body) <= maxSectionText {
		// The usual case: one block.
		return []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, body, false, false), nil, nil)}
	}
	var blocks []slack.Block
	for _, chunk := range splitText(body, maxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, chunk, false, false), nil, nil))
	}
	return blocks
}

func contextBlock(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, false))
}

// actions renders buttons, 25 an actions block. A button with a form carries
// the form in its value, so pressing it opens the form even long after the
// message was sent; if the form doesn't fit, the button runs its command.
func actions(buttons []bot.Button) []slack.Block {
	var elems []slack.BlockElement
	for i, b := range buttons {
		if btn, ok := buttonElement(b, strconv.Itoa(i)); ok {
			elems = append(elems, btn)
		}
	}
	var blocks []slack.Block
	for len(elems) > 0 {
		n := min(len(elems), maxButtons)
		blocks = append(blocks, slack.NewActionBlock("", elems[:n]...))
		elems = elems[n:]
	}
	return blocks
}

// buttonElement renders one button; suffix keeps its action id unique in
// the message. ok is false for a button with nothing to run.
func buttonElement(b bot.Button, suffix string) (*slack.ButtonBlockElement, bool) {
	id, value := actionRun+suffix, b.Command
	if b.Form != nil {
		if v, err := encodeState(formState{Form: b.Form}, false); err == nil && len(v) <= maxButtonValue {
			id, value = actionForm+suffix, v
		}
	}
	if value == "" || len(value) > maxButtonValue {
		return nil, false
	}
	label := strings.TrimSpace(b.Label)
	if label == "" {
		label = b.Command
	}
	btn := slack.NewButtonBlockElement(id, value, slack.NewTextBlockObject(slack.PlainTextType, truncate(label, maxButtonLabel), false, false))
	switch b.Style {
	case "primary":
		btn.Style = slack.StylePrimary
	case "danger":
		btn.Style = slack.StyleDanger
	}
	return btn, true
}

// firstSection is the first block of a section's blocks, when it is a
// section block (one that can hold a button beside its text).
func firstSection(blocks []slack.Block) (*slack.SectionBlock, bool) {
	if len(blocks) == 0 {
		return nil, false
	}
	sb, ok := blocks[0].(*slack.SectionBlock)
	return sb, ok
}

// fitSections keeps as many whole sections of a reply with an Overflow as
// fit in limit blocks, ending with where to see the rest; a reply without
// one is cut by render as any long reply is.
func fitSections(r bot.Reply, nm names, limit int) bot.Reply {
	if r.Overflow == "" {
		return r
	}
	fixed := len(textSections("", r.Text, nm)) + len(actions(r.Buttons))
	if strings.TrimSpace(r.Note) != "" {
		fixed++
	}
	sizes := make([]int, len(r.Sections))
	all := fixed
	for i, s := range r.Sections {
		sizes[i] = len(section(s, nm, i))
		all += sizes[i]
	}
	if all <= limit {
		return r
	}
	used, keep := fixed+1, 0 // and the "…and N more" line
	for keep < len(sizes) && used+sizes[keep] <= limit {
		used += sizes[keep]
		keep++
	}
	return r.FitSections(keep)
}

// mrkdwn turns reply markup into Slack mrkdwn: Slack people and channels
// become Slack mentions, people and channels of other surfaces their names,
// and everything else is escaped (&, <, >) so text can't pose as markup.
func mrkdwn(text string, nm names) string {
	if _, ok := bot.NextMention(text, 0); !ok {
		return escape(text)
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	mrkdwnTo(&b, text, nm)
	return b.String()
}

// mrkdwnTo writes mrkdwn(text) to b.
func mrkdwnTo(b *strings.Builder, text string, nm names) {
	prev := 0
	for m, ok := bot.NextMention(text, 0); ok; m, ok = bot.NextMention(text, m.End) {
		escapeTo(b, text[prev:m.Start])
		b.WriteString(mention(m.Kind, m.ID, nm))
		prev = m.End
	}
	escapeTo(b, text[prev:])
}

// mention renders one person or channel.
func mention(kind byte, id string, nm names) string {
	surface, raw := bot.SplitID(id)
	switch surface {
	case bot.Slack, "":
		// An id with no surface came from text typed in Slack itself. Only a
		// real Slack id becomes a mention, so text can't smuggle in a
		// broadcast such as <!here>.
		if !isSlackID(raw) {
			return escape(string(kind) + raw)
		}
		return "<" + string(kind) + raw + ">"
	}
	name := nm[id]
	if name == "" && surface == bot.Console {
		name = raw
	}
	if name == "" {
		if kind == '#' {
			return "a " + displaySurface(surface) + " channel"
		}
		return "a colleague on " + displaySurface(surface)
	}
	return escape(string(kind) + name)
}

func displaySurface(surface string) string {
	switch surface {
	case bot.Teams:
		return "Teams"
	case bot.Console:
		return "the console"
	}
	return "another system"
}

// isSlackID reports whether s looks like a Slack user, channel or team id:
// capital letters and digits.
func isSlackID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// escape applies Slack's three escapes for text that is not markup.
func escape(s string) string {
	if strings.IndexAny(s, "&<>") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	escapeTo(&b, s)
	return b.String()
}

// escapeTo writes s to b with Slack's three escapes.
func escapeTo(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, "&<>")
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		}
		s = s[i+1:]
	}
}

// splitText splits mrkdwn into chunks of at most max bytes, at line breaks
// where it can, and never inside a mention or an escape.
func splitText(s string, max int) []string {
	if s == "" {
		return nil
	}
	var out []string
	for len(s) > max {
		cut := strings.LastIndexByte(s[:max+1], '\n')
		if cut <= 0 {
			cut = safeCut(s, max)
		}
		out = append(out, strings.TrimRight(s[:cut], " \n"))
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// safeCut returns where to cut s to at most max bytes (max ≥ 1): at a space
// near the end when there is one, else at a character boundary outside any
// <…> or &…; token. It never returns 0, so a caller always moves on.
func safeCut(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	if i := strings.LastIndexByte(s[:max], ' '); i > max/2 {
		return i
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// Step back over a token the cut would break.
	if i := strings.LastIndexAny(s[:cut], "<&"); i > 0 {
		closer := ">"
		if s[i] == '&' {
			closer = ";"
		}
		if !strings.Contains(s[i:cut], closer) {
			cut = i
		}
	}
	if cut <= 0 {
		cut = max
	}
	return cut
}

// truncate shortens mrkdwn or plain text to at most max bytes, with an
// ellipsis.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := safeCut(s, max-len("…"))
	return s[:cut] + "…"
}
