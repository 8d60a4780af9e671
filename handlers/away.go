package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Cover for leave (pathway/cover.go): `away until=<date> cover=@sam` says a
// named contact is away and who gets their reminders meanwhile; `away off`
// ends it early; it ends by itself after the last day (a scheduler job,
// AwayEndJob). A pathway lead or an admin may set it for someone else:
// `away @alex until=… cover=@sam`. The named contact stays the family's
// contact throughout: each affected case's timeline records the start and
// the end, and the cover is told once which cases and why.

// awayStore keeps times away.
type awayStore interface {
	SaveAway(ctx context.Context, a pathway.Away, now time.Time) error
	Away(ctx context.Context, person string) (pathway.Away, bool, error)
	Aways(ctx context.Context, people []string) (map[string]pathway.Away, error)
	EndAway(ctx context.Context, person string, from time.Time) (bool, error)
	AppendEvents(ctx context.Context, id int64, p *pathway.Policy, events ...pathway.Event) (bool, error)
}

// AwayEndJob is the scheduler job kind that ends a time away after its last
// day: register (*Handler).RunAwayEndJob for it with scheduler.HandleJob.
const AwayEndJob = "away-end"

func awayJobID(person string) string { return "away:" + person }

func (h *Handler) awayCommand() *command {
	return &command{
		name:    "away",
		grammar: grammar{options: []string{"until", "cover"}, mentions: true, text: true},
		run:     h.away,
		noArgs:  h.awayShow,
		usage:   "away until=<date> [cover=@u] | away off",
		summary: "say you're away: your reminders go to a colleague meanwhile",
		group:   "cases",
		help: "Says you're away (leave, a course, off sick) until the end of a day, and who covers: the reminders for the cases you're the named contact for go to them, and they're told once which cases. You stay the family's contact.\n" +
			"• until= the last day you're away (up to " + fmt.Sprint(pathway.MaxAwayDays) + " days ahead); it ends by itself after that day\n" +
			"• cover= a colleague; without one, or while they're away too, your pathway lead gets the reminders\n" +
			"• off — back early: your reminders come to you again\n" +
			"A pathway lead can set it for someone in their service: /hpp away @alex until=2026-12-20 cover=@sam\n" +
			"Example: /hpp away until=2026-12-20 cover=@sam",
	}
}

// awayShow is `away` alone: whether you're away, and how to say so.
func (h *Handler) awayShow(ctx context.Context, req bot.Request) (bot.Reply, error) {
	now := h.Clock()
	a, ok, err := h.Store.Away(ctx, req.Person)
	if err != nil {
		return bot.Reply{}, err
	}
	if ok && a.ActiveAt(now) {
		return bot.Reply{Text: fmt.Sprintf("You're away until the end of %s; %s. Back early? /hpp away off", h.day(a.LastDay(h.Policy.Location())), coverWords(a))}, nil
	}
	example := pathway.Midnight(now, h.Policy.Location()).AddDate(0, 0, 7).Format("2006-01-02")
	return bot.Reply{Text: fmt.Sprintf("You're not marked as away. To say you are, with a colleague covering your reminders: /hpp away until=%s cover=@name", example)}, nil
}

func coverWords(a pathway.Away) string {
	if a.Cover == "" {
		return "with nobody named to cover, your pathway lead gets your reminders"
	}
	return bot.Mention(a.Cover) + " gets your reminders"
}

func (h *Handler) away(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if len(cmd.People) > 1 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Name one person who is away, for example: /hpp away @alex until=2026-12-20 cover=@sam")
	}
	person := req.Person
	if len(cmd.People) == 1 {
		person = cmd.People[0]
	}
	off := strings.EqualFold(strings.TrimSpace(cmd.Text), "off")
	if !off && strings.TrimSpace(cmd.Text) != "" {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "I didn't understand %q. To say you're away: /hpp away until=2026-12-20 cover=@sam — or, back early: /hpp away off", truncate(cmd.Text, 40))
	}
	if person != req.Person {
		if err := h.mayCover(ctx, req.Person, person); err != nil {
			return bot.Reply{}, err
		}
	}
	if off {
		if len(cmd.Opts) > 0 {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "away off takes nothing else: it ends the time away now. Type /hpp away off")
		}
		return h.awayOff(ctx, req, person)
	}
	return h.awayStart(ctx, req, person, cmd)
}

// mayCover checks that actor may set or end someone else's time away: an
// admin, or the pathway lead of a service in which that person is the
// named contact of an open case.
func (h *Handler) mayCover(ctx context.Context, actor, person string) error {
	if h.isAdmin(actor) {
		return nil
	}
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return err
	}
	led := svcs.LeadOf(actor)
	if len(led) > 0 {
		cases, err := h.Store.ListOpen(ctx, store.CaseFilter{People: []string{person}})
		if err != nil {
			return err
		}
		for _, c := range cases {
			if c.Lead == person && slices.Contains(led, c.Service) {
				return nil
			}
		}
	}
	return pathway.Errorf(pathway.Forbidden, "Only %s, their pathway lead or an admin can say they're away. To say you're away yourself: /hpp away until=2026-12-20 cover=@sam", bot.Mention(person))
}

// known reports whether hppbot knows a person: they have used it (their name
// is in the name book) or are on an open case.
func (h *Handler) known(ctx context.Context, person string) (bool, error) {
	if h.names != nil && len(h.names.Lookup(ctx, []string{person})) > 0 {
		return true, nil
	}
	cases, err := h.Store.ListOpen(ctx, store.CaseFilter{People: []string{person}, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(cases) > 0, nil
}

func (h *Handler) awayStart(ctx context.Context, req bot.Request, person string, cmd Command) (bot.Reply, error) {
	p := h.Policy
	now := h.Clock()
	loc := p.Location()
	in := pathway.AwayInput{Person: person}
	v, ok := cmd.Opts["until"]
	if !ok {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Say the last day away with until=, for example: /hpp away until=%s cover=@sam", pathway.Midnight(now, loc).AddDate(0, 0, 7).Format("2006-01-02"))
	}
	var err error
	if in.Until, err = pathway.ParseDate(v, loc); err != nil {
		return bot.Reply{}, err
	}
	if v, ok := cmd.Opts["cover"]; ok {
		person, err := h.onePerson("cover", v, req.Surface, "Name one colleague to cover, for example cover=@sam.")
		if err != nil {
			return bot.Reply{}, err
		}
		in.Cover = person
	}
	a, err := pathway.NewAway(in, req.Person, p, now)
	if err != nil {
		return bot.Reply{}, err
	}
	for _, who := range []string{person, in.Cover} {
		if who == "" || who == req.Person {
			continue
		}
		k, err := h.known(ctx, who)
		if err != nil {
			return bot.Reply{}, err
		}
		if !k {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "I don't know %s yet — they haven't used hppbot and aren't on any open case, so I couldn't be sure my messages reach them. Ask them to say hello to hppbot once (/hpp help is enough), then try again.", bot.Mention(who))
		}
	}
	cases, err := h.Store.ListOpen(ctx, store.CaseFilter{People: []string{person}})
	if err != nil {
		return bot.Reply{}, err
	}
	cases = slices.DeleteFunc(cases, func(c *pathway.Case) bool { return c.Lead != person })
	for _, c := range cases {
		a.Cases = append(a.Cases, c.ID)
	}
	earlier, hadEarlier, err := h.Store.Away(ctx, person)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := h.Store.SaveAway(ctx, a, now); err != nil {
		return bot.Reply{}, err
	}
	if hadEarlier && earlier.ActiveAt(now) && earlier.Cover != "" && earlier.Cover != a.Cover && earlier.Cover != req.Person {
		// A time away given again replaces the earlier one; a cover no
		// longer named hears so, so they don't keep looking out for it.
		h.tell(ctx, earlier.Cover, bot.Reply{Text: fmt.Sprintf("%s's time away has changed: you're no longer covering their reminders. Thank you.", bot.Mention(person))})
	}
	from, _ := json.Marshal(a.From)
	if err := h.Store.ScheduleJob(ctx, store.Job{ID: awayJobID(person), Kind: AwayEndJob, Person: person, At: a.Until, Data: map[string]string{"from": string(from)}}); err != nil {
		// The time away still ends at until for reminders; only the
		// timeline's end entry would be missing, so say so rather than fail.
		h.Log.Warn("could not schedule the end of a time away", "err", err)
	}
	people := []string{person}
	if a.Cover != "" {
		people = append(people, a.Cover)
	}
	var recorded []*pathway.Case
	for _, c := range cases {
		ok, err := h.Store.AppendEvents(ctx, c.ID, p, pathway.Event{At: now, Actor: req.Person, Kind: pathway.EventAway, Step: pathway.AwayStart, People: people, Next: a.Until})
		if err != nil {
			h.Log.Warn("could not record a time away on a case", "case", c.Name(), "err", err)
			continue
		}
		if ok {
			recorded = append(recorded, c)
		}
	}
	lastDay := h.day(a.LastDay(loc))
	who, whose := "You're", "your"
	if person != req.Person {
		who, whose = bot.Mention(person)+" is", "their"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s away until the end of %s. ", who, lastDay)
	var coverAway pathway.Away
	if a.Cover != "" {
		ca, ok, err := h.Store.Away(ctx, a.Cover)
		if err == nil && ok && ca.ActiveAt(now) {
			coverAway = ca
		}
	}
	svcs, _ := h.Store.Services(ctx)
	switch {
	case len(cases) == 0:
		if person == req.Person {
			fmt.Fprintf(&b, "You aren't the named contact for any open case just now; reminders for any that come your way go to %s meanwhile.", coverName(a))
		} else {
			fmt.Fprintf(&b, "%s isn't the named contact for any open case just now; reminders for any that come their way go to %s meanwhile.", bot.Mention(person), coverName(a))
		}
	default:
		fmt.Fprintf(&b, "Reminders for %s %s go to %s meanwhile", whose, plural(len(cases), "case", "cases"), coverName(a))
		if coverAway.Person != "" {
			fmt.Fprintf(&b, " — but %s is away too until the end of %s, so until then they go to the pathway lead", bot.Mention(a.Cover), h.day(coverAway.LastDay(loc)))
		}
		fmt.Fprintf(&b, ": %s.", caseNames(cases))
		told := h.tellCover(ctx, a, person, cases, svcs, lastDay)
		if len(told) > 0 {
			verb := "have"
			if len(told) == 1 {
				verb = "has"
			}
			fmt.Fprintf(&b, " %s %s been told which cases and why.", mentions(told), verb)
		}
		if len(recorded) > 0 {
			b.WriteString(" Each case's timeline records it.")
		}
	}
	fmt.Fprintf(&b, " It ends by itself after %s; back early? /hpp away off", lastDay)
	if person != req.Person {
		b.WriteString(" " + bot.Mention(person))
		h.tell(ctx, person, bot.Reply{Text: fmt.Sprintf("%s has noted that you're away until the end of %s; reminders for your cases go to %s meanwhile. You stay the family's named contact. Back early? /hpp away off", bot.Mention(req.Person), lastDay, coverName(a))})
	}
	var said sayBack
	said.add("away "+bot.Mention(person), "until the end of "+lastDay)
	if a.Cover != "" {
		said.add("cover " + bot.Mention(a.Cover))
	} else {
		said.add("no cover named: the pathway lead")
	}
	return bot.Reply{Text: b.String() + said.line()}, nil
}

func coverName(a pathway.Away) string {
	if a.Cover == "" {
		return "the pathway lead"
	}
	return bot.Mention(a.Cover)
}

func caseNames(cases []*pathway.Case) string {
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.Name()
	}
	return strings.Join(names, ", ")
}

// tellCover tells whoever gets the reminders meanwhile — the cover, or
// with none the pathway lead of each service — once, which cases and why.
// It returns who was told.
func (h *Handler) tellCover(ctx context.Context, a pathway.Away, person string, cases []*pathway.Case, svcs store.Services, lastDay string) []string {
	byWho := map[string][]*pathway.Case{}
	var order []string
	for _, c := range cases {
		to := a.Cover
		if to == "" {
			to = svcs[c.Service].Lead
		}
		if to == "" || to == person {
			continue
		}
		if _, ok := byWho[to]; !ok {
			order = append(order, to)
		}
		byWho[to] = append(byWho[to], c)
	}
	var told []string
	for _, to := range order {
		cs := byWho[to]
		var lines []string
		var buttons []bot.Button
		for _, c := range cs {
			line := fmt.Sprintf("• *%s* (%s)", c.Name(), c.Ref)
			if !c.NextContact.IsZero() {
				line += " — next contact " + h.dueText(c.NextContact, h.Clock())
			}
			lines = append(lines, line)
			if len(buttons) < 5 {
				buttons = append(buttons, bot.Button{Label: c.Name(), Command: "status " + c.Name()})
			}
		}
		head := fmt.Sprintf("%s is away until the end of %s and has asked you to cover. Until then, the reminders for these cases come to you:", bot.Mention(person), lastDay)
		if a.Cover == "" {
			head = fmt.Sprintf("%s is away until the end of %s with nobody named to cover, so as pathway lead you'll get the reminders for these cases until then:", bot.Mention(person), lastDay)
		}
		text := fmt.Sprintf("%s\n%s\nThey stay %s's cases and the family's contact doesn't change: log a contact as usual, or ask for help with /hpp prompt. I won't repeat this list; it ends by itself.",
			head, strings.Join(lines, "\n"), bot.Mention(person))
		if h.tell(ctx, to, bot.Reply{Text: text, Buttons: buttons}) {
			told = append(told, to)
		}
	}
	return told
}

func (h *Handler) awayOff(ctx context.Context, req bot.Request, person string) (bot.Reply, error) {
	now := h.Clock()
	a, ok, err := h.Store.Away(ctx, person)
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok || !a.ActiveAt(now) {
		if person == req.Person {
			return bot.Reply{Text: "You're not marked as away, so there's nothing to end — your reminders come to you. To say you're away: /hpp away until=2026-12-20 cover=@sam"}, nil
		}
		return bot.Reply{Text: fmt.Sprintf("%s isn't marked as away, so there's nothing to end — their reminders go to them.", bot.Mention(person))}, nil
	}
	n, err := h.endAway(ctx, a, req.Person, pathway.AwayOff, now)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := h.Store.CancelJob(ctx, awayJobID(person)); err != nil {
		h.Log.Warn("could not cancel the end of a time away", "err", err)
	}
	text := "Welcome back: your reminders come to you again."
	if person != req.Person {
		text = bot.Mention(person) + " is marked as back: their reminders go to them again."
		h.tell(ctx, person, bot.Reply{Text: fmt.Sprintf("%s has ended your time away; reminders for your cases come to you again.", bot.Mention(req.Person))})
	}
	if n > 0 {
		text += fmt.Sprintf(" The end is recorded on %s.", plural(n, "case's timeline", "cases' timelines"))
	}
	said := sayBack{"away ended for " + bot.Mention(person)}
	return bot.Reply{Text: text + said.line()}, nil
}

// endAway ends a time away (step AwayOff early, AwayEnd as planned): it
// removes it, records the end on the cases whose timelines recorded its
// start, and thanks the cover. It returns how many timelines recorded it.
func (h *Handler) endAway(ctx context.Context, a pathway.Away, actor, step string, now time.Time) (int, error) {
	ended, err := h.Store.EndAway(ctx, a.Person, a.From)
	if err != nil {
		return 0, err
	}
	if !ended {
		return 0, nil
	}
	people := []string{a.Person}
	if a.Cover != "" {
		people = append(people, a.Cover)
	}
	n := 0
	var names []string
	for _, id := range a.Cases {
		ok, err := h.Store.AppendEvents(ctx, id, h.Policy, pathway.Event{At: now, Actor: actor, Kind: pathway.EventAway, Step: step, People: people, Next: a.Until})
		if err != nil {
			h.Log.Warn("could not record the end of a time away on a case", "case", pathway.CaseName(id), "err", err)
			continue
		}
		if ok {
			n++
			names = append(names, pathway.CaseName(id))
		}
	}
	if a.Cover != "" && a.Cover != actor && len(names) > 0 {
		h.tell(ctx, a.Cover, bot.Reply{Text: fmt.Sprintf("%s is back: reminders for %s go to them again. Thank you for covering.", bot.Mention(a.Person), strings.Join(names, ", "))})
	}
	return n, nil
}

// RunAwayEndJob ends a time away after its last day (job kind AwayEndJob).
// A time away already ended, or replaced by a newer one, is left alone.
func (h *Handler) RunAwayEndJob(ctx context.Context, j store.Job, now time.Time) error {
	a, ok, err := h.Store.Away(ctx, j.Person)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	from, _ := json.Marshal(a.From)
	if string(from) != j.Data["from"] || now.Before(a.Until) {
		return nil
	}
	n, err := h.endAway(ctx, a, pathway.Bot, pathway.AwayEnd, now)
	if err != nil {
		return err
	}
	if n > 0 {
		h.tell(ctx, a.Person, bot.Reply{Text: fmt.Sprintf("Welcome back. Your time away ended after %s, so reminders for your cases come to you again.", h.day(a.LastDay(h.Policy.Location())))})
	}
	return nil
}

// describeAway says what an away entry on a case's timeline records.
func (h *Handler) describeAway(e pathway.Event) string {
	who := bot.Mention(e.Actor)
	if e.Actor == pathway.Bot {
		who = "hppbot"
	}
	if len(e.People) == 0 {
		return who + " recorded a time away."
	}
	person := bot.Mention(e.People[0])
	lastDay := h.day(e.Next.Add(-time.Minute))
	switch e.Step {
	case pathway.AwayStart:
		cover := "with nobody named to cover, the pathway lead gets the reminders"
		if len(e.People) > 1 {
			cover = bot.Mention(e.People[1]) + " covers the reminders"
		}
		by := ""
		if e.Actor != e.People[0] {
			by = " (noted by " + who + ")"
		}
		return fmt.Sprintf("%s is away until the end of %s%s; %s. %s stays the named contact.", person, lastDay, by, cover, person)
	case pathway.AwayEnd:
		return fmt.Sprintf("%s's time away ended after %s, as planned; reminders go to them again.", person, lastDay)
	case pathway.AwayOff:
		by := ""
		if e.Actor != e.People[0] {
			by = " by " + who
		}
		return fmt.Sprintf("%s's time away was ended early%s; reminders go to them again.", person, by)
	}
	return who + " recorded a time away."
}

// covers reports whether person covers for the case's named contact, who
// is away now: the cover gets the case's reminders, so may act on it (log a
// contact, snooze) like the named contact.
func (h *Handler) covers(ctx context.Context, person string, c *pathway.Case) bool {
	a, ok, err := h.Store.Away(ctx, c.Lead)
	return err == nil && ok && a.Cover == person && a.ActiveAt(h.Clock())
}
