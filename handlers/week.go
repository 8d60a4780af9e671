package handlers

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// The weekly view for a service's pathway lead: what is due this week,
// what is overdue, cases with no first contact or no plan yet, candour
// deadlines in the next 10 working days, cases whose named contact is away,
// and cases with no regular contact agreed (so they are not forgotten).
// The scheduler sends it on the first working morning of each week
// (scheduler/weekly.go); `list week` shows the same on demand. Both are
// built by WeekView. It names cases by id and incident reference only: no
// summary, no note, nothing about the patient, no wellbeing answer.

// weekCandourDays is how far ahead the view looks for candour deadlines.
const weekCandourDays = 10

// weekButtonsMax bounds the status buttons on one view.
const weekButtonsMax = 20

// WeekView builds a service's weekly view at now.
func (h *Handler) WeekView(ctx context.Context, service string, now time.Time) (bot.Reply, error) {
	cases, err := h.Store.ListOpen(ctx, store.CaseFilter{Services: []string{service}})
	if err != nil {
		return bot.Reply{}, err
	}
	cases = slices.DeleteFunc(cases, func(c *pathway.Case) bool { return c.Service != service })
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].ID < cases[j].ID })
	var leads []string
	for _, c := range cases {
		if !slices.Contains(leads, c.Lead) {
			leads = append(leads, c.Lead)
		}
	}
	aways, err := h.Store.Aways(ctx, leads)
	if err != nil {
		return bot.Reply{}, err
	}
	return h.weekReply(service, cases, aways, now), nil
}

// weekReply lays out the weekly view of a service's open cases.
func (h *Handler) weekReply(service string, cases []*pathway.Case, aways map[string]pathway.Away, now time.Time) bot.Reply {
	p := h.Policy
	loc := p.Location()
	cal := p.Calendar
	today := pathway.Midnight(now, loc)
	// The week runs Monday to Sunday; "due this week" is up to its end.
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	weekEnd := monday.AddDate(0, 0, 7)
	candourBy := cal.DayEnd(cal.AddWorkingDays(today, weekCandourDays))

	var overdue, dueWeek, noFirst, noPlan, candour, away, noRegular []string
	var buttons []bot.Button
	listed := map[int64]bool{}
	add := func(list *[]string, c *pathway.Case, detail string) {
		line := fmt.Sprintf("• *%s* (%s)", c.Name(), c.Ref)
		if detail != "" {
			line += " — " + detail
		}
		*list = append(*list, line)
		if !listed[c.ID] {
			listed[c.ID] = true
			if len(buttons) < weekButtonsMax {
				buttons = append(buttons, bot.Button{Label: c.Name(), Command: "status " + c.Name()})
			}
		}
	}
	for _, c := range cases {
		var late, soon []string
		for _, d := range c.Outstanding() {
			switch {
			case d.Due.Before(now):
				late = append(late, fmt.Sprintf("%s (since %s)", d.Label(p), h.day(d.Due)))
			case d.Due.Before(weekEnd):
				soon = append(soon, fmt.Sprintf("%s (%s)", d.Label(p), h.when(d.Due)))
			}
			if d.What != "contact" && !d.Due.Before(now) && !d.Due.After(candourBy) {
				add(&candour, c, fmt.Sprintf("%s by the end of %s (%s)", d.Label(p), h.day(d.Due), h.workingDaysText(now, d.Due)))
			}
		}
		if len(late) > 0 {
			add(&overdue, c, strings.Join(late, "; "))
		}
		if len(soon) > 0 {
			add(&dueWeek, c, strings.Join(soon, "; "))
		}
		if c.Contacts == 0 {
			add(&noFirst, c, "opened "+h.day(c.Opened))
		}
		if c.Plan == nil {
			add(&noPlan, c, "")
		}
		if a, ok := aways[c.Lead]; ok && a.ActiveAt(now) {
			cover := "nobody named to cover: the reminders come to you"
			if a.Cover != "" {
				cover = bot.Mention(a.Cover) + " covers"
			}
			add(&away, c, fmt.Sprintf("%s away until the end of %s; %s", bot.Mention(c.Lead), h.day(a.LastDay(loc)), cover))
		}
		if c.NoRegularContact() {
			add(&noRegular, c, "agreed "+h.day(c.Plan.Agreed)+"; the family hears when there is news")
		}
	}
	var sections []bot.Section
	section := func(title string, lines []string) {
		if len(lines) > 0 {
			sections = append(sections, bot.Section{Title: fmt.Sprintf("%s (%d)", title, len(lines)), Text: strings.Join(lines, "\n")})
		}
	}
	section("Overdue", overdue)
	section("Due this week", dueWeek)
	section("No first contact yet", noFirst)
	section("No plan agreed yet", noPlan)
	section(fmt.Sprintf("%s deadlines in the next %d working days", p.Candour.Name, weekCandourDays), candour)
	section("Named contact away", away)
	section("No regular contact agreed", noRegular)

	head := fmt.Sprintf("Your week in %s, from %s: %s.", service, h.day(monday), countOf(len(cases), "open case", "open cases"))
	if len(sections) == 0 {
		head += " Nothing is overdue or due this week, and every case has a first contact and a plan. Thank you."
	}
	reply := bot.Reply{Text: head, Sections: sections, Buttons: buttons}
	note := "Case ids and references only. Each button shows a case's status"
	if more := len(listed) - len(buttons); more > 0 {
		note += fmt.Sprintf("; %d more: /hpp status <case>", more)
	}
	reply.Note = note + "."
	if len(sections) == 0 {
		reply.Note = ""
		reply.Buttons = nil
	}
	return reply
}

// listWeek is `list week`: the weekly view of each service the person is
// pathway lead for (admins: of service=, or of every service).
func (h *Handler) listWeek(ctx context.Context, req bot.Request, service string) (bot.Reply, error) {
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	var names []string
	switch {
	case service != "":
		if _, ok := svcs[service]; !ok {
			return bot.Reply{}, pathway.Errorf(pathway.NotFound, "There's no service called %s. /hpp service lists them.", service)
		}
		if !h.isAdmin(req.Person) && svcs[service].Lead != req.Person {
			return bot.Reply{}, pathway.Errorf(pathway.Forbidden, "The weekly view of %s is for its pathway lead and admins. For your own cases: /hpp list mine", service)
		}
		names = []string{service}
	case h.isAdmin(req.Person) && len(svcs.LeadOf(req.Person)) == 0:
		for name := range svcs {
			names = append(names, name)
		}
	default:
		names = svcs.LeadOf(req.Person)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return bot.Reply{Text: "The weekly view is for pathway leads, and you aren't the lead for a service. For your own cases: /hpp list mine"}, nil
	}
	now := h.Clock()
	var out bot.Reply
	for i, name := range names {
		r, err := h.WeekView(ctx, name, now)
		if err != nil {
			return bot.Reply{}, err
		}
		if i == 0 {
			out = r
			continue
		}
		out.Sections = append(out.Sections, bot.Section{Text: r.Text})
		out.Sections = append(out.Sections, r.Sections...)
		for _, b := range r.Buttons {
			if len(out.Buttons) < weekButtonsMax && !slices.ContainsFunc(out.Buttons, func(x bot.Button) bool { return x.Command == b.Command }) {
				out.Buttons = append(out.Buttons, b)
			}
		}
		if out.Note == "" {
			out.Note = r.Note
		}
	}
	return out, nil
}
