package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Corrections: `correct` puts a fact of a case right (harm regraded after
// review, the aware date, service, reference, summary) and `strike` marks an
// entry recorded in error. Both add entries to the timeline — nothing is
// deleted — and follow the same access rules as `contact`.

func (h *Handler) correctionCommands() []*command {
	return []*command{
		{
			name:    "correct",
			grammar: grammar{positional: 2, options: []string{"harm", "psych", "prolonged", "aware", "service", "ref", "candour", "summary", "reason"}, text: true},
			run:     h.correct,
			usage:   "correct <case> <what>=<new value> <reason>",
			summary: "put a fact of a case right (harm regraded, aware date, service, reference, summary), with the reason",
			group:   "cases",
			help: "Changes what a case records, with the reason — for example when harm is regraded after review. The timeline keeps the old value beside the new, with who, when and why, and the Duty of Candour deadlines and reminders are worked out again at once. Steps already recorded are kept.\n" +
				"• harm=, psych=, prolonged= — the harm on either axis (as for /hpp open)\n" +
				"• aware= — the date the organisation became aware (deadlines count from it)\n" +
				"• service=, ref= — the service, or the incident reference\n" +
				"• candour=auto|yes|no — whether the duty applies (auto decides from the harm)\n" +
				"• summary — write the new summary after the word summary, then reason: and why\n" +
				"To mark a whole entry recorded in error instead, use /hpp strike.\n" +
				"Examples: /hpp correct HPP-3 harm=moderate regraded at the weekly review · /hpp correct HPP-3 summary Fall in the bathroom reason: the ward was recorded wrongly",
		},
		{
			name:    "strike",
			grammar: grammar{positional: 2, text: true},
			run:     h.strike,
			usage:   "strike <case> <entry> <reason>",
			summary: "mark an entry of a case's timeline as recorded in error, with the reason",
			group:   "cases",
			help: "Marks one entry as recorded in error — a contact logged on the wrong case, a step recorded by mistake. The entry stays in the timeline and the export, struck out, with who marked it, when and why; it no longer counts (contacts, first contact, reports, candour steps), and what it had set is worked out again. Each entry's number is shown in /hpp timeline.\n" +
				"Contacts, plans, Duty of Candour steps and what was recorded for the family can be struck out. To change a fact of the case, use /hpp correct.\n" +
				"Example: /hpp strike HPP-3 4 logged on the wrong case",
		},
	}
}

// reasonOf is the reason a correction gives: reason= and the free text,
// with a leading "reason:" or "because" taken off.
func reasonOf(cmd Command, extra string) string {
	parts := []string{}
	if v := cmd.Opts["reason"]; v != "" {
		parts = append(parts, v)
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	if cmd.Text != "" {
		parts = append(parts, cmd.Text)
	}
	return trimReasonWord(strings.Join(parts, " "))
}

func trimReasonWord(s string) string {
	s = strings.TrimSpace(s)
	for _, lead := range []string{"reason:", "reason -", "reason", "because"} {
		if len(s) > len(lead) && strings.EqualFold(s[:len(lead)], lead) && (lead[len(lead)-1] == ':' || lead[len(lead)-1] == '-' || s[len(lead)] == ' ' || s[len(lead)] == ':') {
			return strings.TrimSpace(strings.TrimLeft(s[len(lead):], ":- "))
		}
	}
	return s
}

// splitReason splits "new summary reason: why" at the last "reason:".
func splitReason(text string) (before, reason string, ok bool) {
	const marker = "reason:"
	// Compared byte by byte (ASCII), so the offsets are text's own: lower
	// casing the whole text could change its length.
	for i := len(text) - len(marker); i >= 0; i-- {
		if strings.EqualFold(text[i:i+len(marker)], marker) {
			return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+len(marker):]), true
		}
	}
	return text, "", false
}

func (h *Handler) correct(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp correct HPP-3 harm=moderate regraded at the weekly review")
	if err != nil {
		return bot.Reply{}, err
	}
	name := pathway.CaseName(id)
	p := h.Policy
	now := h.Clock()
	var in pathway.CorrectInput
	word := ""
	if len(cmd.Args) > 1 {
		word = cmd.Args[1]
	}
	if _, ok := cmd.Opts["summary"]; ok {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "A summary has spaces, so write it after the word summary, then reason: and why. For example: /hpp correct %s summary Fall in the bathroom, not on the ward reason: the place was recorded wrongly", name)
	}
	if strings.EqualFold(strings.TrimSuffix(word, ":"), "summary") {
		summary, reason, ok := splitReason(cmd.Text)
		if !ok || summary == "" || reason == "" {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Write the new summary after the word summary, then reason: and why. For example: /hpp correct %s summary Fall in the bathroom, not on the ward reason: the place was recorded wrongly", name)
		}
		if v := cmd.Opts["reason"]; v != "" {
			reason = v + " " + reason
		}
		in.Summary, in.Reason, word = &summary, reason, ""
	}
	if err := h.correctOptions(cmd, &in); err != nil {
		return bot.Reply{}, err
	}
	if in.Summary == nil {
		in.Reason = reasonOf(cmd, word)
	}
	if in == (pathway.CorrectInput{Reason: in.Reason}) {
		if _, err := strconv.Atoi(word); err == nil {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "To mark entry %s as recorded in error, use: /hpp strike %s %s <reason>", word, name, word)
		}
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "What should change? For example: /hpp correct %s harm=moderate regraded at the weekly review. You can correct harm=, psych=, prolonged=, aware=, service=, ref=, candour= or the summary.", name)
	}
	var events []pathway.Event
	old, c, svcs, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		if in.Psych != nil && in.Prolonged == nil && c.CandourMode == pathway.CandourAuto && (in.Candour == nil || *in.Candour == pathway.CandourAuto) {
			physical := c.PhysicalHarm()
			if in.Harm != nil {
				physical = *in.Harm
			}
			_, prolonged := c.PsychHarm()
			if p.Candour.ProlongedMatters(physical, *in.Psych, prolonged) {
				return nil, errAskProlonged
			}
		}
		var err error
		events, err = c.Correct(in, req.Person, p, now)
		return events, err
	})
	if errors.Is(err, errAskProlonged) {
		return h.askProlonged(req, "Nothing is changed yet."), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	return h.correctedReply(old, c, svcs, events, now), nil
}

// errAskProlonged stops a command that needs to know whether psychological
// harm is prolonged before it records anything.
var errAskProlonged = errors.New("ask whether the psychological harm is prolonged")

func (h *Handler) correctOptions(cmd Command, in *pathway.CorrectInput) error {
	p := h.Policy
	if v, ok := cmd.Opts["harm"]; ok {
		hm, err := pathway.ParseHarm(v)
		if err != nil {
			return err
		}
		in.Harm = &hm
	}
	if v, ok := cmd.Opts["psych"]; ok {
		hm, err := pathway.ParsePsych(v)
		if err != nil {
			return err
		}
		in.Psych = &hm
	}
	if v, ok := cmd.Opts["prolonged"]; ok {
		pr, err := pathway.ParseProlonged(v)
		if err != nil {
			return err
		}
		in.Prolonged = &pr
	}
	if v, ok := cmd.Opts["aware"]; ok {
		d, err := pathway.ParseDate(v, p.Location())
		if err != nil {
			return err
		}
		in.Aware = &d
	}
	if v, ok := cmd.Opts["service"]; ok {
		s, err := pathway.ParseServiceName(v)
		if err != nil {
			return err
		}
		in.Service = &s
	}
	if v, ok := cmd.Opts["ref"]; ok {
		in.Ref = &v
	}
	if v, ok := cmd.Opts["candour"]; ok {
		m, err := pathway.ParseCandourMode(v)
		if err != nil {
			return err
		}
		in.Candour = &m
	}
	return nil
}

// fieldLabel names a corrected field in a sentence.
func fieldLabel(field string) string {
	switch field {
	case pathway.FieldHarm:
		return "physical harm"
	case pathway.FieldPsych:
		return "psychological harm"
	case pathway.FieldProlonged:
		return "psychological harm lasting 28 days or more"
	case pathway.FieldAware:
		return "date the organisation became aware"
	case pathway.FieldService:
		return "service"
	case pathway.FieldRef:
		return "incident reference"
	case pathway.FieldSummary:
		return "summary"
	case pathway.FieldCandour:
		return "Duty of Candour setting"
	}
	return field
}

// fieldValue shows a corrected value: a level as the national record names
// it, a date the British way, nothing as "not recorded".
func (h *Handler) fieldValue(field, v string) string {
	if v == "" {
		return "not recorded"
	}
	switch field {
	case pathway.FieldHarm, pathway.FieldPsych:
		return strings.ToLower(pathway.Harm(v).Level())
	case pathway.FieldAware:
		if d, err := pathway.ParseDate(v, h.Policy.Location()); err == nil {
			return h.day(d)
		}
	case pathway.FieldSummary:
		return quote(v, 200)
	}
	return v
}

// changeText is "physical harm: low → moderate".
func (h *Handler) changeText(e pathway.Event) string {
	return fmt.Sprintf("%s: %s → %s", fieldLabel(e.Step), h.fieldValue(e.Step, e.From), h.fieldValue(e.Step, e.To))
}

func (h *Handler) correctedReply(old, c *pathway.Case, svcs store.Services, events []pathway.Event, now time.Time) bot.Reply {
	p := h.Policy
	name := c.Name()
	changes := make([]string, len(events))
	for i, e := range events {
		changes[i] = h.changeText(e)
	}
	text := fmt.Sprintf("Corrected on *%s* — %s. Reason: %s. The timeline keeps the old value beside the new, with who, when and why.", name, strings.Join(changes, "; "), quote(events[0].Note, 200))
	var lines []string
	label := p.Candour.Label
	switch {
	case c.CandourActive() && !old.CandourActive():
		lines = append(lines, fmt.Sprintf("The %s now applies to %s.", label, name))
		if old.NotNeeded != "" && c.NotNeeded == "" {
			lines = append(lines, fmt.Sprintf("The earlier record that it doesn't apply (%s) no longer stands after this regrade; it stays on the timeline.", quote(old.NotNeeded, 120)))
		}
		lines = append(lines, h.candourDueLines(c, now)...)
	case c.CandourActive() && (!c.NotifyDue.Equal(old.NotifyDue) || !c.WrittenDue.Equal(old.WrittenDue)):
		lines = append(lines, fmt.Sprintf("The %s deadlines are counted again from %s:", label, h.day(c.Aware)))
		lines = append(lines, h.candourDueLines(c, now)...)
	case !c.DutyApplies && old.CandourActive():
		lines = append(lines, fmt.Sprintf("At this level of harm the %s doesn't usually apply here, so its reminders have stopped. Steps already recorded stay on the record, and being open with the family still matters.", label))
	case c.CandourActive():
		lines = append(lines, fmt.Sprintf("The %s deadlines are unchanged.", label))
	}
	if c.Service != old.Service && c.Service != "" {
		who := "its pathway lead can see it now"
		if lead := svcs[c.Service].Lead; lead != "" {
			who = "its pathway lead, " + bot.Mention(lead) + ", can see it now"
		} else if _, ok := svcs[c.Service]; !ok {
			who = c.Service + " isn't set up as a service yet — an admin can set it up with /hpp service " + c.Service
		}
		lines = append(lines, fmt.Sprintf("%s now belongs to %s: %s.", name, c.Service, who))
	}
	said := sayBack{}
	for _, e := range events {
		said.add(e.Step + " " + sayValue(e.From) + " → " + sayValue(e.To))
	}
	said.add(sayNote("reason", events[0].Note))
	text += said.line()
	var sections []bot.Section
	if len(lines) > 0 {
		sections = append(sections, bot.Section{Text: strings.Join(lines, "\n")})
	}
	return bot.Reply{Text: text, Sections: sections, Buttons: []bot.Button{{Label: "Status", Command: "status " + name}, {Label: "Timeline", Command: "timeline " + name}}}
}

// sayValue is a corrected value as stored, for the say-back line.
func sayValue(v string) string {
	if v == "" {
		return "none"
	}
	return truncate(v, 40)
}

// candourDueLines say what candour steps are due, and plainly when a
// deadline has already passed: its reminder is due at once (in working
// hours, as every reminder is).
func (h *Handler) candourDueLines(c *pathway.Case, now time.Time) []string {
	p := h.Policy
	var out []string
	overdue := 0
	step := func(what string, done, due time.Time, record string) {
		switch {
		case !done.IsZero():
			out = append(out, fmt.Sprintf("• %s: already recorded on %s — kept.", what, h.day(done)))
		case due.IsZero():
		case due.Before(now):
			overdue++
			out = append(out, fmt.Sprintf("• %s: was due by the end of %s — *overdue* now. Record it with /hpp candour %s %s once done.", what, h.day(due), c.Name(), record))
		default:
			out = append(out, fmt.Sprintf("• %s: due by the end of %s (%s).", what, h.day(due), h.workingDaysText(now, due)))
		}
	}
	step("Notification (telling the family, in person or by phone or video, and saying sorry)", c.Notified, c.NotifyDue, pathway.CandourNotified)
	if c.WrittenDue.IsZero() && c.Written.IsZero() && p.Candour.WrittenFrom == "notified" {
		out = append(out, fmt.Sprintf("• Written follow-up: due %s after the notification is recorded.", p.Candour.WrittenWithin.Human()))
	} else {
		step("Written follow-up", c.Written, c.WrittenDue, pathway.CandourWritten)
	}
	if overdue > 0 && c.IsOpen() {
		when := "now"
		if !p.Calendar.InWorkingHours(now) {
			when = "at the start of the next working day, " + h.when(p.Calendar.NextWorkingStart(now))
		}
		what := "That deadline has"
		if overdue > 1 {
			what = "Those deadlines have"
		}
		out = append(out, fmt.Sprintf("%s already passed, counted from becoming aware on %s. Please speak with the family as soon as you can. A reminder goes to the named contact, %s, %s.", what, h.day(c.Aware), bot.Mention(c.Lead), when))
	}
	return out
}

// askProlonged asks whether psychological harm is prolonged before a
// command records it, with the exact lines to type (and buttons that send
// them).
func (h *Handler) askProlonged(req bot.Request, nothingYet string) bot.Reply {
	p := h.Policy
	yes, no := withProlonged(req.Text, "yes"), withProlonged(req.Text, "no")
	text := fmt.Sprintf("Has the psychological harm lasted, or is it likely to last, 28 days or more? In %s the %s applies to prolonged psychological harm, so I need to know before I record it. %s Type one of these:\n/hpp %s\n/hpp %s\nIf you don't know yet, say no for now and correct it later with /hpp correct <case> prolonged=yes <reason>.",
		p.Nation.Title(), p.Candour.Label, nothingYet, yes, no)
	reply := bot.Reply{Text: text}
	if len(yes) <= maxButtonLine {
		reply.Buttons = []bot.Button{
			{Label: "Yes — 28 days or more", Command: yes, Style: "primary"},
			{Label: "No — less than 28 days", Command: no},
		}
	}
	return reply
}

// withProlonged is the command line with prolonged=<answer> added after its
// psych= option (or at its end), without the leading /hpp.
func withProlonged(line, answer string) string {
	name, rest := commandWord(line)
	add := "prolonged=" + answer
	for _, t := range tokenize(rest) {
		if key, _, ok := optionWord(t.text); ok && key == "psych" {
			return strings.TrimSpace(name + " " + rest[:t.end] + " " + add + rest[t.end:])
		}
	}
	return strings.TrimSpace(name + " " + rest + " " + add)
}

func (h *Handler) strike(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp strike HPP-3 4 logged on the wrong case")
	if err != nil {
		return bot.Reply{}, err
	}
	name := pathway.CaseName(id)
	if len(cmd.Args) < 2 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which entry? Each entry's number is shown in /hpp timeline %s. For example: /hpp strike %s 4 logged on the wrong case", name, name)
	}
	no, err := strconv.Atoi(strings.TrimPrefix(cmd.Args[1], "#"))
	if err != nil || no <= 0 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "%q isn't an entry number. Each entry's number is shown in /hpp timeline %s — for example: /hpp strike %s 4 logged on the wrong case", truncate(cmd.Args[1], 20), name, name)
	}
	reason := trimReasonWord(cmd.Text)
	p := h.Policy
	now := h.Clock()
	var target, strike pathway.Event
	old, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		timeline, err := h.Store.Timeline(ctx, id)
		if err != nil {
			return nil, err
		}
		strike, err = c.Strike(timeline, no, reason, req.Person, p, now)
		if err != nil {
			return nil, err
		}
		for _, e := range timeline {
			if e.No == no {
				target = e
			}
		}
		return []pathway.Event{strike}, nil
	})
	if err != nil {
		return bot.Reply{}, err
	}
	text := fmt.Sprintf("Entry %d of *%s* is marked as recorded in error:\n%s\nIt stays in the timeline and the export, struck out, and no longer counts. Reason: %s.",
		no, name, strikeOut(h.entryLine(target)), quote(reason, 200))
	text += sayBack{fmt.Sprintf("strike entry %d (%s)", no, target.Kind), sayNote("reason", reason)}.line()
	return bot.Reply{Text: text, Sections: h.struckLines(old, c, target, now), Buttons: []bot.Button{{Label: "Status", Command: "status " + name}, {Label: "Timeline", Command: "timeline " + name}}}, nil
}

// struckLines say what changed on the case because an entry was struck.
func (h *Handler) struckLines(old, c *pathway.Case, target pathway.Event, now time.Time) []bot.Section {
	p := h.Policy
	var lines []string
	if old.Contacts != c.Contacts {
		if c.Contacts == 0 {
			lines = append(lines, "No contact with the family is recorded now.")
		} else {
			lines = append(lines, fmt.Sprintf("Contacts logged now: %d (first %s, latest %s).", c.Contacts, h.day(c.FirstContact), h.day(c.LastContact)))
		}
	}
	if c.IsOpen() && !c.NextContact.Equal(old.NextContact) {
		lines = append(lines, "Next contact "+h.dueText(c.NextContact, now)+".")
	}
	if target.Kind == pathway.EventCandour {
		switch target.Step {
		case pathway.CandourNotified, pathway.CandourWritten:
			if c.CandourActive() {
				lines = append(lines, h.candourDueLines(c, now)...)
			}
		case pathway.CandourNA:
			if c.CandourActive() {
				lines = append(lines, fmt.Sprintf("The %s applies again, and its reminders start again:", p.Candour.Label))
				lines = append(lines, h.candourDueLines(c, now)...)
			}
		case pathway.CandourUpdate:
			lines = append(lines, fmt.Sprintf("%s updates recorded now: %d.", p.Candour.Label, c.Updates))
		}
	}
	if target.Kind == pathway.EventPlan {
		if c.Plan == nil {
			lines = append(lines, fmt.Sprintf("No plan is recorded now; reminders follow the organisation's default. Record the agreed one with /hpp plan %s every=1w", c.Name()))
		} else {
			lines = append(lines, "The agreed plan is now every "+c.Plan.Every.Human()+".")
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return []bot.Section{{Text: strings.Join(lines, "\n")}}
}
