package scheduler

import (
	"context"
	"fmt"
	"strings"

	"hppbot/bot"
)

// When several cases in one person's bundle escalate in the same tick, the
// escalation is bundled as well: each pathway lead gets one heads-up about
// that person listing the cases (not one per case), the person gets one
// note saying who was asked to help, and each team channel one post. The
// three are built from what went before them, as for one case, and each
// case records the escalation as far as it reached.
//
// Why bundle these too: they share a cause and a remedy — one colleague
// with several families waiting — and a lead asked the same question five
// times in a minute reads it as noise (or as blame), which is what the
// pathway asks leads to avoid. A lead with heads-ups about two different
// people still gets two: each asks them to check in with someone else.

// escalateBundle sends the escalations of a bundle's cases and says, for
// each, how far its escalation reached.
func (s *Scheduler) escalateBundle(ctx context.Context, parts []*bundlePart) map[*bundlePart]escalation {
	out := map[*bundlePart]escalation{}
	var esc []*bundlePart
	for _, p := range parts {
		if p.msgs.escalate {
			esc = append(esc, p)
		}
	}
	if len(esc) == 1 {
		p := esc[0]
		told, channel, recorded := s.escalate(ctx, p.it.c, p.msgs)
		out[p] = escalation{told, channel, recorded}
	}
	if len(esc) <= 1 {
		return out
	}
	leadTold := map[*bundlePart]bool{}
	for _, group := range groupBy(esc, func(p *bundlePart) string { return p.msgs.lead }) {
		lead := group[0].msgs.lead
		if lead == "" {
			continue
		}
		if err := s.deliver(ctx, message{to: lead, reply: bundledHeadsUp(group), key: bundleKey("bundle-lead:"+lead, group), about: group[0].it.c.ID, live: caseIDs(group), confirm: true}); err != nil {
			s.cfg.Log.Warn("escalation not delivered; will try again", "cases", len(group), "err", cause(err))
			continue
		}
		for _, p := range group {
			leadTold[p] = true
		}
	}
	if note, ok := bundledNoteToContact(esc, leadTold); ok && !esc[0].msgs.unreached {
		// To whoever had the reminders: the named contact, or while they are
		// away, whoever covers.
		if err := s.deliver(ctx, message{to: esc[0].msgs.primary.to, reply: note, key: bundleKey("bundle-note", esc), about: esc[0].it.c.ID}); err != nil {
			s.cfg.Log.Warn("could not tell the named contact about an escalation", "cases", len(esc), "err", cause(err))
		}
	}
	posted := map[string]bool{}
	for _, group := range groupBy(esc, func(p *bundlePart) string { return p.msgs.channel }) {
		channel := group[0].msgs.channel
		if channel == "" {
			continue
		}
		if err := s.deliver(ctx, message{to: channel, channel: true, reply: bundledChannelPost(group, leadTold), key: bundleKey("bundle-channel:"+channel, group), about: group[0].it.c.ID, live: caseIDs(group), confirm: true}); err != nil {
			s.cfg.Log.Warn("escalation not posted; will try again", "cases", len(group), "err", cause(err))
			continue
		}
		posted[channel] = true
	}
	for _, p := range esc {
		var e escalation
		if leadTold[p] {
			e.told = []string{p.msgs.lead}
		}
		if posted[p.msgs.channel] {
			e.channel = p.msgs.channel
		}
		e.recorded = leadTold[p] || (p.msgs.lead == "" && e.channel != "")
		if e.recorded {
			s.cfg.Metrics.Reminders("escalated", 1)
		}
		out[p] = e
	}
	return out
}

// groupBy groups parts by key, in the order each key is first met.
func groupBy(parts []*bundlePart, key func(*bundlePart) string) [][]*bundlePart {
	at := map[string]int{}
	var groups [][]*bundlePart
	for _, p := range parts {
		k := key(p)
		i, ok := at[k]
		if !ok {
			i = len(groups)
			at[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], p)
	}
	return groups
}

// bundledHeadsUp is one pathway lead's heads-up about one named contact's
// several overdue cases: a line and an "I'll take it" button for each. It
// names whoever had the reminders: while the named contact is away, the
// colleague covering.
func bundledHeadsUp(group []*bundlePart) bot.Reply {
	person := group[0].msgs.primary.to
	who := bot.Mention(person)
	if named := group[0].it.c.Lead; person != named {
		who = fmt.Sprintf("%s (covering for %s, who is away)", bot.Mention(person), bot.Mention(named))
	}
	var sections []bot.Section
	for _, p := range group {
		c := p.it.c
		// The case's "I'll take it": one button a case keeps the heads-up
		// within each platform's limits; Status shows the rest.
		b := escalationButtons(c)[0]
		b.Label, b.Style = b.Label+" — "+c.Name(), ""
		sections = append(sections, bot.Section{Text: fmt.Sprintf("*%s* (%s): %s; %s.", c.Name(), serviceName(c), p.msgs.overdue, remindersPhrase(p.msgs.count)), Button: &b})
	}
	text := fmt.Sprintf("A gentle heads-up: %s has %d cases with something overdue after several reminders. Could you check in with them — they may need a hand, some time, or a handover to a colleague?", who, len(group))
	if group[0].msgs.unreached {
		text = fmt.Sprintf("A heads-up: %s has %d cases with something overdue, and I couldn't reach them through hppbot (%s), so the reminders didn't get to them. Could you make sure someone is in touch with these families — perhaps hand the cases to a colleague with /hpp lead <case> @name?", who, len(group), group[0].msgs.reason)
	}
	return bot.Reply{Text: text, Sections: sections, Overflow: "/hpp list overdue",
		Note: fmt.Sprintf("Each button takes that case on as acting named contact. To hand one to a colleague instead: /hpp lead <case> @name. To give %s another working day: /hpp snooze <case> 1wd.", bot.Mention(person))}
}

// bundledNoteToContact is the named contact's one note about their cases'
// escalations: who was asked to help with which, or that a channel heard.
func bundledNoteToContact(esc []*bundlePart, leadTold map[*bundlePart]bool) (bot.Reply, bool) {
	var phrases []string           // in the order first met
	names := map[string][]string{} // phrase -> the cases it is said of
	channels := false
	for _, p := range esc {
		c, m := p.it.c, p.msgs
		var parts []string
		switch {
		case leadTold[p]:
			parts = append(parts, fmt.Sprintf("I've let %s, the pathway lead for %s, know", bot.Mention(m.lead), c.Service))
		case m.lead != "":
			parts = append(parts, fmt.Sprintf("I tried to let %s, the pathway lead for %s, know, but couldn't reach them just now; I'll try again with the next reminder", bot.Mention(m.lead), c.Service))
		}
		if m.channel != "" {
			parts = append(parts, fmt.Sprintf("the %s team channel sees the case id and what is overdue", c.Service))
			channels = true
		}
		if len(parts) > 0 {
			phrase := strings.Join(parts, "; ")
			if names[phrase] == nil {
				phrases = append(phrases, phrase)
			}
			names[phrase] = append(names[phrase], "*"+c.Name()+"*")
		}
	}
	// Cases told about in the same words share a line.
	lines := make([]string, 0, len(phrases))
	for _, phrase := range phrases {
		lines = append(lines, fmt.Sprintf("• %s: %s.", joinAnd(names[phrase]), phrase))
	}
	if len(lines) == 0 {
		return bot.Reply{}, false
	}
	whose := "some of your cases"
	if named := esc[0].it.c.Lead; esc[0].msgs.primary.to != named {
		whose = "some of the cases that came to you while " + bot.Mention(named) + " is away"
	}
	text := "After several reminders about " + whose + ", I've asked colleagues to check in with you and offer a hand. It's support, not blame.\n" + strings.Join(lines, "\n")
	if channels {
		text += "\nTeam channels see only the case id and what is overdue — nothing about you or the patient."
	}
	return bot.Reply{Text: text}, true
}

// bundledChannelPost is one team channel's post about several escalated
// cases: each case's own words, as a list.
func bundledChannelPost(group []*bundlePart, leadTold map[*bundlePart]bool) bot.Reply {
	if len(group) == 1 {
		return channelPost(group[0].it.c, group[0].msgs, leadTold[group[0]])
	}
	lines := make([]string, 0, len(group))
	for _, p := range group {
		lines = append(lines, "• "+channelPost(p.it.c, p.msgs, leadTold[p]).Text)
	}
	return bot.Reply{Text: fmt.Sprintf("%d cases have something overdue after several reminders:\n%s", len(group), strings.Join(lines, "\n"))}
}
