package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// shapeNudge fits a case's reminders to the people and the family just
// before they are sent: it sends them to whoever should get this case's
// nudge now (the named contact; their cover while they are away; with
// nobody covering, the pathway lead — pathway.RouteNudge), saying why, and
// it adds the family's preferred time to a reminder about contact.
func (s *Scheduler) shapeNudge(ctx context.Context, it *item, rs []pathway.Reminder, m *messages, svcs store.Services, now time.Time) {
	c := it.c
	if c.PreferAt != "" && hasContact(rs) {
		m.primary.reply.Text = withPreferredTime(m.primary.reply.Text, c.PreferAt)
	}
	r := s.nudgeRoute(ctx, c, it.aways, svcs, now)
	if r.Why == pathway.RouteNamed {
		return
	}
	m.primary.to = r.To
	m.serviceLead = svcs[c.Service].Lead
	loc := s.cfg.Policy.Location()
	until := s.day(r.Away.LastDay(loc))
	switch r.Why {
	case pathway.RouteCover:
		m.routed = fmt.Sprintf("You're covering for %s, who is away until the end of %s.\n", bot.Mention(c.Lead), until)
	case pathway.RouteLead:
		why := "with nobody named to cover"
		if r.Cover.Person != "" {
			why = fmt.Sprintf("and %s, who covers, is away too", bot.Mention(r.Cover.Person))
		}
		m.routed = fmt.Sprintf("%s is away until the end of %s %s, so this comes to you as pathway lead for %s.\n", bot.Mention(c.Lead), until, why, c.Service)
		m.toLead = true
	}
	m.primary.reply.Text = m.routed + m.primary.reply.Text
	// Whoever now gets the nudge is who the pathway lead hears about; and
	// the lead who already has the nudge is not sent a heads-up about it.
	switch {
	case m.lead != "" && m.lead == r.To:
		m.lead, m.leadMsg = "", message{}
		m.noLead = fmt.Sprintf("the pathway lead for %s has the reminders while the named contact is away", c.Service)
	case m.lead != "":
		m.leadMsg.reply.Text = strings.Replace(m.leadMsg.reply.Text, bot.Mention(c.Lead)+" has had",
			fmt.Sprintf("%s (covering for %s, who is away) has had", bot.Mention(r.To), bot.Mention(c.Lead)), 1)
	}
}

// nudgeRoute is who gets a case's nudge now. When the store can't say
// whether the named contact is away, the named contact gets it: a reminder
// to someone on leave is better than none.
func (s *Scheduler) nudgeRoute(ctx context.Context, c *pathway.Case, book *awayBook, svcs store.Services, now time.Time) pathway.Route {
	aways, err := s.awaysOf(ctx, book, c.Lead)
	if err != nil {
		s.cfg.Log.Warn("could not read whether the named contact is away; reminding them", "case", c.Name(), "err", cause(err))
		return pathway.Route{To: c.Lead, Why: pathway.RouteNamed}
	}
	if a, ok := aways[c.Lead]; ok && a.ActiveAt(now) && a.Cover != "" {
		more, err := s.awaysOf(ctx, book, a.Cover)
		if err == nil {
			for k, v := range more {
				aways[k] = v
			}
		}
	}
	return pathway.RouteNudge(c.Lead, svcs[c.Service].Lead, func(p string) (pathway.Away, bool) {
		a, ok := aways[p]
		return a, ok
	}, now)
}

// awayBook is who of a tick's named contacts is away, read for all of them
// at once when the tick starts, so that a nudge costs no read of its own.
// It is only read once written; a person it does not know (a case handed
// over since, or someone's cover) is read from the store when asked about.
type awayBook struct {
	read map[string]bool
	away map[string]pathway.Away
}

// readAways reads who of work's named contacts is away. When the store does
// not answer, the book is empty and each nudge asks for itself.
func (s *Scheduler) readAways(ctx context.Context, work []*item) *awayBook {
	book := &awayBook{read: map[string]bool{}}
	var people []string
	for _, it := range work {
		if it.c != nil && it.c.Lead != "" && !book.read[it.c.Lead] {
			book.read[it.c.Lead] = true
			people = append(people, it.c.Lead)
		}
	}
	away, err := s.cfg.Store.Aways(ctx, people)
	if err != nil {
		return &awayBook{}
	}
	book.away = away
	return book
}

// awaysOf is person's time away, if any, as a map for pathway.RouteNudge:
// from the tick's book when it read them, else from the store.
func (s *Scheduler) awaysOf(ctx context.Context, book *awayBook, person string) (map[string]pathway.Away, error) {
	if book != nil && book.read[person] {
		out := map[string]pathway.Away{}
		if a, ok := book.away[person]; ok {
			out[person] = a
		}
		return out, nil
	}
	return s.cfg.Store.Aways(ctx, []string{person})
}

func hasContact(rs []pathway.Reminder) bool {
	for _, r := range rs {
		if r.Kind == pathway.RemindContact {
			return true
		}
	}
	return false
}

// withPreferredTime adds "The family prefers around 17:00." after the
// sentence that says contact is due.
func withPreferredTime(text, at string) string {
	add := " The family prefers " + pathway.PreferredTimeWords(at) + "."
	i := strings.Index(text, "ontact with the family")
	if i < 0 {
		return text + add
	}
	depth := 0
	for k := i; k < len(text); k++ {
		switch text[k] {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 && (k+1 == len(text) || text[k+1] == ' ' || text[k+1] == '\n') {
				return text[:k+1] + add + text[k+1:]
			}
		}
	}
	return text + add
}
