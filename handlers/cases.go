package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// caseStore reads and writes cases and their timelines, for the case
// commands and the views of them.
type caseStore interface {
	GetCase(ctx context.Context, id int64) (*pathway.Case, error)
	GetCaseAndServices(ctx context.Context, id int64) (*pathway.Case, store.Services, error)
	CreateCaseWith(ctx context.Context, c *pathway.Case, p *pathway.Policy, ev pathway.Event, plan func(c *pathway.Case) []*store.Checkins) (int64, error)
	SaveCaseWith(ctx context.Context, old, c *pathway.Case, p *pathway.Policy, events []pathway.Event, plans []*store.Checkins) error
	ListOpen(ctx context.Context, f store.CaseFilter) ([]*pathway.Case, error)
	ListOpenCounted(ctx context.Context, f store.CaseFilter) ([]*pathway.Case, int, error)
	CountOpenMatching(ctx context.Context, f store.CaseFilter) (int64, error)
	Timeline(ctx context.Context, id int64) ([]pathway.Event, error)
	RecentTimeline(ctx context.Context, id int64, n int) ([]pathway.Event, error)
	TimelineCounted(ctx context.Context, id int64) ([]pathway.Event, int, error)
}

func (h *Handler) caseCommands() []*command {
	return []*command{
		{
			name:    "open",
			grammar: grammar{positional: 1, options: []string{"lead", "service", "harm", "psych", "prolonged", "candour", "aware", "involved", "every", againOption}, mentions: true, text: true},
			run:     h.open,
			noArgs:  h.openForm,
			usage:   "open <incident-ref> [lead=@u] [service=<s>] [harm=<level>] [psych=<level> prolonged=yes|no] [candour=auto|yes|no] [aware=<date>] [involved=@a,@b] [every=<dur>] [summary]",
			summary: "open a harm case",
			group:   "cases",
			help: "Opens a harm case for a patient harmed by their care. Use the incident reference from your risk system — never the patient's name, NHS number, date of birth or address.\n" +
				"• harm: physical harm — none, low, moderate, severe or fatal (death)\n" +
				"• psych: psychological harm — none, low, moderate or severe; with prolonged=yes if it has lasted, or is likely to last, 28 days or more (prolonged=no if not). harm=psychological still works: it means psych=moderate prolonged=yes\n" +
				"• candour: auto (decide from the harm level), yes or no\n" +
				"• aware: the date your organisation became aware, year-month-day (default today)\n" +
				"• lead: the named contact for the family (default you)\n" +
				"• every: how often you have agreed to be in touch, e.g. 1w or 1mo (minutes are min: m alone could be minutes or months)\n" +
				"• again=yes: open another case for a reference that is already open in the same service (without it, I ask first)\n" +
				"Settings can go before or after the summary; the reply says back what it understood.\n" +
				"Example: /hpp open INC-1042 service=maternity harm=moderate involved=@sam Baby moved to NICU after a delayed escalation",
		},
		{
			name:    "contact",
			grammar: grammar{positional: 1, options: []string{"via", "next", "on", "at", againOption}, text: true},
			run:     h.contact,
			usage:   "contact <case> [via=phone|meeting|video|letter|email] [next=<date|dur>] [at=<time>] [note]",
			summary: "log a conversation or message with the patient or family",
			group:   "cases",
			help: "Logs a contact with the patient or family and sets when the next one is due: next= if you give it, otherwise the agreed plan, otherwise the organisation's default.\n" +
				"next= may be up to three months away; a time outside working hours moves to the next working morning.\n" +
				"on=<date> records a contact made on an earlier day, from the day your organisation became aware; it is kept as that day.\n" +
				"at= the time the family prefers: at=17:00, or morning, afternoon or evening (at=any clears it). Reminders still come at the start of the working day and say it.\n" +
				"The same contact typed again within 10 minutes is asked about first, in case it is a retry; again=yes logs it a second time.\n" +
				"Example: /hpp contact HPP-3 via=phone next=7d Spoke with her daughter; agreed weekly calls",
		},
		{
			name:    "plan",
			grammar: grammar{positional: 1, options: []string{"every", "via", "at"}, text: true},
			run:     h.plan,
			usage:   "plan <case> every=<dur>|none [via=...] [at=<time>] [note]",
			summary: "record how often you agreed to keep in touch",
			group:   "cases",
			help: "Records the communication the family asked for. Reminders follow it. every= takes a length such as 1w, 2w or 1mo (a month; m alone could be minutes or months, so write 1mo). A new plan replaces the next due time the last plan set.\n" +
				"every=none <reason>: no regular contact (the family asked to hear only when there is news); then only candour steps and a next= you set are reminded, and the pathway lead's weekly view lists the case.\n" +
				"at= the time the family prefers: at=17:00, or morning (08:00–12:00), afternoon (12:00–17:00) or evening (17:00–20:00); at=any clears it.\n" +
				"Example: /hpp plan HPP-3 every=1w via=phone at=evening Tuesdays suit them best",
		},
		{
			name:    "candour",
			grammar: grammar{positional: 2, options: []string{"on", againOption}, text: true},
			run:     h.candour,
			usage:   "candour <case> notified|written|update|na|delay [note]",
			summary: "record a Duty of Candour step",
			group:   "cases",
			help: "• notified — the family was told what happened and given an apology (in person, by phone or video)\n" +
				"• written — the written follow-up was sent\n" +
				"• update — a further update was given\n" +
				"• na — the duty doesn't apply (give the reason)\n" +
				"• delay — why the notification is taking longer than a month (give the reason; Scotland's guidance asks for it)\n" +
				"notified, written and update count as contact with the family and set when the next contact is due.\n" +
				"on=<date> records a step taken on an earlier day, from the day your organisation became aware; it is kept as that day.\nExample: /hpp candour HPP-3 notified Met with her son and the ward manager",
		},
		{
			name:    "family",
			grammar: grammar{positional: 2, options: []string{"parallel"}, text: true},
			run:     h.family,
			usage:   "family <case> support|questions|investigation|findings|improvement|parallel=<process> [note]",
			summary: "record support, involvement, or a complaint, claim, inquest or regulator",
			group:   "cases",
			help: "• support — independent support or advice offered\n" +
				"• questions — the family's questions taken into the investigation\n" +
				"• investigation — the family invited to take part in the investigation\n" +
				"• findings — findings shared and discussed with the family\n" +
				"• improvement — the family invited into improvement work\n" +
				"• parallel=complaint|claim|inquest|regulator — the family has started another process; reminders to keep in touch carry on\n" +
				"Example: /hpp family HPP-3 support Gave details of an independent advocacy service",
		},
		{
			name:    "lead",
			grammar: grammar{positional: 1, mentions: true},
			run:     h.lead,
			usage:   "lead <case> @person",
			summary: "hand the named-contact role to someone else",
			group:   "cases",
			help:    "Hands the named-contact role to a colleague. Both of you are told.\nExample: /hpp lead HPP-3 @alex",
		},
		{
			name:    "involve",
			grammar: grammar{positional: 1, mentions: true},
			run:     h.involve,
			usage:   "involve <case> @person [@person ...]",
			summary: "record staff involved in the incident",
			group:   "cases",
			help:    "Records staff who were involved, so they can see the case. Each is told privately and offered private wellbeing check-ins over the next few weeks; their answers are theirs alone.\nExample: /hpp involve HPP-3 @sam @jo",
		},
		{
			name:    "snooze",
			grammar: grammar{positional: 2},
			run:     h.snooze,
			usage:   "snooze <case> <dur>",
			summary: "postpone reminders for a case",
			group:   "cases",
			help:    "Postpones reminders for a case, up to your organisation's limit. It is recorded on the timeline.\nExample: /hpp snooze HPP-3 2d",
		},
		{
			name:    "close",
			grammar: grammar{positional: 1, text: true},
			run:     h.closeCase,
			usage:   "close <case> [note]",
			summary: "close a case; reminders stop",
			group:   "cases",
			help:    "Closes a case when the family no longer needs contact from us. Reminders stop; the record stays.\nExample: /hpp close HPP-3 Family content with the final meeting",
		},
		{
			name:    "reopen",
			grammar: grammar{positional: 1},
			run:     h.reopen,
			usage:   "reopen <case>",
			summary: "reopen a closed case",
			group:   "cases",
			help:    "Reopens a closed case; the next contact is due soon after.\nExample: /hpp reopen HPP-3",
		},
	}
}

// openForm is /hpp open with nothing else: a form where the surface can
// show one, the usage where it can't.
func (h *Handler) openForm(ctx context.Context, req bot.Request) (bot.Reply, error) {
	c := h.cmds["open"]
	return bot.Reply{
		Text: "To open a harm case, type:\n" + "/hpp " + c.usage + "\n\n" + c.help,
		Form: bot.OpenForm(),
	}, nil
}

func (h *Handler) open(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	p := h.Policy
	now := h.Clock()
	in := pathway.OpenInput{Summary: cmd.Text}
	if len(cmd.Args) > 0 {
		in.Ref = cmd.Args[0]
	}
	var err error
	if v, ok := cmd.Opts["service"]; ok {
		if in.Service, err = pathway.ParseServiceName(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["harm"]; ok {
		if in.Harm, err = pathway.ParseHarm(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["psych"]; ok {
		if in.Psych, err = pathway.ParsePsych(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["prolonged"]; ok {
		if in.Prolonged, err = pathway.ParseProlonged(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["candour"]; ok {
		if in.Candour, err = pathway.ParseCandourMode(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["aware"]; ok {
		if in.Aware, err = pathway.ParseDate(v, p.Location()); err != nil {
			return bot.Reply{}, err
		}
	}
	if in.Candour != pathway.CandourYes && in.Candour != pathway.CandourNo && p.Candour.ProlongedMatters(in.Harm, in.Psych, in.Prolonged) {
		return h.askProlonged(req, "Nothing is opened yet."), nil
	}
	if v, ok := cmd.Opts["every"]; ok {
		if in.Every, err = pathway.ParseTypedSpan(v); err != nil {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "every= is how often you agreed to be in touch: %v.", err)
		}
	}
	if v, ok := cmd.Opts["lead"]; ok {
		person, err := h.onePerson("lead", v, req.Surface, "lead= takes one person, for example lead=@sam.")
		if err != nil {
			return bot.Reply{}, err
		}
		in.Lead = person
	}
	if v, ok := cmd.Opts["involved"]; ok {
		people, err := h.peopleValue("involved", v, req.Surface)
		if err != nil {
			return bot.Reply{}, err
		}
		in.Involved = people
	}
	in.Involved = uniq(append(in.Involved, cmd.People...))
	c, ev, err := pathway.Open(in, req.Person, p, now)
	if err != nil {
		return bot.Reply{}, err
	}
	if again, err := againGiven(cmd); err != nil {
		return bot.Reply{}, err
	} else if !again {
		if ask, err := h.alreadyOpen(ctx, req, c, cmd); err != nil || ask != nil {
			return derefReply(ask), err
		}
	}
	var plans []*store.Checkins
	if _, err := h.Store.CreateCaseWith(ctx, c, p, ev, func(c *pathway.Case) []*store.Checkins {
		plans = h.checkinPlans(c, c.Involved, now)
		return plans
	}); err != nil {
		return bot.Reply{}, err
	}
	if c.Lead != req.Person {
		h.tell(ctx, c.Lead, bot.Reply{
			Text:    fmt.Sprintf("%s has named you the contact for the family in *%s* (%s). %s", bot.Mention(req.Person), c.Name(), c.Ref, h.firstContactLine(c, now)),
			Buttons: caseButtons(c.Name()),
		})
	}
	reply := h.openedReply(c, now)
	reply.Text += h.recordedAsInvolved(ctx, c, req.Person, plans) + h.sayOpened(c, in)
	return reply, nil
}

// onePerson reads an option that names exactly one person (lead=, cover=,
// wellbeing=); several, or none, is refused with the words given.
func (h *Handler) onePerson(key, v, surface, refusal string) (string, error) {
	people, err := h.peopleValue(key, v, surface)
	if err != nil {
		return "", err
	}
	if len(people) != 1 {
		return "", pathway.Errorf(pathway.Invalid, "%s", refusal)
	}
	return people[0], nil
}

// peopleValue reads an option whose value is one or more mentions.
func (h *Handler) peopleValue(key, v, surface string) ([]string, error) {
	var out []string
	for _, part := range splitMentions(v) {
		if !isMention(part) {
			return nil, pathway.Errorf(pathway.Invalid, "%s= takes people, for example %s", key, optionExample(key))
		}
		id, err := resolvePerson(part, surface)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, pathway.Errorf(pathway.Invalid, "%s= takes people, for example %s", key, optionExample(key))
	}
	if len(out) > MaxMentions {
		return nil, pathway.Errorf(pathway.Invalid, "That's more than %d people. Please name fewer.", MaxMentions)
	}
	return out, nil
}

func (h *Handler) firstContactLine(c *pathway.Case, now time.Time) string {
	return fmt.Sprintf("The first contact with the family is %s.", h.dueText(c.NextContact, now))
}

func (h *Handler) openedReply(c *pathway.Case, now time.Time) bot.Reply {
	p := h.Policy
	name := c.Name()
	// Written piece by piece into two buffers: every case opened gets this.
	var b strings.Builder
	b.Grow(256)
	for _, s := range []string{"*", name, " is open* — ", c.Ref} {
		b.WriteString(s)
	}
	if c.Service != "" {
		b.WriteString(" · ")
		b.WriteString(c.Service)
	}
	if harm := c.HarmSummary(); harm != "" {
		b.WriteString(" · ")
		b.WriteString(harm)
	}
	b.WriteString("\nNamed contact for the family: ")
	b.WriteString(bot.Mention(c.Lead))
	b.WriteByte('.')
	if len(c.Involved) > 0 {
		b.WriteString(" Staff involved: ")
		b.WriteString(mentions(c.Involved))
		b.WriteByte('.')
	}
	var due strings.Builder
	due.Grow(512)
	due.WriteString("• First contact with the family: ")
	h.writeDue(&due, c.NextContact, now)
	if c.DutyApplies {
		for _, s := range []string{"\n• ", p.Candour.Label, " notification (telling the family, in person or by phone or video, and saying sorry): by the end of "} {
			due.WriteString(s)
		}
		h.writeDay(&due, c.NotifyDue)
		due.WriteString(" — ")
		due.WriteString(p.Candour.NotifyWithin.Human())
		due.WriteString(" after becoming aware on ")
		h.writeDay(&due, c.Aware)
		if c.NotifyDue.Before(now) {
			due.WriteString(" — *overdue*: please tell the family as soon as you can, then record it with /hpp candour ")
			due.WriteString(name)
			due.WriteString(" notified")
		}
		if !c.WrittenDue.IsZero() {
			for _, s := range []string{"\n• ", p.Candour.Label, " written follow-up: by the end of "} {
				due.WriteString(s)
			}
			h.writeDay(&due, c.WrittenDue)
			if c.WrittenDue.Before(now) {
				due.WriteString(" — *overdue*: please send it as soon as you can, then record it with /hpp candour ")
				due.WriteString(name)
				due.WriteString(" written")
			}
		} else if p.Candour.WrittenFrom == "notified" {
			for _, s := range []string{"\n• ", p.Candour.Label, " written follow-up: ", p.Candour.WrittenWithin.Human(), " after the notification is recorded"} {
				due.WriteString(s)
			}
		}
	}
	switch {
	case c.CandourMode == pathway.CandourNo:
		fmt.Fprintf(&due, "\nYou said %s doesn't apply. Please record why: /hpp candour %s na <reason>", p.Candour.The(), name)
	case !c.DutyApplies && !c.HarmRecorded():
		fmt.Fprintf(&due, "\nNo harm level was given, so no %s deadlines are set. If the harm was %s or worse, the duty may apply — you can still record each step with /hpp candour %s notified.", p.Candour.Name, p.Candour.AppliesFrom, name)
	case !c.DutyApplies:
		fmt.Fprintf(&due, "\nWith %s, %s doesn't usually apply here; being open with the family still matters, and /hpp candour records any step you take.", c.HarmSummary(), p.Candour.The())
	}
	sections := make([]bot.Section, 0, 2)
	sections = append(sections, bot.Section{Title: "What falls due", Text: due.String()}, h.preparePrompt(name))
	return bot.Reply{Text: b.String(), Sections: sections, Buttons: caseButtons(name)}
}

// judgeThen sets what had been due when a contact recorded afterwards
// (on=<date>) happened, from the case's timeline, so it is judged on time
// or late against that and not against what is due today.
func (h *Handler) judgeThen(ctx context.Context, id int64, ev *pathway.Event) error {
	if !ev.DateOnly || !ev.CountsAsContact() {
		return nil
	}
	events, err := h.Store.Timeline(ctx, id)
	if err != nil {
		return err
	}
	ev.Due = pathway.DueThen(events, ev.At, true, h.Policy)
	return nil
}

// movedNote says so when next= asked for a moment outside working hours
// and the next contact is due at the next working morning instead.
func (h *Handler) movedNote(w pathway.When, due, now time.Time) string {
	asked := w.Target(h.Policy, now)
	if asked.Equal(due) {
		return ""
	}
	if !w.Date.IsZero() {
		return fmt.Sprintf(" %s isn't a working day here, so I've set it for the next working morning.", h.day(asked))
	}
	return h.movedFrom("next="+w.Span.String(), asked)
}

// movedFrom says that what was asked for, which would fall at asked, is
// due at the next working morning instead.
func (h *Handler) movedFrom(what string, asked time.Time) string {
	if !h.Policy.Calendar.IsWorkingDay(asked) {
		return fmt.Sprintf(" %s would fall on %s, which isn't a working day here, so I've set it for the next working morning.", what, h.when(asked))
	}
	return fmt.Sprintf(" %s would fall at %s, outside working hours, so I've set it for the next working morning.", what, h.when(asked))
}

// caseButtons are the everyday actions on a case.
func caseButtons(name string) []bot.Button {
	return []bot.Button{
		{Label: "Log contact", Command: "contact " + name, Style: "primary", Form: bot.ContactForm(name)},
		{Label: "Status", Command: "status " + name},
	}
}

func (h *Handler) contact(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp contact HPP-3 via=phone next=7d <note>")
	if err != nil {
		return bot.Reply{}, err
	}
	p := h.Policy
	now := h.Clock()
	in := pathway.ContactInput{Note: cmd.Text}
	if v, ok := cmd.Opts["via"]; ok {
		if in.Via, err = pathway.ParseVia(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if v, ok := cmd.Opts["next"]; ok {
		w, err := pathway.ParseWhen(v, p.Location())
		if err != nil {
			return bot.Reply{}, err
		}
		in.Next = &w
	}
	if v, ok := cmd.Opts["on"]; ok {
		if in.On, err = pathway.ParseDate(v, p.Location()); err != nil {
			return bot.Reply{}, err
		}
	}
	again, err := againGiven(cmd)
	if err != nil {
		return bot.Reply{}, err
	}
	prefer, hasAt, err := preferOpt(cmd)
	if err != nil {
		return bot.Reply{}, err
	}
	var ev pathway.Event
	old, c, svcs, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		var err error
		ev, err = c.LogContact(in, req.Person, p, now)
		if err == nil && !again {
			err = h.checkRepeat(ctx, c, ev, now, "the contact", cmd)
		}
		if err == nil {
			err = h.judgeThen(ctx, c.ID, &ev)
		}
		return withPrefer(c, []pathway.Event{ev}, err, hasAt, prefer, req.Person, now)
	})
	if q, ok := asked(err); ok {
		return q, nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	h.markLogged(ctx, old, c, svcs, req.Person, now, old.Lead, c.Lead, req.Person)
	how := ""
	if in.Via != "" {
		how = " (" + in.Via + ")"
	}
	dated := ""
	if ev.DateOnly {
		dated = ", dated " + h.day(ev.At)
	}
	text := fmt.Sprintf("Contact logged for *%s*%s%s. Next contact %s.", c.Name(), how, dated, h.dueText(c.NextContact, now))
	if in.Next != nil {
		text += h.movedNote(*in.Next, c.NextContact, now)
	}
	if old.Contacts == 0 {
		text += " That's the first contact recorded — thank you."
	}
	text += preferSentence(c, hasAt)
	text += h.sayContact(c, in)
	if p := sayPrefer(c, hasAt); p != "" {
		text += " · " + p
	}
	var sections []bot.Section
	if c.CandourActive() && c.Notified.IsZero() {
		sections = append(sections, bot.Section{Text: fmt.Sprintf("If this conversation was the %s notification — telling the family what happened and saying sorry — record it too: /hpp candour %s notified", p.Candour.Name, c.Name())})
	}
	if c.Plan == nil {
		sections = append(sections, bot.Section{Text: fmt.Sprintf("Have you agreed with the family how often to keep in touch? Record it and reminders will follow it: /hpp plan %s every=1w via=phone", c.Name())})
	}
	return bot.Reply{Text: text, Sections: sections}, nil
}

func (h *Handler) plan(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp plan HPP-3 every=1w via=phone")
	if err != nil {
		return bot.Reply{}, err
	}
	p := h.Policy
	now := h.Clock()
	prefer, hasAt, err := preferOpt(cmd)
	if err != nil {
		return bot.Reply{}, err
	}
	v, ok := cmd.Opts["every"]
	if !ok && !hasAt {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Say how often you agreed to be in touch with every=, for example: /hpp plan %s every=1w via=phone — or every=none <reason> if the family asked for no regular contact.", pathway.CaseName(id))
	}
	none := ok && strings.EqualFold(v, pathway.PlanNone)
	var every pathway.Span
	if ok && !none {
		if every, err = pathway.ParseTypedSpan(v); err != nil {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "every= is how often you agreed to be in touch: %v.", err)
		}
	}
	via := ""
	if v, ok := cmd.Opts["via"]; ok {
		if via, err = pathway.ParseVia(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if !ok {
		// at= alone: only the family's preferred time.
		return h.preferOnly(ctx, req, id, prefer, cmd.Text)
	}
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		var ev pathway.Event
		var err error
		if none {
			ev, err = c.SetNoRegularContact(via, cmd.Text, req.Person, now)
		} else {
			ev, err = c.SetPlan(every, via, cmd.Text, req.Person, p, now)
		}
		return withPrefer(c, []pathway.Event{ev}, err, hasAt, prefer, req.Person, now)
	})
	if err != nil {
		return bot.Reply{}, err
	}
	if none {
		return h.noRegularContactReply(c, via, cmd.Text, hasAt), nil
	}
	how := ""
	if via != "" {
		how = " by " + via
	}
	var said sayBack
	said.add("every "+every.Period(), strings.TrimPrefix(how, " "), sayPrefer(c, hasAt), sayNote("note", cmd.Text))
	text := fmt.Sprintf("Plan recorded for *%s*: in touch every %s%s. Next contact %s.", c.Name(), every.Period(), how, h.dueText(c.NextContact, now))
	if asked := p.Calendar.Add(now, every); c.NextContact.Equal(p.DueAt(asked)) && !asked.Equal(c.NextContact) {
		text += h.movedFrom(every.Human()+" from now", asked)
	}
	text += preferSentence(c, hasAt)
	return bot.Reply{Text: text + said.line()}, nil
}

func (h *Handler) candour(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp candour HPP-3 notified")
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cmd.Args) < 2 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which step? /hpp candour %s notified|written|update|na|delay [note]", pathway.CaseName(id))
	}
	step := strings.ToLower(cmd.Args[1])
	p := h.Policy
	now := h.Clock()
	var on = pathway.When{}
	if v, ok := cmd.Opts["on"]; ok {
		if on.Date, err = pathway.ParseDate(v, p.Location()); err != nil {
			return bot.Reply{}, err
		}
	}
	again, err := againGiven(cmd)
	if err != nil {
		return bot.Reply{}, err
	}
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, err := c.RecordCandour(step, cmd.Text, on.Date, req.Person, p, now)
		if err == nil && !again {
			err = h.checkRepeat(ctx, c, ev, now, candourStepName(p, step), cmd)
		}
		if err == nil {
			err = h.judgeThen(ctx, c.ID, &ev)
		}
		return []pathway.Event{ev}, err
	})
	if q, ok := asked(err); ok {
		return q, nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	label := p.Candour.Name
	var text string
	switch step {
	case pathway.CandourNotified:
		text = fmt.Sprintf("Recorded for *%s*: the family was told what happened (%s notification, %s).", c.Name(), label, h.day(c.Notified))
		if c.CandourActive() && c.Written.IsZero() && !c.WrittenDue.IsZero() {
			text += fmt.Sprintf(" The written follow-up is due by the end of %s: it repeats what you said, the apology, what is being looked into, and the support on offer. Record it with /hpp candour %s written", h.day(c.WrittenDue), c.Name())
		}
	case pathway.CandourWritten:
		text = fmt.Sprintf("Recorded for *%s*: the written follow-up was sent (%s). Keep a copy with the incident record.", c.Name(), h.day(c.Written))
		if c.Notified.IsZero() {
			text += fmt.Sprintf(" The notification itself isn't recorded yet — if the family has been told, add it: /hpp candour %s notified", c.Name())
		}
	case pathway.CandourUpdate:
		text = fmt.Sprintf("Recorded for *%s*: an update was given to the family (%s so far).", c.Name(), plural(c.Updates, "update", "updates"))
	case pathway.CandourNA:
		text = fmt.Sprintf("Recorded for *%s*: the %s doesn't apply, with your reason. Its reminders have stopped; reminders to keep in touch carry on.", c.Name(), label)
	case pathway.CandourDelay:
		text = fmt.Sprintf("Recorded for *%s*: the reason the %s notification is taking longer than a month. It is kept in the candour record. When the family has been told, record it with /hpp candour %s notified", c.Name(), label, c.Name())
	}
	if step == pathway.CandourNotified || step == pathway.CandourWritten || step == pathway.CandourUpdate {
		text += fmt.Sprintf("\nThis counts as contact with the family: next contact %s.", h.dueText(c.NextContact, now))
	}
	var said sayBack
	noteLabel := "note"
	if step == pathway.CandourNA {
		noteLabel = "reason"
	}
	said.add(candourStepWords(step), h.sayOn(on.Date), sayNote(noteLabel, cmd.Text))
	return bot.Reply{Text: text + said.line()}, nil
}

func (h *Handler) family(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp family HPP-3 support")
	if err != nil {
		return bot.Reply{}, err
	}
	p := h.Policy
	now := h.Clock()
	process, isParallel := cmd.Opts["parallel"]
	step := ""
	if len(cmd.Args) > 1 {
		step = strings.ToLower(cmd.Args[1])
		// With parallel= the second word is not a step but the note's first.
		if isParallel && !slices.Contains(pathway.FamilySteps, step) {
			cmd.Text = strings.TrimSpace(cmd.Args[1] + " " + cmd.Text)
			step = ""
		}
	}
	switch {
	case isParallel && step != "":
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Record one thing at a time: either /hpp family %s %s or /hpp family %s parallel=%s", pathway.CaseName(id), step, pathway.CaseName(id), process)
	case !isParallel && step == "":
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "What would you like to record? /hpp family %s support|questions|investigation|findings|improvement, or parallel=complaint|claim|inquest|regulator", pathway.CaseName(id))
	}
	commitment := pathway.CommitParallel
	if !isParallel {
		if !slices.Contains(pathway.FamilySteps, step) {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "%q isn't something I record here. Use support, questions, investigation, findings or improvement — or parallel=complaint|claim|inquest|regulator.", step)
		}
		commitment = pathway.FamilyStepCommitment(step)
	}
	if !p.Enabled(commitment) {
		return bot.Reply{}, h.commitmentOff(req.Person, "Records like this", commitment)
	}
	process = strings.ToLower(process)
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		var ev pathway.Event
		var err error
		if isParallel {
			ev, err = c.RecordParallel(process, cmd.Text, req.Person, now)
		} else {
			ev, err = c.RecordFamily(step, cmd.Text, req.Person, p, now)
		}
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	var said sayBack
	if isParallel {
		said.add("parallel "+process, sayNote("note", cmd.Text))
		keepTalking := "the pathway asks us to keep talking with the family whatever route they take, and not to hold it against them."
		if process == "inquest" {
			keepTalking = "the pathway asks us to keep talking with the family while it goes on."
		}
		return bot.Reply{Text: fmt.Sprintf("Recorded for *%s*: %s. Reminders to keep in touch carry on as before — %s", c.Name(), pathway.DescribeParallel(process), keepTalking) + said.line()}, nil
	}
	said.add(step, sayNote("note", cmd.Text))
	text := fmt.Sprintf("Recorded for *%s*: %s.", c.Name(), pathway.DescribeFamilyStep(step))
	if step == "findings" {
		text += fmt.Sprintf("\nSharing the findings counts as contact with the family: next contact %s.", h.dueText(c.NextContact, now))
	}
	return bot.Reply{Text: text + said.line()}, nil
}

func (h *Handler) lead(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp lead HPP-3 @alex")
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cmd.People) != 1 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Name one person to hand over to, for example: /hpp lead %s @alex", pathway.CaseName(id))
	}
	to := cmd.People[0]
	now := h.Clock()
	old, c, svcs, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, err := c.HandOver(to, req.Person, now)
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	var told, notTold []string
	if h.tell(ctx, to, bot.Reply{
		Text:    fmt.Sprintf("%s has handed you the named-contact role for *%s* (%s). You're now the family's contact. Next contact %s.", bot.Mention(req.Person), c.Name(), c.Ref, h.dueText(c.NextContact, now)),
		Buttons: caseButtons(c.Name()),
	}) {
		told = append(told, to)
	} else {
		notTold = append(notTold, to)
	}
	if old.Lead != req.Person && old.Lead != to {
		if h.tell(ctx, old.Lead, bot.Reply{Text: fmt.Sprintf("%s has handed the named-contact role for *%s* (%s) from you to %s. Thank you for what you've done for this family.", bot.Mention(req.Person), c.Name(), c.Ref, bot.Mention(to))}) {
			told = append(told, old.Lead)
		} else {
			notTold = append(notTold, old.Lead)
		}
	}
	h.markHandedOn(ctx, old, c, svcs, old.Lead, to)
	said := sayBack{"named contact " + bot.Mention(old.Lead) + " → " + bot.Mention(to)}
	text := fmt.Sprintf("%s is now the named contact for *%s*.%s", bot.Mention(to), c.Name(), toldNote(told, notTold))
	if h.escalationTaken(ctx, old, svcs, "a colleague has taken on the named-contact role") {
		text += " I'm letting the team channel know it's taken care of."
	}
	return bot.Reply{Text: text + said.line()}, nil
}

// toldNote says who a change was sent to, from what was delivered, and
// who could not be reached.
func toldNote(told, notTold []string) string {
	var b strings.Builder
	switch len(told) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " %s has been told.", mentions(told))
	default:
		fmt.Fprintf(&b, " %s have been told.", mentions(told))
	}
	if len(notTold) > 0 {
		fmt.Fprintf(&b, " I couldn't reach %s just now — please let them know yourself.", mentions(notTold))
	}
	return b.String()
}

func (h *Handler) involve(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp involve HPP-3 @sam @jo")
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cmd.People) == 0 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Name the staff involved, for example: /hpp involve %s @sam @jo", pathway.CaseName(id))
	}
	now := h.Clock()
	var added []string
	var plans []*store.Checkins
	_, c, _, err := h.updateCaseWith(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, a, err := c.Involve(cmd.People, req.Person, now)
		added = a
		return []pathway.Event{ev}, err
	}, func(c *pathway.Case) []*store.Checkins {
		plans = h.checkinPlans(c, added, now)
		return plans
	})
	if err != nil {
		return bot.Reply{}, err
	}
	var said sayBack
	said.add("newly involved " + mentions(added))
	if already := slices.DeleteFunc(slices.Clone(cmd.People), func(p string) bool { return slices.Contains(added, p) }); len(already) > 0 {
		said.add("already involved " + mentions(already))
	}
	return bot.Reply{Text: fmt.Sprintf("Recorded %s as involved in *%s*. They can now see the case.", mentions(added), c.Name()) + h.recordedAsInvolved(ctx, c, req.Person, plans) + said.line()}, nil
}

func (h *Handler) snooze(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp snooze HPP-3 1d")
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cmd.Args) < 2 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "For how long? For example: /hpp snooze %s 1d (at most %s)", pathway.CaseName(id), h.Policy.MaxSnooze)
	}
	span, err := pathway.ParseTypedSpan(cmd.Args[1])
	if err != nil {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "%v", err)
	}
	now := h.Clock()
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, err := c.Snooze(span, req.Person, h.Policy, now)
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	text := fmt.Sprintf("Reminders for *%s* are snoozed until %s. This is noted on the timeline.", c.Name(), h.when(c.SnoozedUntil))
	if !c.NextContact.IsZero() && c.NextContact.Before(now) {
		text += " Contact with the family is still overdue — if you can, let them know when they'll next hear from you."
	}
	if req.Person != c.Lead {
		// Someone else, such as the pathway lead from an escalation, has
		// given the named contact more time: they hear when reminders resume.
		if h.tell(ctx, c.Lead, bot.Reply{Text: fmt.Sprintf("%s has paused the reminders for *%s* (%s) until %s, to give you a little more time. I'll remind you then.", bot.Mention(req.Person), c.Name(), c.Ref, h.when(c.SnoozedUntil))}) {
			text += fmt.Sprintf(" %s has been told I'll remind them then.", bot.Mention(c.Lead))
		} else {
			text += fmt.Sprintf(" I couldn't reach %s just now — please let them know yourself.", bot.Mention(c.Lead))
		}
	}
	said := sayBack{"snooze " + span.Human()}
	return bot.Reply{Text: text + said.line()}, nil
}

func (h *Handler) closeCase(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp close HPP-3 <note>")
	if err != nil {
		return bot.Reply{}, err
	}
	now := h.Clock()
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, err := c.Close(cmd.Text, req.Person, now)
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	text := fmt.Sprintf("*%s* is closed and its reminders have stopped. The record stays; /hpp reopen %s resumes it if the family needs us again.", c.Name(), c.Name())
	var open []string
	if c.DutyApplies && c.NotNeeded == "" {
		if c.Notified.IsZero() {
			open = append(open, "the notification")
		}
		if c.Written.IsZero() {
			open = append(open, "the written follow-up")
		}
	}
	if len(open) > 0 {
		text += fmt.Sprintf("\nThe %s record doesn't show %s yet. If that happened, please record it: /hpp candour %s notified|written", h.Policy.Candour.Name, strings.Join(open, " or "), c.Name())
	}
	said := sayBack{"close " + c.Name(), sayNote("note", cmd.Text)}
	return bot.Reply{Text: text + said.line()}, nil
}

func (h *Handler) reopen(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp reopen HPP-3")
	if err != nil {
		return bot.Reply{}, err
	}
	now := h.Clock()
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		ev, err := c.Reopen(req.Person, h.Policy, now)
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	said := sayBack{"reopen " + c.Name()}
	return bot.Reply{Text: fmt.Sprintf("*%s* is open again. The next contact with the family is %s.", c.Name(), h.dueText(c.NextContact, now)) + said.line(), Buttons: caseButtons(c.Name())}, nil
}
