package scheduler

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
)

// One tick's nudges to one person become one message: a person with six
// overdue cases gets one message listing them, the longest-waiting first,
// with a button for each case, not six. Each case's reminders are still
// recorded on their own case, under their own occurrence marks, from the
// one send's outcome: if the message fails, none of them is marked sent and
// each is tried again; if it went, each is recorded. The escalations they
// call for are bundled too (bundle_escalate.go).

// bundleOverflow is where a person sees the cases a surface had no room
// for ("…and 4 more — /hpp list mine"): their own open cases, overdue
// first.
const bundleOverflow = "/hpp list mine"

// bundle groups the tick's work by the person its reminders go to. A
// person with one case keeps it as it is; a person with several gets one
// item carrying the others (in bundled), sorted by when their oldest
// reminder fell due, at the place of the first. Jobs, unreadable records
// and cases with nothing left to send are not bundled.
func bundle(work []*item) []*item {
	groups := map[string]*item{}
	out := make([]*item, 0, len(work))
	for _, it := range work {
		if !it.bundleable() {
			out = append(out, it)
			continue
		}
		first, ok := groups[it.c.Lead]
		if !ok {
			groups[it.c.Lead] = it
			out = append(out, it)
			continue
		}
		first.bundled = append(first.bundled, it)
	}
	for i, it := range out {
		if len(it.bundled) == 0 {
			continue
		}
		all := append([]*item{it}, it.bundled...)
		slices.SortStableFunc(all, func(a, b *item) int {
			return cmp.Or(a.oldestPending().Compare(b.oldestPending()), cmp.Compare(a.c.ID, b.c.ID))
		})
		for _, x := range all {
			x.bundled = nil
		}
		all[0].bundled = all[1:]
		out[i] = all[0]
	}
	return out
}

// bundleable reports whether the item is a case with a reminder to send.
func (it *item) bundleable() bool {
	return !it.unreadable && it.job == nil && it.c != nil && it.c.Lead != "" && !it.oldestPending().IsZero()
}

// oldestPending is when the item's oldest reminder not yet sent fell due;
// zero when there is none.
func (it *item) oldestPending() time.Time {
	var oldest time.Time
	for _, r := range it.reminders {
		if !it.wasSent(r.Occurrence) && (oldest.IsZero() || r.Due.Before(oldest)) {
			oldest = r.Due
		}
	}
	return oldest
}

// claims are the claims an item holds: its own and its bundle's.
func (it *item) claims() []store.Claim {
	out := []store.Claim{it.claim}
	for _, b := range it.bundled {
		out = append(out, b.claim)
	}
	return out
}

// processBundle delivers an item, with its bundle when it has one.
func (s *Scheduler) processBundle(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	if len(it.bundled) == 0 {
		return s.process(ctx, it, svcs, now)
	}
	return s.remindBundle(ctx, append([]*item{it}, it.bundled...), svcs, now)
}

// bundlePart is one case of a bundle.
type bundlePart struct {
	it      *item
	rec     reminded
	pending []pathway.Reminder
	msgs    messages
	final   bool // the bundle can't reach the person (bot.Undeliverable)
}

// remindBundle sends the reminders of several cases to their one named
// contact as one message, and records each case from its outcome. Each
// case is read again first (freshen): one answered, closed or snoozed
// meanwhile is left out, and one handed over goes to its new named contact
// on its own. While the named contact is away, the cases go to whoever
// covers (or the pathway lead) as one message too, saying why.
func (s *Scheduler) remindBundle(ctx context.Context, items []*item, svcs store.Services, now time.Time) (sent, failed int) {
	person := items[0].c.Lead
	byTo := map[string][]*bundlePart{}
	var order []string
	for _, it := range items {
		it.acks = items[0].acks
		if !s.freshen(ctx, it, now) {
			continue
		}
		if it.c.Lead != person {
			n, f := s.remind(ctx, it, svcs, now)
			sent, failed = sent+n, failed+f
			continue
		}
		rec, pending := it.split()
		if len(pending) == 0 {
			s.finish(ctx, it, rec, outcomeNone, now)
			continue
		}
		msgs := s.messagesFor(it.c, pending, svcs, now)
		s.shapeNudge(ctx, it, pending, &msgs, svcs, now)
		msgs.keyed(reminderKey(it.c, pending), pending)
		to := msgs.primary.to
		if _, ok := byTo[to]; !ok {
			order = append(order, to)
		}
		byTo[to] = append(byTo[to], &bundlePart{it: it, rec: rec, pending: pending, msgs: msgs})
	}
	for _, to := range order {
		n, f := s.sendBundle(ctx, to, byTo[to], svcs, now)
		sent, failed = sent+n, failed+f
	}
	return sent, failed
}

// sendBundle sends the parts, all for one person (to), as one message, or
// as the part's own message when there is one, and records each case from
// the outcome.
func (s *Scheduler) sendBundle(ctx context.Context, to string, parts []*bundlePart, svcs store.Services, now time.Time) (sent, failed int) {
	parts = s.withoutSent(ctx, parts, now)
	switch len(parts) {
	case 0:
		return 0, 0
	case 1:
		p := parts[0]
		return s.finish(ctx, p.it, p.rec, s.recordSend(ctx, p.it.c, p.pending, p.msgs, s.deliver(ctx, p.msgs.primary), svcs, now, &p.rec), now)
	}
	var reminds []delivery.Reminded
	covers := make([]string, len(parts))
	for i, p := range parts {
		reminds = append(reminds, p.msgs.primary.reminds...)
		covers[i] = p.msgs.key
	}
	err := s.deliver(ctx, message{to: to, reply: s.bundledNudge(parts, now), key: bundleKey("bundle:"+to, parts), about: parts[0].it.c.ID, live: caseIDs(parts), reminds: reminds, covers: covers})
	var live []*bundlePart
	for _, p := range parts {
		msgs, final, ok := s.afterPrimary(ctx, p.it.c, p.pending, p.msgs, err, svcs, now, &p.rec)
		if !ok {
			s.finish(ctx, p.it, p.rec, outcomeFailed, now)
			continue
		}
		p.msgs, p.final = msgs, final
		live = append(live, p)
	}
	escs := s.escalateBundle(ctx, live)
	for _, p := range live {
		o := s.recordReminders(p.pending, p.msgs, p.final, escs[p], now, &p.rec)
		s.finish(ctx, p.it, p.rec, o, now)
	}
	if _, final := finalFailure(err); err != nil && !final {
		return 0, 1
	} else if err != nil {
		return 0, 0
	}
	return 1, 0
}

// withoutSent records, and leaves out of the bundle, the parts whose
// reminders already went: in an earlier bundle (which stands for each of
// its cases' own keys, Message.Covers) or alone, from a run that died
// before it recorded them. A bundle's set of cases can differ from that
// run's (another case came due, one was answered), so its own key would
// not find them; and one part left alone is recorded here too, so that it
// does not escalate again under a key of its own. If the queue can't be
// asked, every part goes in.
func (s *Scheduler) withoutSent(ctx context.Context, parts []*bundlePart, now time.Time) []*bundlePart {
	if len(parts) == 0 || s.outbox == nil {
		return parts
	}
	keys := make([]string, len(parts))
	for i, p := range parts {
		keys[i] = p.msgs.key
	}
	known, err := s.outbox.Known(ctx, keys)
	if err != nil {
		return parts
	}
	out := parts[:0]
	for i, p := range parts {
		if !known[i] {
			out = append(out, p)
			continue
		}
		// It went: recorded as sent, as the run that sent it would have,
		// without the escalation that run may or may not have made (the
		// next reminder escalates if it is still owed).
		for j := range p.pending {
			p.pending[j].Escalate = false
		}
		s.finish(ctx, p.it, p.rec, s.recordReminders(p.pending, p.msgs, false, escalation{}, now, &p.rec), now)
	}
	return out
}

// bundledNudge is one message for a person's several cases: a line and a
// button for each, the longest-waiting first. A surface that can't show
// them all keeps the first and says where to see the rest.
func (s *Scheduler) bundledNudge(parts []*bundlePart, now time.Time) bot.Reply {
	sections := make([]bot.Section, 0, len(parts))
	for _, p := range parts {
		c := p.it.c
		text := fmt.Sprintf("*%s* (%s) — %s", c.Name(), c.Ref, s.reminderLine(c, p.pending[0], now))
		if len(p.pending) > 1 {
			text = fmt.Sprintf("*%s* (%s)", c.Name(), c.Ref)
			for _, r := range p.pending {
				text += "\n• " + s.reminderLine(c, r, now)
			}
		}
		if c.PreferAt != "" && hasContact(p.pending) {
			text += "\nThe family prefers " + pathway.PreferredTimeWords(c.PreferAt) + "."
		}
		oldest := p.pending[0]
		for _, r := range p.pending[1:] {
			if r.Due.Before(oldest.Due) {
				oldest = r
			}
		}
		b := caseButton(c, oldest)
		sections = append(sections, bot.Section{Text: text, Button: &b})
	}
	whose, why := "your", parts[0].msgs.routed
	overflow := bundleOverflow
	if why != "" {
		// The named contact is away: whoever has them now hears why, and
		// they are that person's cases, not "yours". A pathway lead finds
		// the rest among the service's overdue ones; someone covering is
		// pointed to who can.
		whose = bot.Mention(parts[0].it.c.Lead) + "'s"
		switch m := parts[0].msgs; {
		case m.toLead:
			overflow = "/hpp list overdue"
		case m.serviceLead != "":
			overflow = fmt.Sprintf("%s, the pathway lead, sees them all with /hpp list overdue", bot.Mention(m.serviceLead))
		default:
			overflow = "ask your team which of " + whose + " other cases are overdue"
		}
	}
	text := why + fmt.Sprintf("%d of %s cases are waiting for a next step, the longest-waiting first. Even a short call or message to say when the family will next hear from us helps — silence is hard for families.", len(parts), whose)
	note := "Each one you record stops its reminder. If something's in the way, that's all right: snooze a case for a day with /hpp snooze <case> 1d, hand it to a colleague with /hpp lead <case> @name, or ask your pathway lead for a hand."
	if parts[0].msgs.toLead {
		// They are the pathway lead.
		note = "Each one you record stops its reminder. To hand one to a colleague: /hpp lead <case> @name; to give one a day: /hpp snooze <case> 1d."
	}
	return bot.Reply{
		Text:     text,
		Sections: sections,
		Note:     note,
		Overflow: overflow,
	}
}

// caseButton is the one button a case gets in a bundle: the step its
// oldest reminder asks for, named with the case.
func caseButton(c *pathway.Case, r pathway.Reminder) bot.Button {
	name := c.Name()
	switch r.Kind {
	case pathway.RemindContact:
		return bot.Button{Label: "Log contact — " + name, Command: "contact " + name, Form: bot.ContactForm(name)}
	case pathway.RemindNotify:
		return bot.Button{Label: "Record notification — " + name, Command: "candour " + name + " " + pathway.CandourNotified}
	case pathway.RemindWritten:
		return bot.Button{Label: "Record written follow-up — " + name, Command: "candour " + name + " " + pathway.CandourWritten}
	}
	return bot.Button{Label: "Status — " + name, Command: "status " + name}
}

// bundleKey is one key for a bundle's message, made from its cases'
// reminder keys: the same cases' reminders queue the same key, so a claim
// run again after a crash sends the bundle once.
func bundleKey(prefix string, parts []*bundlePart) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p.msgs.key))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%s:%x", prefix, h.Sum(nil)[:16])
}
