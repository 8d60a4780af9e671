package handlers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

func (h *Handler) viewCommands() []*command {
	return []*command{
		{
			name:    "status",
			grammar: grammar{positional: 1},
			run:     h.status,
			usage:   "status <case>",
			summary: "the case at a glance: who, what is due, what is overdue, what has been done",
			group:   "views",
			help:    "Shows a case at a glance: the named contact, what is due and overdue, the candour steps, and what has been done for each commitment.\nExample: /hpp status HPP-3",
		},
		{
			name:    "list",
			grammar: grammar{positional: 1, options: []string{"service"}},
			run:     h.list,
			usage:   "list [mine|overdue|all|week] [service=<s>]",
			summary: "open cases, overdue first",
			group:   "views",
			help: "• mine (the default) — cases you are the contact for, opened or are involved in\n" +
				"• overdue — cases you can see with something overdue\n" +
				"• all — every open case you can see (pathway leads see their services; admins see everything)\n" +
				"• week — the pathway lead's weekly view: overdue, due this week, no first contact or plan yet, candour deadlines soon, named contact away, no regular contact agreed\n" +
				"Example: /hpp list overdue service=maternity",
		},
		{
			name:    "timeline",
			grammar: grammar{positional: 1, options: []string{"page"}},
			run:     h.timeline,
			usage:   "timeline <case> [page=<n>]",
			summary: "every event of a case, oldest first, with who and when",
			group:   "views",
			help: "Shows everything recorded on a case, oldest first, with who and when.\n" +
				fmt.Sprintf("A long timeline shows its latest %d events; page=2 shows the %d before them, and so on. /hpp export <case> gives the whole record as a file.\n", timelinePage, timelinePage) +
				"Example: /hpp timeline HPP-3 · /hpp timeline HPP-3 page=2",
		},
	}
}

func (h *Handler) status(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if len(cmd.Args) == 0 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which case? For example: /hpp status HPP-3")
	}
	c, svcs, err := h.readCase(ctx, req, cmd.Args[0])
	if err != nil {
		return bot.Reply{}, err
	}
	return h.statusReply(c, svcs), nil
}

// statusReply lays out a case at a glance. It shows no wellbeing answers:
// the case holds none.
func (h *Handler) statusReply(c *pathway.Case, svcs store.Services) bot.Reply {
	p := h.Policy
	now := h.Clock()
	var b strings.Builder
	b.WriteString(caseTitle(c))
	if c.IsOpen() {
		b.WriteString(" · open")
	} else {
		fmt.Fprintf(&b, " · closed %s", h.day(c.Closed))
	}
	if c.Summary != "" {
		b.WriteString("\n" + quote(c.Summary, 300))
	}
	people := []bot.Field{
		{Label: "Named contact", Value: bot.Mention(c.Lead)},
		{Label: "Opened", Value: fmt.Sprintf("%s by %s", h.when(c.Opened), bot.Mention(c.OpenedBy))},
		{Label: "Aware since", Value: h.day(c.Aware)},
		{Label: "Physical harm", Value: c.PhysicalHarm().Level()},
		{Label: "Psychological harm", Value: psychValue(c)},
	}
	if len(c.Involved) > 0 {
		people = append(people, bot.Field{Label: "Staff involved", Value: mentions(c.Involved)})
	}
	if svc, ok := svcs[c.Service]; ok && svc.Lead != "" {
		people = append(people, bot.Field{Label: "Pathway lead", Value: bot.Mention(svc.Lead)})
	}
	sections := []bot.Section{{Fields: people}}

	// Communication.
	var comm []string
	if c.IsOpen() {
		comm = append(comm, "Next contact "+h.dueText(c.NextContact, now))
	}
	if c.Contacts > 0 {
		comm = append(comm, fmt.Sprintf("Contacts logged: %d (first %s, latest %s)", c.Contacts, h.day(c.FirstContact), h.day(c.LastContact)))
	} else {
		comm = append(comm, "No contact with the family logged yet")
	}
	if c.Plan != nil {
		comm = append(comm, planLine(c))
	} else if c.IsOpen() {
		comm = append(comm, fmt.Sprintf("No plan agreed yet — record one with /hpp plan %s every=1w", c.Name()))
	}
	if c.PreferAt != "" {
		comm = append(comm, "The family prefers to be contacted "+pathway.PreferredTimeWords(c.PreferAt))
	}
	if c.IsOpen() && c.SnoozedUntil.After(now) {
		comm = append(comm, "Reminders snoozed until "+h.when(c.SnoozedUntil))
	}
	if c.ContactNudges > 0 {
		line := fmt.Sprintf("Reminders sent since the last contact: %d", c.ContactNudges)
		line += escalatedText(c)
		comm = append(comm, line)
	}
	sections = append(sections, bot.Section{Title: "Communication", Text: strings.Join(comm, "\n")})

	// Duty of Candour.
	var dc []string
	switch {
	case c.NotNeeded != "":
		dc = append(dc, "Recorded as not applying: "+quote(c.NotNeeded, 200))
	case !c.DutyApplies && c.CandourMode == pathway.CandourNo:
		dc = append(dc, "Recorded as not applying (candour=no was chosen when the case was opened). Any step taken is still recorded below.")
	case !c.DutyApplies:
		dc = append(dc, "Not applying at this harm level. Any step taken is still recorded below.")
	}
	dc = append(dc, h.stepLine("Notification", c.Notified, c.NotifyDue, c.DutyApplies && c.NotNeeded == "", now))
	if c.DutyApplies && c.WrittenDue.IsZero() && c.Notified.IsZero() && c.NotNeeded == "" {
		dc = append(dc, fmt.Sprintf("• Written follow-up: due %s after the notification", p.Candour.WrittenWithin.Human()))
	} else {
		dc = append(dc, h.stepLine("Written follow-up", c.Written, c.WrittenDue, c.DutyApplies && c.NotNeeded == "", now))
	}
	if c.Updates > 0 {
		dc = append(dc, fmt.Sprintf("• Updates given: %d", c.Updates))
	}
	sections = append(sections, bot.Section{Title: p.Candour.Label, Text: strings.Join(dc, "\n")})

	// The other commitments that are switched on.
	var other []string
	for _, step := range pathway.FamilySteps {
		if !p.Enabled(pathway.FamilyStepCommitment(step)) {
			continue
		}
		desc := pathway.DescribeFamilyStep(step)
		if t, ok := c.Family[step]; ok {
			other = append(other, fmt.Sprintf("• Done: %s (%s)", desc, h.day(t)))
		} else {
			other = append(other, "• Not yet: "+desc)
		}
	}
	if p.Enabled(pathway.CommitParallel) {
		if len(c.Parallel) == 0 {
			other = append(other, "• No complaint, claim, inquest or regulator process recorded")
		}
		for _, proc := range pathway.ParallelProcesses {
			if t, ok := c.Parallel[proc]; ok {
				other = append(other, fmt.Sprintf("• %s (%s) — keep in touch as agreed", capitalise(pathway.DescribeParallel(proc)), h.day(t)))
			}
		}
	}
	if len(other) > 0 {
		sections = append(sections, bot.Section{Title: "For the family", Text: strings.Join(other, "\n")})
	}
	reply := bot.Reply{Text: b.String(), Sections: sections}
	if c.IsOpen() {
		reply.Buttons = []bot.Button{
			{Label: "Log contact", Command: "contact " + c.Name(), Style: "primary", Form: bot.ContactForm(c.Name())},
			{Label: "Timeline", Command: "timeline " + c.Name()},
		}
	}
	return reply
}

func (h *Handler) stepLine(label string, done, due time.Time, active bool, now time.Time) string {
	switch {
	case !done.IsZero() && !due.IsZero():
		onTime := "on time"
		if !pathway.WithinDeadline(done, due, h.Policy.Location()) {
			onTime = "after the deadline of " + h.day(due)
		}
		return fmt.Sprintf("• %s: done %s (%s)", label, h.day(done), onTime)
	case !done.IsZero():
		return fmt.Sprintf("• %s: done %s", label, h.day(done))
	case due.IsZero() || !active:
		return fmt.Sprintf("• %s: not recorded", label)
	case due.Before(now):
		return fmt.Sprintf("• %s: was due by the end of %s — *overdue*", label, h.day(due))
	default:
		return fmt.Sprintf("• %s: due by the end of %s (%s)", label, h.day(due), h.workingDaysText(now, due))
	}
}

func (h *Handler) list(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	scope := "mine"
	if len(cmd.Args) > 0 {
		scope = strings.ToLower(cmd.Args[0])
	}
	if scope != "mine" && scope != "overdue" && scope != "all" && scope != "week" {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "list takes mine, overdue, all or week (you typed %q). For example: /hpp list overdue", truncate(scope, 30))
	}
	service := ""
	if v, ok := cmd.Opts["service"]; ok {
		var err error
		if service, err = pathway.ParseServiceName(v); err != nil {
			return bot.Reply{}, err
		}
	}
	if scope == "week" {
		return h.listWeek(ctx, req, service)
	}
	now := h.Clock()
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	f := store.CaseFilter{People: []string{req.Person}}
	if scope != "mine" {
		switch {
		case h.isAdmin(req.Person):
			f = store.CaseFilter{All: true}
			if service != "" {
				f = store.CaseFilter{Services: []string{service}}
			}
		default:
			f.Services = svcs.LeadOf(req.Person)
		}
	}
	if scope == "overdue" {
		f.DueBefore = now
	}
	count := f
	if service != "" {
		count = store.CaseFilter{Services: []string{service}, DueBefore: f.DueBefore}
		if scope == "mine" || !(f.All || slices.Contains(f.Services, service)) {
			count = store.CaseFilter{}
		}
	}
	// The list shows the listMax earliest deadlines. When what is fetched
	// is what is shown (no service picked out afterwards), listMax+1 from
	// each partition hold them, and the one more says there are others; a
	// service picked out of someone's own cases needs more fetched.
	switch {
	case service == "":
		f.Limit = listMax + 1
	case len(count.Services) > 0: // all of the service's cases are theirs to see
		f = count
		f.Limit = listMax + 1
	}
	cases, unreadable, err := h.Store.ListOpenCounted(ctx, f)
	if err != nil {
		return bot.Reply{}, err
	}
	// When the fetch may have stopped short, the list counts what exists,
	// so it says how many there are beside how many it shows. total -1:
	// more than were fetched, not counted (a service picked out of
	// someone's own cases).
	limit := f.Limit
	if limit == 0 {
		limit = store.ListLimit
	}
	truncated := len(cases)+unreadable >= limit || (f.Limit == listMax+1 && len(cases)+unreadable > listMax)
	if service != "" {
		kept := cases[:0]
		for _, c := range cases {
			if c.Service == service {
				kept = append(kept, c)
			}
		}
		cases = kept
	}
	total := len(cases)
	if truncated {
		if count.All || len(count.People)+len(count.Services) > 0 {
			n, err := h.Store.CountOpenMatching(ctx, count)
			if err != nil {
				return bot.Reply{}, err
			}
			total = max(int(n)-unreadable, len(cases))
		} else {
			total = -1
		}
	}
	reply := h.listReply(scope, service, cases, total, now, unreadable)
	if unreadable > 0 {
		reply.Sections = append(reply.Sections, bot.Section{Text: skippedLine(unreadable, "case", "cases", "this list")})
	}
	return reply, nil
}

// skippedLine says how many cases (or timeline entries) a list or report
// left out because their records could not be read (the store set them
// aside and the admins are told), and that what is shown is otherwise whole.
func skippedLine(n int, one, many, where string) string {
	if n == 1 {
		return plural(n, one, many) + " could not be read — admins have been told. It is left out of " + where + "."
	}
	return plural(n, one, many) + " could not be read — admins have been told. They are left out of " + where + "."
}

const listMax = 30

// listReply lays out a list: total is how many such cases there are (-1
// when there are more than were fetched but they weren't counted), cases
// those fetched, overdue first.
func (h *Handler) listReply(scope, service string, cases []*pathway.Case, total int, now time.Time, unreadable int) bot.Reply {
	var title string
	switch scope {
	case "mine":
		title = "Your open cases"
	case "overdue":
		title = "Open cases with something overdue"
	default:
		title = "Open cases you can see"
	}
	if service != "" {
		title += " in " + service
	}
	if len(cases) == 0 && unreadable > 0 {
		return bot.Reply{Text: title + ": none I could read."}
	}
	if len(cases) == 0 {
		switch scope {
		case "overdue":
			return bot.Reply{Text: title + ": none — everything is on time."}
		case "mine":
			return bot.Reply{Text: "You have no open cases. To open one: /hpp open <incident-ref> harm=<level> [summary]"}
		}
		return bot.Reply{Text: title + ": none."}
	}
	overdue := 0
	for _, c := range cases {
		if len(c.Overdue(now)) > 0 {
			overdue++
		}
	}
	shown := min(len(cases), listMax)
	var lines []string
	for _, c := range cases[:shown] {
		lines = append(lines, h.listLine(c, now))
	}
	var head string
	switch {
	case total < 0:
		head = fmt.Sprintf("*%s* — more than %s; showing the first %d", title, number(len(cases)), shown)
	case total > shown:
		head = fmt.Sprintf("*%s* — %s cases; showing the first %d", title, number(total), shown)
	default:
		head = fmt.Sprintf("*%s* — %s", title, countOf(total, "case", "cases"))
	}
	if overdue > 0 && scope != "overdue" {
		if total == len(cases) {
			head += fmt.Sprintf(", %d with something overdue", overdue)
		} else {
			head += fmt.Sprintf(", at least %d with something overdue", overdue)
		}
	}
	if total < 0 || total > shown {
		lines = append(lines, "To see others, narrow the list with service=<name> or /hpp list overdue.")
	}
	return bot.Reply{Text: head, Sections: []bot.Section{{Text: strings.Join(lines, "\n")}}}
}

func (h *Handler) listLine(c *pathway.Case, now time.Time) string {
	line := "• " + caseTitle(c) + " — "
	if od := c.Overdue(now); len(od) > 0 {
		var parts []string
		for _, d := range od {
			parts = append(parts, fmt.Sprintf("%s overdue (%s)", d.Label(h.Policy), relative(now, d.Due)))
		}
		line += "*" + strings.Join(parts, "; ") + "*"
	} else if out := c.Outstanding(); len(out) > 0 {
		line += fmt.Sprintf("next: %s %s", out[0].Label(h.Policy), relative(now, out[0].Due))
	}
	return line + " · named contact " + bot.Mention(c.Lead)
}

func (h *Handler) timeline(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if len(cmd.Args) == 0 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which case? For example: /hpp timeline HPP-3")
	}
	page, err := timelinePageOpt(cmd)
	if err != nil {
		return bot.Reply{}, err
	}
	return h.timelineOf(ctx, req, cmd.Args[0], page, timelinePage)
}

// timelineOf is a case's timeline, perPage events to a page, page 1 the
// latest.
func (h *Handler) timelineOf(ctx context.Context, req bot.Request, arg string, page, perPage int) (bot.Reply, error) {
	c, _, err := h.readCase(ctx, req, arg)
	if err != nil {
		return bot.Reply{}, err
	}
	events, unreadable, err := h.Store.TimelineCounted(ctx, c.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	events = pathway.Rejudge(events, h.Policy)
	lines := make([]string, 0, len(events))
	struck := 0
	for _, e := range events {
		line := h.entryLine(e)
		if e.Struck() {
			struck++
			line = "• " + strikeOut(line) + " " + h.struckNote(e)
		} else {
			line = "• " + line
		}
		lines = append(lines, line)
	}
	head := fmt.Sprintf("*Timeline of %s* (%s) — %s, oldest first", c.Name(), c.Ref, plural(len(events), "event", "events"))
	pages := max(1, (len(lines)+perPage-1)/perPage)
	if page > pages {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "%s has %s, which is %s of %d; page=%d is past the oldest. /hpp timeline %s page=%d shows the oldest events.",
			c.Name(), plural(len(events), "event", "events"), plural(pages, "page", "pages"), perPage, page, c.Name(), pages)
	}
	var older, newer []string
	if pages > 1 {
		// The latest events are page 1; each page before them goes back
		// perPage events.
		end := len(lines) - (page-1)*perPage
		start := max(0, end-perPage)
		head += fmt.Sprintf("; showing events %d–%d, page %d of %d", start+1, end, page, pages)
		lines = lines[start:end]
		if page < pages {
			older = []string{fmt.Sprintf("Older events: /hpp timeline %s page=%d.", c.Name(), page+1)}
		}
		if page > 1 {
			newer = []string{fmt.Sprintf("Newer events: /hpp timeline %s page=%d.", c.Name(), page-1)}
		}
	}
	reply := bot.Reply{Text: head, Sections: chunkLines(lines, 2800)}
	if pages > 1 {
		more := append(older, newer...)
		more = append(more, fmt.Sprintf("The whole record, every event: /hpp export %s.", c.Name()))
		reply.Sections = append(reply.Sections, bot.Section{Text: strings.Join(more, " ")})
		if page < pages {
			reply.Buttons = append(reply.Buttons, bot.Button{Label: "Older events", Command: fmt.Sprintf("timeline %s page=%d", c.Name(), page+1)})
		}
		if page > 1 {
			reply.Buttons = append(reply.Buttons, bot.Button{Label: "Newer events", Command: fmt.Sprintf("timeline %s page=%d", c.Name(), page-1)})
		}
		reply.Buttons = append(reply.Buttons, bot.Button{Label: "Export", Command: "export " + c.Name()})
	}
	if c.IsOpen() || struck > 0 {
		reply.Note = fmt.Sprintf("Each entry has its number: /hpp strike %s <entry> <reason> marks one recorded in error (it stays, struck out); /hpp correct %s puts a fact right, such as a regraded harm.", c.Name(), c.Name())
	}
	addSkipped(&reply, unreadable, "this timeline")
	return reply, nil
}

// timelinePage is how many events one page of a timeline shows: page 1 is
// the latest, and each page=N goes back as many again. A case with
// thousands of events would otherwise be one answer of 100 KB or more,
// past what Slack and Teams show; export gives the whole record.
const timelinePage = 50

// timelinePageOpt reads a timeline's page=, 1 when it isn't given.
func timelinePageOpt(cmd Command) (int, error) {
	v, ok := cmd.Opts["page"]
	if !ok {
		return 1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, pathway.Errorf(pathway.Invalid, "page= is a number from 1: page=1 is the latest %d events, page=2 the %d before them. For example: /hpp timeline HPP-3 page=2", timelinePage, timelinePage)
	}
	return n, nil
}

// entryLine is an entry for the timeline: when, what, and its number (the
// order it was recorded in, which a strike names; an entry recorded
// afterwards for an earlier day sits where it happened).
func (h *Handler) entryLine(e pathway.Event) string {
	return fmt.Sprintf("%s — %s (entry %d)", h.eventWhen(e), strings.TrimSpace(h.Describe(e)), e.No)
}

// strikeOut marks text as struck out: ~text~, which Slack shows struck
// through and the other surfaces turn into their own mark.
func strikeOut(text string) string {
	return "~" + strings.TrimSpace(text) + "~"
}

// struckNote says who marked an entry as recorded in error, when and why.
func (h *Handler) struckNote(e pathway.Event) string {
	s := e.StruckBy
	return fmt.Sprintf("*Recorded in error* — marked by %s on %s (entry %d). Reason: %s", bot.Mention(s.Actor), h.when(s.At), s.No, quote(s.Note, 300))
}

// psychValue is the psychological harm axis for a field: "Moderate —
// prolonged (28 days or more)".
func psychValue(c *pathway.Case) string {
	psych, prolonged := c.PsychHarm()
	v := psych.Level()
	if psych == "" || psych == pathway.HarmNone {
		return v
	}
	switch prolonged {
	case pathway.ProlongedYes:
		return v + " — prolonged (28 days or more)"
	case pathway.ProlongedNo:
		return v + " — not prolonged (under 28 days)"
	}
	return v + " — not said whether it lasts 28 days or more"
}

// chunkLines splits lines into sections no longer than max characters, so
// each fits a surface's limit.
func chunkLines(lines []string, max int) []bot.Section {
	var out []bot.Section
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len() > 0 && cur.Len()+len(l)+1 > max {
			out = append(out, bot.Section{Text: cur.String()})
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		out = append(out, bot.Section{Text: cur.String()})
	}
	return out
}

// Describe says what an event records, in a sentence: who did what. It is
// used by the timeline and the export.
func (h *Handler) Describe(e pathway.Event) string {
	who := bot.Mention(e.Actor)
	if e.Actor == pathway.Bot {
		who = "hppbot"
	}
	note := ""
	if e.Note != "" {
		note = " Note: " + quote(e.Note, 400)
	}
	p := h.Policy
	switch e.Kind {
	case pathway.EventOpened:
		s := who + " opened the case"
		if len(e.People) > 0 {
			s += "; staff involved " + mentions(e.People)
		}
		if !e.Every.IsZero() {
			s += "; agreed to be in touch every " + e.Every.Period()
		}
		if e.Note != "" {
			s += ". Summary: " + quote(e.Note, 400)
		}
		return s
	case pathway.EventContact:
		s := who + " logged a contact with the family"
		if e.Via != "" {
			s += " by " + e.Via
		}
		if !e.Due.IsZero() {
			if !e.OnTime(p.Location()) {
				s += fmt.Sprintf(" (it had been due %s)", h.when(e.Due))
			} else {
				s += " (on time)"
			}
		}
		if !e.Next.IsZero() {
			s += "; next due " + h.when(e.Next)
		}
		return s + "." + note
	case pathway.EventPrefer:
		return describePrefer(who, e)
	case pathway.EventPlan:
		if e.Step == pathway.PlanNone {
			s := who + " recorded the plan agreed with the family: no regular contact — the family will hear when there is news"
			if e.Via != "" {
				s += " (by " + e.Via + ")"
			}
			return s + "." + reasonSuffix(e.Note)
		}
		s := who + " recorded the plan agreed with the family: every " + e.Every.Period()
		if e.Via != "" {
			s += " by " + e.Via
		}
		return s + "." + note
	case pathway.EventCandour:
		switch e.Step {
		case pathway.CandourNotified:
			return who + " recorded the " + p.Candour.Name + " notification: the family was told what happened, with an apology." + note
		case pathway.CandourWritten:
			return who + " recorded the " + p.Candour.Name + " written follow-up as sent." + note
		case pathway.CandourUpdate:
			return who + " recorded a " + p.Candour.Name + " update to the family." + note
		case pathway.CandourNA:
			return who + " recorded that " + p.Candour.The() + " doesn't apply." + note
		case pathway.CandourDelay:
			return who + " recorded the reason the " + p.Candour.Name + " notification is taking longer than a month." + note
		}
	case pathway.EventFamily:
		return who + " recorded: " + pathway.DescribeFamilyStep(e.Step) + "." + note
	case pathway.EventParallel:
		return who + " recorded that " + pathway.DescribeParallel(e.Step) + "; communication with the family carries on." + note
	case pathway.EventLead:
		if len(e.People) == 2 && e.Step == pathway.LeadActing {
			return fmt.Sprintf("%s took the case on from %s as acting named contact.", who, bot.Mention(e.People[0]))
		}
		if len(e.People) == 2 {
			return fmt.Sprintf("%s handed the named-contact role from %s to %s.", who, bot.Mention(e.People[0]), bot.Mention(e.People[1]))
		}
	case pathway.EventInvolve:
		return who + " recorded " + mentions(e.People) + " as involved."
	case pathway.EventAway:
		return h.describeAway(e)
	case pathway.EventSnooze:
		return fmt.Sprintf("%s snoozed reminders for %s, until %s.", who, e.Every.Human(), h.when(e.Next))
	case pathway.EventClosed:
		return who + " closed the case." + note
	case pathway.EventReopened:
		return who + " reopened the case."
	case pathway.EventReminder:
		return fmt.Sprintf("hppbot reminded %s: %s.", mentions(e.People), reminderPhrase(e, p))
	case pathway.EventEscalation:
		return escalationEntry(e, reminderPhrase(e, p))
	case pathway.EventUndelivered:
		return undeliveredEntry(e, reminderPhrase(e, p))
	case pathway.EventCorrected:
		return who + " corrected the " + h.changeText(e) + "." + reasonSuffix(e.Note)
	case pathway.EventStruck:
		if e.Strikes > 0 {
			return fmt.Sprintf("%s marked entry %d as recorded in error.%s", who, e.Strikes, reasonSuffix(e.Note))
		}
		return who + " marked an entry as recorded in error." + reasonSuffix(e.Note)
	}
	return who + " " + string(e.Kind) + "." + note
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return " Reason: " + quote(reason, 400)
}

func reminderPhrase(e pathway.Event, p *pathway.Policy) string {
	what := "contact with the family"
	switch e.Step {
	case pathway.RemindNotify:
		what = p.Candour.Name + " notification"
	case pathway.RemindWritten:
		what = p.Candour.Name + " written follow-up"
	case pathway.RemindDelay:
		return "the " + p.Candour.Name + " notification is over a month late; the reason should be recorded"
	}
	switch e.Stage {
	case pathway.StageWarn:
		return what + " due soon"
	case pathway.StageDue:
		return what + " due today"
	}
	return what + " overdue"
}

// addSkipped adds to a case's reply the line saying how many of its
// timeline entries could not be read and were left out.
func addSkipped(reply *bot.Reply, unreadable int, where string) {
	if unreadable == 0 {
		return
	}
	reply.Sections = append(reply.Sections, bot.Section{Text: skippedLine(unreadable, "timeline entry", "timeline entries", where)})
}

// escalatedText says who was told about unanswered contact reminders, from
// the deliveries recorded on the case; it claims nobody was told when no
// delivery says so.
func escalatedText(c *pathway.Case) string {
	if !c.Escalated {
		return ""
	}
	switch {
	case len(c.EscalatedTo) > 0:
		who := make([]string, len(c.EscalatedTo))
		for i, p := range c.EscalatedTo {
			who[i] = bot.Mention(p)
		}
		return fmt.Sprintf(" (the pathway lead, %s, has been told)", strings.Join(who, " and "))
	case c.EscalatedChannel != "":
		return " (the team channel has been told; no pathway lead was asked)"
	}
	return ""
}

// undeliveredEntry says in the timeline that a reminder did not reach
// someone, and why, in the words the platform's answer was given.
func undeliveredEntry(e pathway.Event, what string) string {
	s := fmt.Sprintf("hppbot's reminder to %s was not delivered (%s)", mentions(e.People), what)
	if e.Why != "" {
		s += ": " + e.Why
	}
	return s + "."
}

// escalationEntry says in the timeline who an escalation reached: the
// people it was sent to, and the team channel it was posted in, written
// as a channel.
func escalationEntry(e pathway.Event, what string) string {
	var parts []string
	if len(e.People) > 0 {
		parts = append(parts, "let "+mentions(e.People)+" know")
	}
	if e.Channel != "" {
		parts = append(parts, "posted in "+bot.Channel(e.Channel))
	}
	pace := ""
	if !e.Every.IsZero() {
		pace = " Reminders slowed to every " + e.Every.Period() + " from then on."
	}
	if len(parts) == 0 {
		return "hppbot escalated: " + what + "." + pace
	}
	return fmt.Sprintf("hppbot %s: %s.%s", strings.Join(parts, " and "), what, pace)
}
