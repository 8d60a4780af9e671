package handlers

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// checkinStore keeps a person's check-ins and their own answers, under
// that person alone, and counts participation for reports.
type checkinStore interface {
	SaveCheckin(ctx context.Context, person string, c pathway.Checkin, openFor time.Duration) error
	GetCheckin(ctx context.Context, person, token string) (pathway.Checkin, bool, error)
	DeleteCheckin(ctx context.Context, person, token string) error
	SnoozeCheckin(ctx context.Context, person, token string) (first, ok bool, err error)
	AnswerCheckin(ctx context.Context, person, token string, a pathway.CheckinAnswer, keep time.Duration) (pathway.AnswerResult, error)
	CheckinAnswers(ctx context.Context, person string, keep time.Duration, now time.Time) ([]pathway.CheckinAnswer, error)
	ForgetCheckinAnswers(ctx context.Context, person string, keep time.Duration, now time.Time) (int, error)
	MarkCheckinDay(ctx context.Context, person, day string) (bool, error)
	UnmarkCheckinDay(ctx context.Context, person, day string) error
	TrackCheckinJob(ctx context.Context, person, jobID string, at time.Time) error
	UntrackCheckinJob(ctx context.Context, person, jobID string) error
	NextCheckinJob(ctx context.Context, person string, after time.Time) (jobID string, at time.Time, ok bool, err error)
	RecordCheckinParticipation(ctx context.Context, service, person string, answered bool, at time.Time) error
}

// jobStore schedules, moves and cancels the scheduler's one-off jobs: a
// check-in brought forward, a re-ask after "Not now", one cancelled.
type jobStore interface {
	ScheduleJob(ctx context.Context, j store.Job) error
	GetJob(ctx context.Context, id string) (store.Job, bool, error)
	CancelJob(ctx context.Context, id string) error
}

// noToken stands for "no check-in" in a button's command.
const noToken = "-"

// checkin runs the checkin sub-commands.
func (h *Handler) checkin(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	sub := strings.ToLower(cmd.Args[0])
	arg := func(i int) string {
		if i < len(cmd.Args) {
			return cmd.Args[i]
		}
		return ""
	}
	switch sub {
	case "history":
		if len(cmd.Args) > 1 {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "/hpp checkin history shows your own answers and takes nothing after it. Nobody can see anyone else's answers.")
		}
		return h.checkinHistory(ctx, req)
	case "forget":
		return h.checkinForget(ctx, req, strings.ToLower(arg(1)))
	case "answer":
		return h.checkinAnswer(ctx, req, arg(1), arg(2))
	case "notnow":
		return h.checkinNotNow(ctx, req, arg(1))
	case "talk":
		return h.talkAsk(ctx, req, arg(1))
	case "talk-yes":
		return h.talkConfirm(ctx, req, arg(1))
	case "talk-no":
		return bot.Reply{Text: "That's fine — I haven't told anyone anything. If you change your mind, /hpp support shows who you can talk to, and you can ask me again any time."}, nil
	}
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "/hpp checkin takes history or forget — or nothing, to start a check-in now. For example: /hpp checkin history")
}

// keepText says how long answers are kept, in words.
func (h *Handler) keepText() string {
	if h.Policy.CheckinAnswerTTL.IsZero() {
		return "90 days"
	}
	return h.Policy.CheckinAnswerTTL.Human()
}

// reaskJobID names the one re-ask a check-in can have.
func reaskJobID(person string, ci pathway.Checkin) string {
	if ci.Case != 0 {
		return fmt.Sprintf("checkin:%s:again:%d:%d", person, ci.Case, ci.N)
	}
	return fmt.Sprintf("checkin:%s:again:%s:%d", person, ci.Kind, ci.Sent.Unix())
}

// nextCheckin is when the person's next planned check-in will arrive.
func (h *Handler) nextCheckin(ctx context.Context, person string, now time.Time) (time.Time, bool) {
	_, at, ok, err := h.Store.NextCheckinJob(ctx, person, now)
	if err != nil || !ok {
		return time.Time{}, false
	}
	return h.deliveredAt(at), true
}

// checkinMessage is the check-in itself.
func (h *Handler) checkinMessage(ci pathway.Checkin, again bool, next time.Time, hasNext bool) bot.Reply {
	var text string
	switch {
	case again:
		text = "Asking once more, as you said \"not now\" earlier — and it's completely fine to say not now again."
	case ci.Kind == pathway.CheckinSelf:
		text = "Here's your private check-in."
	case ci.Kind == pathway.CheckinFollowUp:
		text = "Checking in again, as I said I would after your last answer."
	case ci.Case != 0:
		text = fmt.Sprintf("A private check-in from hppbot, since you were involved in *%s*.", pathway.CaseName(ci.Case))
	default:
		text = "A private check-in from hppbot."
	}
	if !again && ci.Kind != pathway.CheckinSelf {
		text += "\nAfter a patient is harmed, some people find it stays on their mind for a while, and some don't. Either is a normal reaction to a hard event, and if it is on your mind, you're not alone in it."
	}
	text += "\n\n*" + pathway.CheckinQuestion + "* One tap is enough."
	whatNext := fmt.Sprintf("Only you can see your answer — not your manager, the case team or an admin — and it's deleted after %s. If things are hard, I'll show you where support is straight away and check in again sooner.", h.keepText())
	if hasNext && !again {
		whatNext += " Otherwise, the next check-in is around " + h.day(next) + "."
	}
	whatNext += " /hpp wellbeing off stops these."
	scale := pathway.CheckinScale()
	buttons := make([]bot.Button, 0, len(scale)+2)
	for _, p := range scale {
		buttons = append(buttons, bot.Button{Label: p.Label, Command: fmt.Sprintf("checkin answer %s %d", ci.Token, p.Value)})
	}
	buttons = append(buttons,
		bot.Button{Label: "I'd like to talk to someone", Command: "checkin talk " + ci.Token},
		bot.Button{Label: "Not now", Command: "checkin notnow " + ci.Token},
	)
	return bot.Reply{Text: text, Note: whatNext, Buttons: buttons}
}

// startCheckin is /hpp checkin: a check-in now, for the person who asked.
func (h *Handler) startCheckin(ctx context.Context, req bot.Request) (bot.Reply, error) {
	now := h.Clock()
	settings, err := h.Store.PersonSettings(ctx, req.Person)
	if err != nil {
		return bot.Reply{}, err
	}
	token, err := pathway.NewCheckinToken(rand.Reader)
	if err != nil {
		return bot.Reply{}, err
	}
	ci := pathway.Checkin{Token: token, Kind: pathway.CheckinSelf, Service: settings.Service, Sent: now}
	if err := h.Store.SaveCheckin(ctx, req.Person, ci, pathway.CheckinOpenFor); err != nil {
		return bot.Reply{}, err
	}
	// It counts as today's check-in: a scheduled one later today is skipped.
	if _, err := h.Store.MarkCheckinDay(ctx, req.Person, h.Policy.CheckinDay(now)); err != nil {
		return bot.Reply{}, err
	}
	next, hasNext := h.nextCheckin(ctx, req.Person, now)
	return h.checkinMessage(ci, false, next, hasNext), nil
}

// checkinAnswer saves an answer under the person who pressed the button.
func (h *Handler) checkinAnswer(ctx context.Context, req bot.Request, token, value string) (bot.Reply, error) {
	v, err := strconv.Atoi(value)
	point, ok := pathway.ScalePointFor(v)
	if err != nil || !ok {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Please answer with one of the buttons on your check-in. To start a new one: /hpp checkin")
	}
	notFound := pathway.Errorf(pathway.NotFound, "I couldn't find that check-in among yours — it may have closed (check-ins stay open for two weeks). Nothing was saved. You can start a new one any time: /hpp checkin")
	if !pathway.ValidCheckinToken(token) {
		return bot.Reply{}, notFound
	}
	now := h.Clock()
	ci, ok, err := h.Store.GetCheckin(ctx, req.Person, token)
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return bot.Reply{}, notFound
	}
	res, err := h.Store.AnswerCheckin(ctx, req.Person, token, pathway.CheckinAnswer{At: now, Value: point.Value, Label: point.Label}, h.Policy.CheckinKeep(now))
	if err != nil {
		return bot.Reply{}, err
	}
	switch res {
	case pathway.AnswerUnknown:
		return bot.Reply{}, notFound
	case pathway.AnswerAlready:
		return bot.Reply{Text: "You've already answered this check-in — thank you. If things have changed, start a new one: /hpp checkin"}, nil
	}
	if ci.Kind == pathway.CheckinForCase {
		if err := h.Store.RecordCheckinParticipation(ctx, ci.Service, req.Person, true, now.In(h.Policy.Location())); err != nil {
			h.Log.Warn("could not count a check-in answer for reports", "err", err)
		}
	}
	if ci.Snoozed {
		// Answered after "Not now": the re-ask isn't needed.
		if err := h.Store.CancelJob(ctx, reaskJobID(req.Person, ci)); err != nil {
			h.Log.Warn("could not cancel a re-ask", "err", err)
		}
	}
	private := fmt.Sprintf("Only you can see your answers (/hpp checkin history), and /hpp checkin forget erases them. They're deleted after %s.", h.keepText())
	if point.Low {
		next, err := h.bringForward(ctx, req.Person, ci, now)
		text := "Thank you for telling me. That sounds hard — and it's a normal reaction to a difficult event, not a sign you're failing. You don't have to carry it on your own."
		if err != nil {
			h.Log.Warn("could not bring a check-in forward", "err", err)
		} else if !next.IsZero() {
			text += fmt.Sprintf(" I'll check in again around %s.", h.day(next))
		}
		text += "\nHere's who you can talk to. If you'd like, I can ask someone to get in touch with you."
		return bot.Reply{
			Text:     text,
			Sections: h.supportSections(),
			Note:     private,
			Buttons:  []bot.Button{{Label: "I'd like to talk to someone", Command: "checkin talk " + token, Style: "primary"}},
		}, nil
	}
	text := "Thank you — that's saved, just for you."
	if point.Value == 3 {
		text = "Thank you — that's saved, just for you. Getting by is allowed; if it starts to feel heavier, /hpp support shows who you can talk to."
	}
	if next, ok := h.nextCheckin(ctx, req.Person, now); ok {
		text += fmt.Sprintf(" I'll check in again around %s.", h.day(next))
	}
	return bot.Reply{Text: text, Note: private}, nil
}

// bringForward moves the person's next check-in to the next working day
// after a low answer; if none is planned, it adds one (but not after a
// follow-up, so a low answer never starts a daily chain). It returns when
// the next check-in will come.
func (h *Handler) bringForward(ctx context.Context, person string, ci pathway.Checkin, now time.Time) (time.Time, error) {
	target := h.Policy.CheckinAfterLowAnswer(now)
	for attempt := 0; attempt < 5; attempt++ {
		id, at, ok, err := h.Store.NextCheckinJob(ctx, person, now)
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			break
		}
		j, exists, err := h.Store.GetJob(ctx, id)
		if err != nil {
			return time.Time{}, err
		}
		if !exists {
			// It has run or gone; look at the next one.
			if err := h.Store.UntrackCheckinJob(ctx, person, id); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if !at.After(target) && !j.At.After(target) {
			return h.deliveredAt(j.At), nil
		}
		j.At = target
		if err := h.Store.ScheduleJob(ctx, j); err != nil {
			return time.Time{}, err
		}
		return h.deliveredAt(target), h.Store.TrackCheckinJob(ctx, person, id, target)
	}
	if ci.Kind == pathway.CheckinFollowUp {
		return time.Time{}, nil
	}
	j := store.Job{
		ID: "checkin:" + person + ":followup", Kind: CheckinJob, Person: person, At: target,
		Data: map[string]string{"kind": pathway.CheckinFollowUp, "svc": ci.Service},
	}
	if err := h.Store.ScheduleJob(ctx, j); err != nil {
		return time.Time{}, err
	}
	return h.deliveredAt(target), h.Store.TrackCheckinJob(ctx, person, j.ID, target)
}

// checkinNotNow asks again later, once.
func (h *Handler) checkinNotNow(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	notFound := pathway.Errorf(pathway.NotFound, "I couldn't find that check-in among yours — it may have closed. That's fine: nothing more is needed. You can start one any time with /hpp checkin.")
	if !pathway.ValidCheckinToken(token) {
		return bot.Reply{}, notFound
	}
	ci, ok, err := h.Store.GetCheckin(ctx, req.Person, token)
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return bot.Reply{}, notFound
	}
	if ci.Answered {
		return bot.Reply{Text: "You've already answered this check-in, so there's nothing more to do. Thank you."}, nil
	}
	first, ok, err := h.Store.SnoozeCheckin(ctx, req.Person, token)
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return bot.Reply{}, notFound
	}
	if !first {
		return bot.Reply{Text: "No problem — I won't ask about this one again. Whenever you like, /hpp checkin starts a check-in, and /hpp support shows where help is."}, nil
	}
	now := h.Clock()
	at := h.Policy.CheckinReaskAt(now)
	j := store.Job{
		ID: reaskJobID(req.Person, ci), Kind: CheckinJob, Person: req.Person, Case: ci.Case, At: at,
		Data: map[string]string{"again": "1", "kind": ci.Kind, "n": strconv.Itoa(ci.N), "svc": ci.Service},
	}
	if err := h.Store.ScheduleJob(ctx, j); err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{Text: fmt.Sprintf("No problem — there's no rush. I'll ask once more around %s, and not again after that. If you'd rather not have check-ins at all: /hpp wellbeing off.", h.when(at))}, nil
}

// checkinHistory shows a person their own answers — nobody else's, ever.
func (h *Handler) checkinHistory(ctx context.Context, req bot.Request) (bot.Reply, error) {
	now := h.Clock()
	answers, err := h.Store.CheckinAnswers(ctx, req.Person, h.Policy.CheckinKeep(now), now)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(answers) == 0 {
		return bot.Reply{Text: fmt.Sprintf("You have no check-in answers saved. Answers are kept for %s, only for you. /hpp checkin starts a check-in now.", h.keepText())}, nil
	}
	lines := make([]string, 0, len(answers))
	for _, a := range answers {
		lines = append(lines, fmt.Sprintf("• %s — %s", h.day(a.At), a.Label))
	}
	return bot.Reply{
		Text:     fmt.Sprintf("*Your check-in answers* — %s, oldest first. Only you can see these.", plural(len(answers), "answer", "answers")),
		Sections: []bot.Section{{Text: strings.Join(lines, "\n")}},
		Note:     fmt.Sprintf("Each answer is deleted %s after you gave it. /hpp checkin forget erases them all now.", h.keepText()),
		Buttons:  []bot.Button{{Label: "Erase my answers", Command: "checkin forget", Style: "danger"}},
	}, nil
}

// checkinForget erases the person's answers, after they confirm.
func (h *Handler) checkinForget(ctx context.Context, req bot.Request, confirm string) (bot.Reply, error) {
	now := h.Clock()
	keep := h.Policy.CheckinKeep(now)
	switch confirm {
	case "":
		answers, err := h.Store.CheckinAnswers(ctx, req.Person, keep, now)
		if err != nil {
			return bot.Reply{}, err
		}
		if len(answers) == 0 {
			return bot.Reply{Text: "You have no check-in answers saved, so there's nothing to erase."}, nil
		}
		return bot.Reply{
			Text: fmt.Sprintf("This erases your %s for good; they can't be brought back. Erase now?", plural(len(answers), "check-in answer", "check-in answers")),
			Buttons: []bot.Button{
				{Label: "Yes, erase them", Command: "checkin forget yes", Style: "danger"},
				{Label: "Keep them", Command: "checkin forget no"},
			},
		}, nil
	case "no":
		return bot.Reply{Text: "Nothing was erased. Your answers stay private to you."}, nil
	case "yes":
		n, err := h.Store.ForgetCheckinAnswers(ctx, req.Person, keep, now)
		if err != nil {
			return bot.Reply{}, err
		}
		if n == 0 {
			return bot.Reply{Text: "You had no check-in answers saved, so there was nothing to erase."}, nil
		}
		return bot.Reply{Text: fmt.Sprintf("Done — %s erased. Reports only ever counted that you took part, never what you answered. Check-ins carry on unless you switch them off with /hpp wellbeing off.", plural(n, "answer", "answers"))}, nil
	}
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "To erase your answers, type /hpp checkin forget and confirm.")
}
