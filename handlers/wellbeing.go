package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Wellbeing check-ins for staff involved in harm (SPEC hard rule 2).
//
// Everyone recorded as involved in a case is told once, privately, and then
// gets a few private check-ins on the policy's schedule: one question, a
// one-tap scale, "I'd like to talk to someone" and "Not now". Answers are
// stored under the person alone (store/people.go) and read back only by
// `checkin history` for that same person. No case, event, timeline, report,
// escalation or log line carries an answer, a score or a check-in token; the
// only thing that leaves the person is participation (sent, answered) as
// sets of ids for aggregate reports, and — when they ask and confirm — one
// sentence to their wellbeing contact saying they'd like a conversation.
//
// Buttons run commands as the person who presses them. The hidden
// sub-commands (checkin answer|notnow|talk|talk-yes|talk-no) always act for
// the presser: an answer is saved under Request.Person, and the token only
// finds a check-in among that person's own, so a button carrying anyone
// else's token or id writes nothing.

// CheckinJob is the scheduler job kind for check-ins: register
// (*Handler).RunCheckinJob for it with scheduler.HandleJob.
const CheckinJob = "checkin"

const (
	// checkinOpenFor is how long a check-in can be answered.
	checkinOpenFor = 14 * 24 * time.Hour
	// reaskAfter is how long after "Not now" the check-in is asked again
	// (once), or the next working morning if that falls outside working hours.
	reaskAfter = 3 * time.Hour
	// talkWindow stops a second press of "Yes, please let them know" from
	// telling the contact twice.
	talkWindow = 12 * time.Hour
	// noToken stands for "no check-in" in a button's command.
	noToken = "-"
)

// scalePoint is one answer on the check-in scale.
type scalePoint struct {
	value int
	label string
	low   bool // offers support straight away and brings the next check-in forward
}

// checkinScale is hppbot's own single question and four-point scale, written
// for this purpose in plain words: not taken from any published or
// proprietary measure (in particular, no Maslach Burnout Inventory items).
// Four points plus "talk" and "Not now" keep to six buttons, which every
// surface can show in one row.
var checkinScale = []scalePoint{
	{1, "Really struggling", true},
	{2, "Finding it hard", true},
	{3, "Getting by", false},
	{4, "Doing OK", false},
}

const checkinQuestion = "How are you doing right now?"

func scaleFor(value int) (scalePoint, bool) {
	for _, p := range checkinScale {
		if p.value == value {
			return p, true
		}
	}
	return scalePoint{}, false
}

func (h *Handler) wellbeingCommands() []*command {
	return []*command{
		{
			name:    "checkin",
			grammar: grammar{positional: 3},
			run:     h.checkin,
			noArgs:  h.startCheckin,
			usage:   "checkin [history|forget]",
			summary: "a private check-in on how you're doing; see or erase your own answers",
			group:   "wellbeing",
			help: "• /hpp checkin — a private check-in now: one question, one tap\n" +
				"• /hpp checkin history — your own answers, with their dates; nobody else can see them\n" +
				"• /hpp checkin forget — erase all your answers (you'll be asked to confirm)\n" +
				"If you were recorded as involved in a case, hppbot also checks in privately a few times over the following weeks. /hpp wellbeing off stops that.",
		},
		{
			name:    "support",
			grammar: grammar{},
			run:     func(ctx context.Context, req bot.Request, _ Command) (bot.Reply, error) { return h.support(ctx, req) },
			noArgs:  h.support,
			usage:   "support",
			summary: "where to get support, including urgent help",
			group:   "wellbeing",
			help:    "Lists the support your organisation offers staff, and where to get urgent help. Nobody is told that you looked.",
		},
		{
			name:    "wellbeing",
			grammar: grammar{positional: 1},
			run:     h.wellbeing,
			noArgs:  h.wellbeingSetting,
			usage:   "wellbeing [on|off]",
			summary: "switch your private check-ins on or off",
			group:   "wellbeing",
			help:    "• /hpp wellbeing off — no more check-ins from hppbot\n• /hpp wellbeing on — check-ins again\n• /hpp wellbeing — shows your setting\nYou can always start one yourself with /hpp checkin.",
		},
	}
}

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

// newToken makes a check-in token: random, and meaningless outside the
// person it was made for.
func newToken() (string, error) {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", pathway.Errorf(pathway.Internal, "making a check-in token: %v", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// validToken reports whether s could be a token from newToken.
func validToken(s string) bool {
	if len(s) != 20 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// checkinKeep is how long an answer is kept: the policy's checkin_answer_ttl.
func (h *Handler) checkinKeep(now time.Time) time.Duration {
	if d := h.Policy.Calendar.Add(now, h.Policy.CheckinAnswerTTL).Sub(now); d > 0 {
		return d
	}
	return 90 * 24 * time.Hour
}

func (h *Handler) keepText() string {
	if h.Policy.CheckinAnswerTTL.IsZero() {
		return "90 days"
	}
	return h.Policy.CheckinAnswerTTL.Human()
}

// checkinAt is when a check-in span after from falls: on the day the span
// reaches, in working hours. A moment after the end of working hours on a
// working day moves to the start of that day, so "the next working day"
// stays that day; a non-working day waits for the next working morning (the
// scheduler only delivers in working hours).
func (h *Handler) checkinAt(from time.Time, span pathway.Span) time.Time {
	cal := h.Policy.Calendar
	at := cal.Add(from, span)
	if cal.IsWorkingDay(at) && !at.Before(cal.DayEnd(at)) {
		if start := cal.DayStart(at); start.After(from) {
			return start
		}
	}
	return at
}

// deliveredAt is when the scheduler will deliver something due at t.
func (h *Handler) deliveredAt(t time.Time) time.Time {
	return h.Policy.Calendar.NextWorkingStart(t)
}

func (h *Handler) localDay(t time.Time) string {
	return t.In(h.Policy.Location()).Format("2006-01-02")
}

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
	plans := make([]*store.Checkins, 0, len(people))
	for _, person := range people {
		pl := &store.Checkins{Person: person, Service: c.Service}
		for i, span := range h.Policy.Checkins {
			pl.Jobs = append(pl.Jobs, store.Job{
				ID: checkinJobID(person, c.ID, i+1), Kind: CheckinJob, Person: person, Case: c.ID, At: h.checkinAt(now, span),
				Data: map[string]string{"n": strconv.Itoa(i + 1), "svc": serviceOrNone(c.Service)},
			})
		}
		plans = append(plans, pl)
	}
	return plans
}

// recordedAsInvolved tells each person whose check-ins were just written
// with c, privately, and returns what the reply adds about them.
func (h *Handler) recordedAsInvolved(ctx context.Context, c *pathway.Case, plans []*store.Checkins) string {
	var failed []string
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
		h.tell(ctx, pl.Person, h.involvedNotice(c, first, pl.Off, pl.Err != nil))
	}
	if len(plans) == 0 {
		return ""
	}
	if len(failed) > 0 {
		return fmt.Sprintf(" I couldn't set up private wellbeing check-ins for %s just now; they can start one any time with /hpp checkin, and /hpp support shows where help is.", mentions(failed))
	}
	return " I've let them know privately that I'll check in on how they're doing over the next few weeks — only they will see their answers."
}

// stillInvolved reports whether a case's check-in job is for someone the
// case records as involved. Check-ins are written with the case that
// records the person; when that write lost a race and was not retried, the
// job is left without them, and is dropped here. A case that can't be read
// doesn't stop a check-in.
func (h *Handler) stillInvolved(ctx context.Context, j store.Job) bool {
	if j.Case == 0 || j.Data["kind"] == store.CheckinFollowUp {
		return true
	}
	c, err := h.Store.GetCase(ctx, j.Case)
	if err != nil {
		return true
	}
	return slices.Contains(c.Involved, j.Person)
}

// involvedNotice is the one gentle message to someone recorded as involved.
func (h *Handler) involvedNotice(c *pathway.Case, first time.Time, off, failed bool) bot.Reply {
	text := fmt.Sprintf("You've been recorded as one of the staff involved in *%s*. Being part of an incident where a patient was harmed can stay with you, whatever happened and whatever your part in it — that's normal.", c.Name())
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

// RunCheckinJob runs a check-in job for the scheduler (kind CheckinJob). It
// sends nothing while the person has opted out, and skips a check-in due on
// a day the person has already had one — from another case, or one they
// started — because that one covers it: at most one check-in a day, so
// someone involved in several cases isn't asked again and again. A "Not now"
// re-ask is the same check-in asked again, so it is not skipped. A nil
// return finishes the job; an error leaves it to be tried again.
func (h *Handler) RunCheckinJob(ctx context.Context, j store.Job, now time.Time) error {
	person := j.Person
	if person == "" {
		return nil
	}
	settings, err := h.Store.PersonSettings(ctx, person)
	if err != nil {
		return err
	}
	if j.Data["again"] == "1" {
		return h.reask(ctx, j, settings, now)
	}
	if settings.CheckinsOff || !h.stillInvolved(ctx, j) {
		return h.Store.UntrackCheckinJob(ctx, person, j.ID)
	}
	day := h.localDay(now)
	first, err := h.Store.MarkCheckinDay(ctx, person, day)
	if err != nil {
		return err
	}
	if !first {
		return h.Store.UntrackCheckinJob(ctx, person, j.ID)
	}
	token, err := newToken()
	if err != nil {
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		return err
	}
	n, _ := strconv.Atoi(j.Data["n"])
	ci := store.Checkin{Token: token, Kind: store.CheckinForCase, Case: j.Case, Service: j.Data["svc"], N: n, Sent: now}
	if j.Case == 0 || j.Data["kind"] == store.CheckinFollowUp {
		ci.Kind = store.CheckinFollowUp
	} else if ci.Service == "" {
		ci.Service = "none"
	}
	if err := h.Store.SaveCheckin(ctx, person, ci, checkinOpenFor); err != nil {
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		return err
	}
	if err := h.Store.UntrackCheckinJob(ctx, person, j.ID); err != nil {
		h.Log.Warn("could not untrack a check-in job", "job", j.ID, "err", err)
	}
	next, hasNext := h.nextCheckin(ctx, person, now)
	if err := h.Messenger.SendDirect(ctx, person, h.checkinMessage(ci, false, next, hasNext)); err != nil {
		_ = h.Store.DeleteCheckin(ctx, person, token)
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		_ = h.Store.TrackCheckinJob(ctx, person, j.ID, j.At)
		return err
	}
	if ci.Kind == store.CheckinForCase {
		if err := h.Store.RecordCheckinParticipation(ctx, ci.Service, person, false, now.In(h.Policy.Location())); err != nil {
			h.Log.Warn("could not count a check-in for reports", "err", err)
		}
	}
	return nil
}

// reask asks a check-in again after "Not now", as a fresh check-in that
// remembers it was put off (so "Not now" on it doesn't ask a third time).
// Answering the first one cancels this job, so it only runs if unanswered.
func (h *Handler) reask(ctx context.Context, j store.Job, settings store.PersonSettings, now time.Time) error {
	if settings.CheckinsOff {
		return nil
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(j.Data["n"])
	ci := store.Checkin{Token: token, Kind: j.Data["kind"], Case: j.Case, Service: j.Data["svc"], N: n, Sent: now, Snoozed: true}
	if err := h.Store.SaveCheckin(ctx, j.Person, ci, checkinOpenFor); err != nil {
		return err
	}
	next, hasNext := h.nextCheckin(ctx, j.Person, now)
	if err := h.Messenger.SendDirect(ctx, j.Person, h.checkinMessage(ci, true, next, hasNext)); err != nil {
		_ = h.Store.DeleteCheckin(ctx, j.Person, token)
		return err
	}
	return nil
}

// reaskJobID names the one re-ask a check-in can have.
func reaskJobID(person string, ci store.Checkin) string {
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
func (h *Handler) checkinMessage(ci store.Checkin, again bool, next time.Time, hasNext bool) bot.Reply {
	var text string
	switch {
	case again:
		text = "Asking once more, as you said \"not now\" earlier — and it's completely fine to say not now again."
	case ci.Kind == store.CheckinSelf:
		text = "Here's your private check-in."
	case ci.Kind == store.CheckinFollowUp:
		text = "Checking in again, as I said I would after your last answer."
	case ci.Case != 0:
		text = fmt.Sprintf("A private check-in from hppbot, since you were involved in *%s*.", pathway.CaseName(ci.Case))
	default:
		text = "A private check-in from hppbot."
	}
	if !again && ci.Kind != store.CheckinSelf {
		text += "\nAfter a patient is harmed, it's common to keep going over it — is the patient all right and what were they told; will I be blamed, or my registration questioned; what will colleagues think; what happens next. That's a normal reaction to a hard event, and you're not alone in it."
	}
	text += "\n\n*" + checkinQuestion + "* One tap is enough."
	whatNext := fmt.Sprintf("Only you can see your answer — not your manager, the case team or an admin — and it's deleted after %s. If things are hard, I'll show you where support is straight away and check in again sooner.", h.keepText())
	if hasNext && !again {
		whatNext += " Otherwise, the next check-in is around " + h.day(next) + "."
	}
	whatNext += " /hpp wellbeing off stops these."
	buttons := make([]bot.Button, 0, len(checkinScale)+2)
	for _, p := range checkinScale {
		buttons = append(buttons, bot.Button{Label: p.label, Command: fmt.Sprintf("checkin answer %s %d", ci.Token, p.value)})
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
	token, err := newToken()
	if err != nil {
		return bot.Reply{}, err
	}
	ci := store.Checkin{Token: token, Kind: store.CheckinSelf, Service: settings.Service, Sent: now}
	if err := h.Store.SaveCheckin(ctx, req.Person, ci, checkinOpenFor); err != nil {
		return bot.Reply{}, err
	}
	// It counts as today's check-in: a scheduled one later today is skipped.
	if _, err := h.Store.MarkCheckinDay(ctx, req.Person, h.localDay(now)); err != nil {
		return bot.Reply{}, err
	}
	next, hasNext := h.nextCheckin(ctx, req.Person, now)
	return h.checkinMessage(ci, false, next, hasNext), nil
}

// checkinAnswer saves an answer under the person who pressed the button.
func (h *Handler) checkinAnswer(ctx context.Context, req bot.Request, token, value string) (bot.Reply, error) {
	v, err := strconv.Atoi(value)
	point, ok := scaleFor(v)
	if err != nil || !ok {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Please answer with one of the buttons on your check-in. To start a new one: /hpp checkin")
	}
	notFound := pathway.Errorf(pathway.NotFound, "I couldn't find that check-in among yours — it may have closed (check-ins stay open for two weeks). Nothing was saved. You can start a new one any time: /hpp checkin")
	if !validToken(token) {
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
	res, err := h.Store.AnswerCheckin(ctx, req.Person, token, store.CheckinAnswer{At: now, Value: point.value, Label: point.label}, h.checkinKeep(now))
	if err != nil {
		return bot.Reply{}, err
	}
	switch res {
	case store.AnswerUnknown:
		return bot.Reply{}, notFound
	case store.AnswerAlready:
		return bot.Reply{Text: "You've already answered this check-in — thank you. If things have changed, start a new one: /hpp checkin"}, nil
	}
	if ci.Kind == store.CheckinForCase {
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
	if point.low {
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
	if point.value == 3 {
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
func (h *Handler) bringForward(ctx context.Context, person string, ci store.Checkin, now time.Time) (time.Time, error) {
	target := h.checkinAt(now, pathway.Span{N: 1, Unit: pathway.WorkingDay})
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
	if ci.Kind == store.CheckinFollowUp {
		return time.Time{}, nil
	}
	j := store.Job{
		ID: "checkin:" + person + ":followup", Kind: CheckinJob, Person: person, At: target,
		Data: map[string]string{"kind": store.CheckinFollowUp, "svc": ci.Service},
	}
	if err := h.Store.ScheduleJob(ctx, j); err != nil {
		return time.Time{}, err
	}
	return h.deliveredAt(target), h.Store.TrackCheckinJob(ctx, person, j.ID, target)
}

// checkinNotNow asks again later, once.
func (h *Handler) checkinNotNow(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	notFound := pathway.Errorf(pathway.NotFound, "I couldn't find that check-in among yours — it may have closed. That's fine: nothing more is needed. You can start one any time with /hpp checkin.")
	if !validToken(token) {
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
	at := h.deliveredAt(now.Add(reaskAfter))
	j := store.Job{
		ID: reaskJobID(req.Person, ci), Kind: CheckinJob, Person: req.Person, Case: ci.Case, At: at,
		Data: map[string]string{"again": "1", "kind": ci.Kind, "n": strconv.Itoa(ci.N), "svc": ci.Service},
	}
	if err := h.Store.ScheduleJob(ctx, j); err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{Text: fmt.Sprintf("No problem — there's no rush. I'll ask once more around %s, and not again after that. If you'd rather not have check-ins at all: /hpp wellbeing off.", h.when(at))}, nil
}

// wellbeingContact is whom a request to talk goes to: the wellbeing contact
// of the service behind the check-in (or of the person's latest case), else
// the organisation's default. "" when none is set up.
func (h *Handler) wellbeingContact(ctx context.Context, person, token string) (string, error) {
	service := ""
	if validToken(token) {
		ci, ok, err := h.Store.GetCheckin(ctx, person, token)
		if err != nil {
			return "", err
		}
		if ok {
			service = ci.Service
		}
	}
	if service == "" || service == "none" {
		settings, err := h.Store.PersonSettings(ctx, person)
		if err != nil {
			return "", err
		}
		service = settings.Service
	}
	if service != "" && service != "none" {
		svc, ok, err := h.Store.Service(ctx, service)
		if err != nil {
			return "", err
		}
		if ok && svc.Wellbeing != "" {
			return svc.Wellbeing, nil
		}
	}
	return resolveContact(h.Policy.WellbeingContact, person), nil
}

// resolveContact turns the policy's wellbeing_contact into a person id: an
// id with its surface ("slack:U123") as it is; a mention or a bare name on
// the asker's surface ("@jo" in the console is console:jo).
func resolveContact(raw, asker string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "<@") && strings.HasSuffix(raw, ">") {
		raw, _, _ = strings.Cut(strings.TrimSuffix(strings.TrimPrefix(raw, "<@"), ">"), "|")
	}
	raw = strings.TrimPrefix(raw, "@")
	if raw == "" || strings.ContainsAny(raw, " \t\n<>") {
		return ""
	}
	switch s, _ := bot.SplitID(raw); s {
	case bot.Slack, bot.Teams, bot.Console:
		return raw
	}
	surface, _ := bot.SplitID(asker)
	if surface == bot.Console {
		return bot.PersonID(bot.Console, strings.ToLower(raw))
	}
	if surface == "" {
		return ""
	}
	return bot.PersonID(surface, raw)
}

// noContactReply is what a person hears when nobody is set up to be told.
func (h *Handler) noContactReply() bot.Reply {
	return bot.Reply{
		Text:     "I'm sorry — there isn't a wellbeing contact set up in hppbot for your team yet, so I can't pass your request on. Nothing has been sent to anyone. Please don't let that stop you: you can reach any of these yourself, and your line manager or pathway lead can help find the right person.",
		Sections: h.supportSections(),
		Note:     "An hppbot admin can set a wellbeing contact with /hpp service <name> wellbeing=@someone.",
	}
}

// talkContact finds whom a request to talk would go to. When it can't go
// anywhere (no contact set up, or the person is the contact), stop is the
// kind reply to give instead.
func (h *Handler) talkContact(ctx context.Context, req bot.Request, token string) (contact string, stop *bot.Reply, err error) {
	contact, err = h.wellbeingContact(ctx, req.Person, token)
	switch {
	case err != nil:
		return "", nil, err
	case contact == "":
		r := h.noContactReply()
		return "", &r, nil
	case contact == req.Person:
		r := h.selfContactReply()
		return "", &r, nil
	}
	return contact, nil, nil
}

func deref(r *bot.Reply) bot.Reply {
	if r == nil {
		return bot.Reply{}
	}
	return *r
}

// talkAsk asks the person to confirm before anyone is told.
func (h *Handler) talkAsk(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	contact, stop, err := h.talkContact(ctx, req, token)
	if stop != nil || err != nil {
		return deref(stop), err
	}
	if !validToken(token) {
		token = noToken
	}
	return bot.Reply{
		Text: fmt.Sprintf("Would you like me to let %s, your wellbeing contact, know that you'd like a conversation? I'll tell them only that — not your answers, and nothing about any case — and they'll get in touch with you privately.", bot.Mention(contact)),
		Buttons: []bot.Button{
			{Label: "Yes, please let them know", Command: "checkin talk-yes " + token, Style: "primary"},
			{Label: "No, not now", Command: "checkin talk-no"},
		},
	}, nil
}

func (h *Handler) selfContactReply() bot.Reply {
	return bot.Reply{
		Text:     "You're the wellbeing contact here yourself, so I can't pass this on to you — but you deserve the same support you give others. Any of these can help:",
		Sections: h.supportSections(),
	}
}

// talkConfirm tells the wellbeing contact — only that this person would like
// a conversation — and tells the person whom it went to. Nothing is recorded
// on any case.
func (h *Handler) talkConfirm(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	contact, stop, err := h.talkContact(ctx, req, token)
	if stop != nil || err != nil {
		return deref(stop), err
	}
	first, told, err := h.Store.MarkTalkRequest(ctx, req.Person, contact, talkWindow)
	if err != nil {
		return bot.Reply{}, err
	}
	if !first {
		return bot.Reply{
			Text:     fmt.Sprintf("I've already let %s know you'd like a conversation, so they should be in touch soon. If you need someone sooner, any of these can help:", bot.Mention(told)),
			Sections: h.supportSections(),
		}, nil
	}
	msg := bot.Reply{Text: TalkRequestText(req.Person)}
	if err := h.Messenger.SendDirect(ctx, contact, msg); err != nil {
		_ = h.Store.ForgetTalkRequest(ctx, req.Person)
		h.Log.Warn("could not reach a wellbeing contact", "err", err)
		return bot.Reply{
			Text:     fmt.Sprintf("I'm sorry — I couldn't reach %s just now, so nothing has been sent. Please try again in a few minutes, or contact one of these directly:", bot.Mention(contact)),
			Sections: h.supportSections(),
			Buttons:  []bot.Button{{Label: "Try again", Command: "checkin talk-yes " + orNoToken(token)}},
		}, nil
	}
	return bot.Reply{
		Text:     fmt.Sprintf("Done — I've let %s know you'd like a conversation. I told them nothing else: not your answers, and nothing about any case. They'll get in touch with you privately.\nIf you need to talk to someone sooner:", bot.Mention(contact)),
		Sections: h.supportSections(),
	}, nil
}

func orNoToken(token string) string {
	if validToken(token) {
		return token
	}
	return noToken
}

// TalkRequestText is the whole of what a wellbeing contact is told: who
// would like a conversation. No score, no case, no detail.
func TalkRequestText(person string) string {
	return bot.Mention(person) + " would like a conversation about how they're doing after a difficult event at work. Please reach out to them privately."
}

// urgentWords pick out the urgent help lines in a support list.
var urgentWords = []string{"999", "111", "116 123", "samaritans", "emergency", "urgent", "crisis"}

func isUrgent(o pathway.SupportOption) bool {
	s := strings.ToLower(o.Name + " " + o.How)
	for _, w := range urgentWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func supportLine(o pathway.SupportOption) string {
	line := "• *" + o.Name + "* — " + o.How
	if o.When != "" {
		line += " (" + o.When + ")"
	}
	return line
}

// supportSections lists the organisation's support, urgent help last and
// marked. UK urgent lines are always shown, even if the policy lists none.
func (h *Handler) supportSections() []bot.Section {
	opts := h.Policy.Support
	if len(opts) == 0 {
		opts = pathway.DefaultSupport()
	}
	var everyday, urgent []string
	for _, o := range opts {
		if isUrgent(o) {
			urgent = append(urgent, supportLine(o))
		} else {
			everyday = append(everyday, supportLine(o))
		}
	}
	if len(urgent) == 0 {
		urgent = append(urgent, "• *NHS 111* — call 111 if you need urgent help for your own health (24 hours a day)",
			"• *Samaritans* — call 116 123 free, any time, to talk to someone (24 hours a day)",
			"• *Emergency* — call 999 if you or someone else is in immediate danger")
	}
	var out []bot.Section
	if len(everyday) > 0 {
		out = append(out, bot.Section{Title: "Support for you", Text: strings.Join(everyday, "\n")})
	}
	return append(out, bot.Section{Title: "⚠️ If you need help urgently", Text: strings.Join(urgent, "\n")})
}

// support is /hpp support.
func (h *Handler) support(ctx context.Context, req bot.Request) (bot.Reply, error) {
	return bot.Reply{
		Text:     "*Support for staff* — after a difficult event at work it's normal to need support, and asking for it is a good thing to do. You can contact any of these yourself:",
		Sections: h.supportSections(),
		Note:     "Nobody is told that you looked at this. If you'd like, I can ask your wellbeing contact to get in touch with you.",
		Buttons:  []bot.Button{{Label: "I'd like to talk to someone", Command: "checkin talk " + noToken}},
	}, nil
}

// checkinHistory shows a person their own answers — nobody else's, ever.
func (h *Handler) checkinHistory(ctx context.Context, req bot.Request) (bot.Reply, error) {
	now := h.Clock()
	answers, err := h.Store.CheckinAnswers(ctx, req.Person, h.checkinKeep(now), now)
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
	keep := h.checkinKeep(now)
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

// wellbeingSetting is /hpp wellbeing: the person's setting.
func (h *Handler) wellbeingSetting(ctx context.Context, req bot.Request) (bot.Reply, error) {
	settings, err := h.Store.PersonSettings(ctx, req.Person)
	if err != nil {
		return bot.Reply{}, err
	}
	if settings.CheckinsOff {
		return bot.Reply{
			Text:    "Check-ins are *off* for you: I won't send any. You can still start one yourself with /hpp checkin, and /hpp support shows where help is.",
			Buttons: []bot.Button{{Label: "Turn check-ins on", Command: "wellbeing on"}},
		}, nil
	}
	return bot.Reply{
		Text:    "Check-ins are *on* for you. If you're recorded as involved in a case, I check in privately a few times over the following weeks; only you see your answers.",
		Buttons: []bot.Button{{Label: "Turn check-ins off", Command: "wellbeing off"}},
	}, nil
}

// wellbeing is /hpp wellbeing on|off.
func (h *Handler) wellbeing(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	switch strings.ToLower(cmd.Args[0]) {
	case "off":
		if err := h.Store.SetCheckinsOff(ctx, req.Person, true); err != nil {
			return bot.Reply{}, err
		}
		return bot.Reply{Text: "Check-ins are off — I won't send you any more. That's completely fine. You can still start one yourself (/hpp checkin) or see where support is (/hpp support), and /hpp wellbeing on turns them back on."}, nil
	case "on":
		if err := h.Store.SetCheckinsOff(ctx, req.Person, false); err != nil {
			return bot.Reply{}, err
		}
		return bot.Reply{Text: "Check-ins are on. I'll check in privately when you're recorded as involved in a case, and any check-ins still planned for you will come as before. Only you see your answers."}, nil
	}
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "wellbeing takes on or off, for example: /hpp wellbeing off. /hpp wellbeing on its own shows your setting.")
}
