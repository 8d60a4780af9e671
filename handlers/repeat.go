package handlers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// A command typed again with the same content a few minutes after it
// landed is usually a retry — after a slow answer, or a message that said
// it could not confirm the save — not a second conversation with the
// family. It is asked about before it is applied twice.

// repeatWindow is how recent an identical entry must be to ask.
const repeatWindow = 10 * time.Minute

// repeatLookBack is how many of a case's latest entries are compared: a
// repeat is a retry of what was just done, so the cost stays the same
// however long the case's timeline grows.
const repeatLookBack = 20

// againOption confirms a repeat: again=yes.
const againOption = "again"

// askFirst stops a change and answers with a question instead.
type askFirst struct{ reply bot.Reply }

func (a *askFirst) Error() string { return "asked before applying a repeat" }

// asked returns the question when err is an askFirst.
func asked(err error) (bot.Reply, bool) {
	var a *askFirst
	if errors.As(err, &a) {
		return a.reply, true
	}
	return bot.Reply{}, false
}

// againGiven reads again=: yes confirms a repeat; anything else is refused.
func againGiven(cmd Command) (bool, error) {
	v, ok := cmd.Opts[againOption]
	if !ok {
		return false, nil
	}
	if strings.EqualFold(v, "yes") {
		return true, nil
	}
	return false, pathway.Errorf(pathway.Invalid, "again= takes yes, to record something a second time on purpose (you typed %q).", truncate(v, 20))
}

// checkRepeat returns an askFirst when ev repeats an entry the same person
// made on the case in the last few minutes: same kind, step, method and
// note (a backdated entry: the same day too). An entry marked as recorded
// in error doesn't count: typing it again puts it right. what names it for the
// question ("the contact").
func (h *Handler) checkRepeat(ctx context.Context, c *pathway.Case, ev pathway.Event, now time.Time, what string, cmd Command) error {
	events, err := h.Store.RecentTimeline(ctx, c.ID, repeatLookBack)
	if err != nil {
		return err
	}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Struck() || e.Kind != ev.Kind || e.Step != ev.Step || e.Via != ev.Via || e.Actor != ev.Actor ||
			strings.TrimSpace(e.Note) != strings.TrimSpace(ev.Note) {
			continue
		}
		recent := !e.At.After(now) && now.Sub(e.At) <= repeatWindow
		if !ev.At.Equal(now) { // backdated with on=: the same day
			recent = e.At.Equal(ev.At)
		}
		if !recent {
			continue
		}
		line := againLine(cmd)
		return &askFirst{reply: bot.Reply{
			Text: fmt.Sprintf("That looks like %s you logged for *%s* at %s, with the same details. It is saved, so if you were checking, there is nothing more to do.\n"+
				"If this is a second one, log it again: /hpp %s", what, c.Name(), h.when(eventTime(e, now)), line),
			Buttons: []bot.Button{
				{Label: "Log it again", Command: line, Style: "primary"},
				{Label: "Show the timeline", Command: "timeline " + c.Name()},
			},
		}}
	}
	return nil
}

// eventTime is when an entry was made, for the question: its own time, or
// now for a backdated one made moments ago.
func eventTime(e pathway.Event, now time.Time) time.Time {
	if now.Sub(e.At) > repeatWindow {
		return now
	}
	return e.At
}

// againLine is the command as typed, with again=yes: options first, so
// every surface reads it the same way.
func againLine(cmd Command) string {
	parts := []string{cmd.Name}
	parts = append(parts, cmd.Args...)
	parts = append(parts, againOption+"=yes")
	keys := make([]string, 0, len(cmd.Opts))
	for k := range cmd.Opts {
		if k != againOption {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+cmd.Opts[k])
	}
	if cmd.Text != "" {
		parts = append(parts, cmd.Text)
	}
	return strings.Join(parts, " ")
}

// candourStepName names a candour step for the repeat question.
func candourStepName(p *pathway.Policy, step string) string {
	switch step {
	case pathway.CandourNotified:
		return "the " + p.Candour.Label + " notification"
	case pathway.CandourWritten:
		return "the " + p.Candour.Label + " written follow-up"
	case pathway.CandourUpdate:
		return "the " + p.Candour.Label + " update"
	case pathway.CandourNA:
		return "that the " + p.Candour.Label + " doesn't apply,"
	case pathway.CandourDelay:
		return "the reason for the delay"
	}
	return "that step"
}
