package handlers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

func serviceOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func checkinJobID(person string, caseID int64, n int) string {
	return fmt.Sprintf("checkin:%s:%d:%d", person, caseID, n)
}

// checkinPlans are the check-ins for people just recorded as involved in c,
// for the store to write with the case.
func (h *Handler) checkinPlans(c *pathway.Case, people []string, now time.Time) []*store.Checkins {
	schedule := h.Policy.CheckinSchedule(now)
	plans := make([]*store.Checkins, 0, len(people))
	for _, person := range people {
		pl := &store.Checkins{Person: person, Service: c.Service}
		for i, at := range schedule {
			pl.Jobs = append(pl.Jobs, store.Job{
				ID: checkinJobID(person, c.ID, i+1), Kind: CheckinJob, Person: person, Case: c.ID, At: at,
				Data: map[string]string{"n": strconv.Itoa(i + 1), "svc": serviceOrNone(c.Service)},
			})
		}
		plans = append(plans, pl)
	}
	return plans
}

// recordedAsInvolved tells each person whose check-ins were just written
// with c, privately, and returns what the reply adds about them.
func (h *Handler) recordedAsInvolved(ctx context.Context, c *pathway.Case, by string, plans []*store.Checkins) string {
	var failed, untold []string
	for _, pl := range plans {
		if pl.Err != nil {
			h.Log.Warn("could not schedule check-ins", "case", c.Name(), "person", pl.Person, "err", pl.Err)
			failed = append(failed, pl.Person)
		}
		var first time.Time
		for _, j := range pl.Jobs {
			if first.IsZero() || j.At.Before(first) {
				first = j.At
			}
		}
		if !h.tell(ctx, pl.Person, h.involvedNotice(c, by, pl.Person, first, pl.Off, pl.Err != nil)) {
			untold = append(untold, pl.Person)
		}
	}
	if len(plans) == 0 {
		return ""
	}
	if len(failed) > 0 {
		return fmt.Sprintf(" I couldn't set up private wellbeing check-ins for %s just now; they can start one any time with /hpp checkin, and /hpp support shows where help is.", mentions(failed))
	}
	if len(untold) > 0 {
		// Said only from what was delivered: nobody is "let know" whose
		// message didn't go.
		return fmt.Sprintf(" I couldn't reach %s just now to tell them they're recorded — please let them know yourself. Their private check-ins are set up.", mentions(untold))
	}
	return " I've let them know privately that I'll check in on how they're doing over the next few weeks — only they will see their answers."
}

// stillInvolved reports whether a case's check-in job is for someone the
// case records as involved. Check-ins are written with the case that
// records the person; when that write lost a race and was not retried, the
// job is left without them, and is dropped here. A case that can't be read
// doesn't stop a check-in.
func (h *Handler) stillInvolved(ctx context.Context, j store.Job) bool {
	if j.Case == 0 || j.Data["kind"] == pathway.CheckinFollowUp {
		return true
	}
	c, err := h.Store.GetCase(ctx, j.Case)
	if err != nil {
		return true
	}
	return slices.Contains(c.Involved, j.Person)
}

// involvedNotice is the one gentle message to someone recorded as involved:
// which incident (its reference), who recorded them, and how to see it.
func (h *Handler) involvedNotice(c *pathway.Case, by, person string, first time.Time, off, failed bool) bot.Reply {
	who := bot.Mention(by) + " has recorded you"
	if by == person || by == "" {
		who = "You've recorded yourself"
	}
	text := fmt.Sprintf("%s as one of the staff involved in *%s* (incident %s). You can see the case with /hpp status %s. Being part of an incident where a patient was harmed can stay with you, whatever happened and whatever your part in it — that's normal.", who, c.Name(), c.Ref, c.Name())
	var next string
	switch {
	case off:
		next = "You've switched check-ins off, so I won't send any. /hpp wellbeing on turns them back on."
	case failed || first.IsZero():
		next = "I'd normally check in with you privately over the next few weeks, but I couldn't set that up just now. You can start a check-in yourself any time with /hpp checkin."
	default:
		next = fmt.Sprintf("Over the next few weeks I'll check in with you privately a few times — one question, one tap — the first around %s. Your answers are seen by nobody else: not your manager, not the case team, not an admin.", h.day(h.deliveredAt(first)))
	}
	return bot.Reply{
		Text: text + "\n" + next,
		Sections: []bot.Section{{Text: "• Rather not have check-ins? /hpp wellbeing off\n" +
			"• Support, any time, including urgent help: /hpp support\n" +
			"There's nothing you need to do now."}},
	}
}
