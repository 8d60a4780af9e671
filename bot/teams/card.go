package teams

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
)

// Replies become Adaptive Cards (schema 1.4, which Teams renders on desktop,
// web and mobile): the text as TextBlocks in Teams' Markdown subset, fields
// as FactSets, buttons as Action.Submit carrying the command line, forms as
// inputs. A card is kept under Teams' message size limit (40 KB counted in
// UTF-16); a longer reply is split over several messages.

const (
	cardVersion    = "1.4"
	cardSchema     = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardType       = "application/vnd.microsoft.card.adaptive"
	maxCardBytes   = 18000   // JSON bytes per card: well inside 40 KB of UTF-16
	maxInlineImage = 1 << 20 // Teams shows inline images up to 1 MB
	// submitKey carries a button's command line in Action.Submit data.
	submitKey = "hpp"
	// formKey carries a form's description, to turn answers into a line.
	formKey = "hppForm"
	// inputPrefix starts every input id, so answers never clash with
	// submitKey or formKey.
	inputPrefix = "in_"
)

// object is a JSON object of a card.
type object = map[string]any

// renderOpts is what rendering needs besides the reply.
type renderOpts struct {
	names    map[string]string // person id -> display name
	channels map[string]string // channel id -> display name
	line     string            // the command line that gave this reply
	personal bool              // going to a personal chat (files can be offered)
	pending  map[int]string    // file index -> pending file id, for files kept to offer
	viewer   string            // the person the reply is for, when it is for one person
}

// people is what a form's people pickers need.
func (o renderOpts) people() formPeople { return formPeople{viewer: o.viewer, names: o.names} }

// renderReply turns a reply into the activities to send, in order. It
// never fails: what Teams can't show is said in words instead.
func renderReply(r bot.Reply, o renderOpts) []schema.Activity {
	var out []schema.Activity
	if r.Form != nil {
		out = append(out, cardActivity(formCard(r.Form, nil, nil, o.people()), r.Form.Title))
	} else {
		out = append(out, renderCards(r, o)...)
	}
	out = append(out, renderFiles(r.Files, o)...)
	return out
}

// renderCards lays out text, sections, note and buttons, split over as
// many cards as the size limit needs; the buttons go on the last.
func renderCards(r bot.Reply, o renderOpts) []schema.Activity {
	r = fitActions(r)
	w := &markup{o: o}
	var body []object
	body = append(body, w.textBlocks(r.Text, nil)...)
	for i, s := range r.Sections {
		var blocks []object
		if s.Title != "" {
			t := w.textBlock(s.Title, object{"weight": "Bolder"})
			blocks = append(blocks, t)
		}
		blocks = append(blocks, w.textBlocks(s.Text, nil)...)
		if len(s.Fields) > 0 {
			facts := make([]object, 0, len(s.Fields))
			for _, f := range s.Fields {
				facts = append(facts, object{"title": w.plain(f.Label), "value": w.plain(f.Value)})
			}
			blocks = append(blocks, object{"type": "FactSet", "facts": facts})
		}
		if len(blocks) > 0 && (i > 0 || len(body) > 0) {
			blocks[0]["spacing"] = "Medium"
			blocks[0]["separator"] = true
		}
		body = append(body, blocks...)
	}
	if r.Note != "" {
		body = append(body, w.textBlocks(r.Note, object{"isSubtle": true, "size": "Small", "spacing": "Medium"})...)
	}
	actions := buttonActions(r.AllButtons(), o)
	if len(body) == 0 {
		if len(actions) == 0 {
			return nil
		}
		body = append(body, object{"type": "TextBlock", "text": "Choose what to do next:", "wrap": true})
	}

	// Pack the elements into cards under the size limit.
	var out []schema.Activity
	summary := summaryOf(r)
	var cur []object
	flush := func(last bool) {
		if len(cur) == 0 {
			return
		}
		c := newCard(cur, w.entitiesFor(cur))
		if last && len(actions) > 0 {
			c["actions"] = actions
		}
		out = append(out, cardActivity(c, summary))
		cur = nil
	}
	budget := maxCardBytes - jsonSize(actions)
	for _, el := range body {
		el = fitElement(el, budget)
		if len(cur) > 0 && jsonSize(cur)+jsonSize(el) > budget {
			flush(false)
		}
		cur = append(cur, el)
	}
	flush(true)
	return out
}

func newCard(body []object, entities []object) object {
	c := object{"$schema": cardSchema, "type": "AdaptiveCard", "version": cardVersion, "body": body}
	ms := object{"width": "Full"}
	if len(entities) > 0 {
		ms["entities"] = entities
	}
	c["msteams"] = ms
	return c
}

func cardActivity(card object, summary string) schema.Activity {
	setSpoken(card, summary)
	return schema.Activity{
		Type:        schema.Message,
		Summary:     summary,
		Attachments: []schema.Attachment{{ContentType: cardType, Content: card}},
	}
}

// summaryOf is the notification preview: the first line, plain.
func summaryOf(r bot.Reply) string {
	line, _, _ := strings.Cut(strings.TrimSpace(r.Text), "\n")
	line = boldPattern.ReplaceAllString(line, "$1")
	line = bot.ReplaceMentions(line, func(kind byte, id string) string { return "" })
	line = strings.Join(strings.Fields(line), " ")
	if r := []rune(line); len(r) > 120 {
		line = string(r[:119]) + "…"
	}
	return line
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// fitElement shortens a TextBlock that alone is over budget.
func fitElement(el object, budget int) object {
	if jsonSize(el) <= budget {
		return el
	}
	text, ok := el["text"].(string)
	if !ok {
		// A FactSet: keep as many facts as fit.
		if facts, ok := el["facts"].([]object); ok {
			for len(facts) > 1 && jsonSize(el) > budget {
				facts = facts[:len(facts)-1]
				el["facts"] = facts
			}
		}
		return el
	}
	r := []rune(text)
	n := len(r) * budget / (jsonSize(el) + 1)
	for n > 0 {
		el["text"] = string(r[:n]) + " …\n\n(This was too long to show in full here.)"
		if jsonSize(el) <= budget {
			break
		}
		n = n * 9 / 10
	}
	return el
}

// buttonActions turns buttons into Action.Submit (or Action.ShowCard for a
// button that first asks for more with a form).
func buttonActions(buttons []bot.Button, o renderOpts) []object {
	actions := []object{}
	for _, b := range buttons {
		if b.Label == "" || b.Command == "" {
			continue
		}
		if b.Form != nil {
			sub := formCard(b.Form, nil, nil, o.people())
			delete(sub, "$schema")
			delete(sub, "msteams")
			actions = append(actions, object{"type": "Action.ShowCard", "title": b.Label, "card": sub})
			continue
		}
		a := object{"type": "Action.Submit", "title": b.Label, "data": object{submitKey: b.Command}}
		switch b.Style {
		case "primary":
			a["style"] = "positive"
		case "danger":
			a["style"] = "destructive"
		}
		actions = append(actions, a)
	}
	return actions
}

// markup converts hppbot's reply markup into Teams' Markdown subset and
// collects the mention entities the text needs.
type markup struct {
	o        renderOpts
	mentions map[string]object // "<at>Name</at>" -> its entity
}

var (
	boldPattern = regexp.MustCompile(`\*([^*\n]+)\*`)
	// slashCommand is "/hpp " where a reply tells people what to type: in
	// Teams they type "hpp ..." (or just the command) to hppbot.
	slashCommand = regexp.MustCompile(`(^|[\s(:"'‘“])/hpp\b`)
)

// teamsMarkdown turns *bold* into Teams' **bold**, ~struck out~ into
// ~~struck out~~, and "/hpp" into "hpp".
func teamsMarkdown(text string) string {
	text = boldPattern.ReplaceAllString(text, "**$1**")
	text = bot.MarkStruck(text, "~~", "~~")
	return slashCommand.ReplaceAllString(text, "${1}hpp")
}

// textBlocks renders text as TextBlocks: runs of "• " lines become one
// Markdown list, other lines one block with paragraph breaks (TextBlocks
// need "\n\n" for a line break outside lists, and "\r" between list items).
func (w *markup) textBlocks(text string, extra object) []object {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var blocks []object
	var para, list []string
	flushPara := func() {
		if len(para) > 0 {
			blocks = append(blocks, textBlockOf(strings.Join(para, "\n\n"), extra))
			para = nil
		}
	}
	flushList := func() {
		if len(list) > 0 {
			blocks = append(blocks, textBlockOf(strings.Join(list, "\r"), extra))
			list = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		switch {
		case strings.HasPrefix(line, "• "):
			flushPara()
			list = append(list, "- "+w.rich(strings.TrimPrefix(line, "• ")))
		case line == "":
			flushPara()
			flushList()
		default:
			flushList()
			para = append(para, w.rich(line))
		}
	}
	flushPara()
	flushList()
	for i := 1; i < len(blocks); i++ {
		if _, set := blocks[i]["spacing"]; !set {
			blocks[i]["spacing"] = "Small"
		}
	}
	return blocks
}

// textBlock renders markup as one TextBlock.
func (w *markup) textBlock(text string, extra object) object {
	return textBlockOf(w.rich(text), extra)
}

// textBlockOf is a TextBlock of text already in Teams' Markdown.
func textBlockOf(text string, extra object) object {
	b := object{"type": "TextBlock", "text": text, "wrap": true}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// rich converts hppbot markup for a TextBlock: *bold*, mentions (a Teams
// person known by name becomes a real mention), and everything else as
// text (markdown.go).
func (w *markup) rich(text string) string { return w.convert(text, true) }

// plain converts markup for places where Teams shows no mentions (facts).
func (w *markup) plain(text string) string { return w.convert(text, false) }

// mention renders one mention: a real Teams mention when tags is set and
// the person is a Teams person known by name, else their name.
func (w *markup) mention(kind byte, id string, tags bool) string {
	if kind == '#' {
		return w.channelName(id)
	}
	name := w.personName(id)
	if name == "" {
		return "a colleague"
	}
	surface, raw := bot.SplitID(id)
	if !tags || surface != bot.Teams || raw == "" {
		return name
	}
	tag := "<at>" + name + "</at>"
	if w.mentions == nil {
		w.mentions = map[string]object{}
	}
	if _, ok := w.mentions[tag]; !ok {
		w.mentions[tag] = object{"type": "mention", "text": tag, "mentioned": object{"id": raw, "name": name}}
	}
	return tag
}

func (w *markup) personName(id string) string {
	return cleanName(w.o.names[id])
}

func (w *markup) channelName(id string) string {
	if name := cleanName(w.o.channels[id]); name != "" {
		return "#" + name
	}
	if surface, _ := bot.SplitID(id); surface == bot.Teams {
		return "the team channel"
	}
	return "the service channel"
}

// cleanName keeps a display name from breaking the markup around it.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case '<', '>', '*', '_', '[', ']', '\n', '\r':
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(name)
}

// entitiesFor lists the mention entities the elements use: Teams needs one
// for each <at>...</at> in the card.
func (w *markup) entitiesFor(elements []object) []object {
	if len(w.mentions) == 0 {
		return nil
	}
	data, _ := json.Marshal(elements)
	text := string(data)
	var out []object
	for _, tag := range sortedKeys(w.mentions) {
		quoted, _ := json.Marshal(tag)
		if strings.Contains(text, strings.Trim(string(quoted), `"`)) {
			out = append(out, w.mentions[tag])
		}
	}
	return out
}

// renderFiles attaches what Teams can take: images inline (as data URLs,
// which Teams shows up to 1 MB), other files through Teams' file consent
// card in a personal chat (the person accepts, and the file is saved to
// their OneDrive). Elsewhere a file is named with how to get it.
func renderFiles(files []bot.File, o renderOpts) []schema.Activity {
	var out []schema.Activity
	var notes []string
	for i, f := range files {
		name := safeFileName(f.Name)
		switch {
		case isInlineImage(f.Type) && len(f.Data) <= maxInlineImage:
			out = append(out, schema.Activity{Type: schema.Message, Attachments: []schema.Attachment{{
				ContentType: f.Type, Name: name,
				ContentURL: "data:" + f.Type + ";base64," + base64.StdEncoding.EncodeToString(f.Data),
			}}})
		case isInlineImage(f.Type):
			notes = append(notes, fmt.Sprintf("The picture %s is too large to show in Teams; the figures above say the same.", name))
		case o.personal && o.pending[i] != "":
			out = append(out, consentActivity(f, name, o.pending[i]))
		case o.personal && len(f.Data) > maxFile:
			notes = append(notes, fmt.Sprintf("%s is too large to send through Teams. Your hppbot administrator can help you get it another way.", name))
		case o.personal:
			notes = append(notes, fmt.Sprintf("I couldn't get %s ready to send just now. Please ask again in a minute.", name))
		case o.line != "":
			notes = append(notes, fmt.Sprintf("Teams only lets hppbot send files in a private chat. To get %s, open your chat with hppbot and type: %s", name, o.line))
		default:
			notes = append(notes, fmt.Sprintf("Teams only lets hppbot send files in a private chat, so %s isn't attached here.", name))
		}
	}
	if len(notes) > 0 {
		w := &markup{o: o}
		c := newCard(w.textBlocks(strings.Join(notes, "\n"), nil), nil)
		out = append(out, cardActivity(c, "About a file"))
	}
	return out
}

func isInlineImage(mime string) bool {
	switch mime {
	case "image/png", "image/jpeg", "image/gif":
		return true
	}
	return false
}

// safeFileName keeps a file name to letters, digits and a few marks.
func safeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, name)
	name = strings.Trim(name, ".-")
	if name == "" {
		return "hppbot-file"
	}
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	return name
}
