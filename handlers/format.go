package handlers

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"strconv"

	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// when writes a moment for a reader: "Thu 26 Nov, 14:03", with the year
// when it is not this year.
func (h *Handler) when(t time.Time) string {
	var b strings.Builder
	h.writeWhen(&b, t)
	return b.String()
}

// eventWhen writes when an event happened: when(e.At), or for one recorded
// afterwards with on=<date>, the day alone ("Tue 8 Dec"), since only the day
// is known.
func (h *Handler) eventWhen(e pathway.Event) string {
	if !e.DateOnly {
		return h.when(e.At)
	}
	loc := h.Policy.Location()
	local := e.At.In(loc)
	if local.Year() != h.Clock().In(loc).Year() {
		return local.Format("Mon 2 Jan 2006")
	}
	return local.Format("Mon 2 Jan")
}

// day writes a date: "Thu 8 Jan 2026".
func (h *Handler) day(t time.Time) string {
	return pathway.FormatDay(t, h.Policy.Location())
}

// The write functions write into a reply being built, for the replies
// made on every command; when and dueText are made from them.

// writeWhen writes when(t) to b.
func (h *Handler) writeWhen(b *strings.Builder, t time.Time) {
	loc := h.Policy.Location()
	local := t.In(loc)
	layout := "Mon 2 Jan, 15:04"
	if local.Year() != h.Clock().In(loc).Year() {
		layout = "Mon 2 Jan 2006, 15:04"
	}
	var buf [32]byte
	b.Write(local.AppendFormat(buf[:0], layout))
}

// writeDay writes day(t) to b.
func (h *Handler) writeDay(b *strings.Builder, t time.Time) {
	var buf [32]byte
	b.Write(pathway.AppendDay(buf[:0], t, h.Policy.Location()))
}

// writeDue writes dueText(due, now) to b.
func (h *Handler) writeDue(b *strings.Builder, due, now time.Time) {
	if due.Before(now) {
		b.WriteString("was due ")
		h.writeWhen(b, due)
		b.WriteString(" — *overdue* (")
	} else {
		b.WriteString("due ")
		h.writeWhen(b, due)
		b.WriteString(" (")
	}
	b.WriteString(relative(now, due))
	b.WriteByte(')')
}

// relative says how far t is from now: "in 3 days", "2 hours ago".
func relative(now, t time.Time) string {
	d := t.Sub(now)
	future := d >= 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < 90*time.Second:
		return "now"
	case d < 2*time.Hour-30*time.Second:
		// Up to two hours in minutes, so 90 minutes reads "in 90
		// minutes", not rounded to "in 2 hours".
		s = plural(int(d.Round(time.Minute)/time.Minute), "minute", "minutes")
	case d < 20*time.Hour:
		s = plural(int(d.Round(time.Hour)/time.Hour), "hour", "hours")
	default:
		s = plural(int((d+12*time.Hour)/(24*time.Hour)), "day", "days")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// workingDaysText says how many working days away a deadline is.
func (h *Handler) workingDaysText(now, due time.Time) string {
	n := h.Policy.Calendar.WorkingDaysBetween(now, due)
	if n == 0 {
		return "today"
	}
	return "in " + plural(n, "working day", "working days")
}

// dueText says when something is due, and whether it is overdue.
func (h *Handler) dueText(due, now time.Time) string {
	if due.IsZero() {
		// Only a next contact is ever unset: the family chose no regular contact.
		return "not set: no regular contact is agreed, so I'll remind you only about candour steps and a next= you set"
	}
	var b strings.Builder
	h.writeDue(&b, due, now)
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// number writes a count with thousands separated: 100,000.
func number(n int) string {
	return message.NewPrinter(language.BritishEnglish).Sprintf("%d", n)
}

func mentions(people []string) string {
	parts := make([]string, len(people))
	for i, p := range people {
		parts[i] = bot.Mention(p)
	}
	return joinAnd(parts)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// quote shows someone's note, trimmed for a list.
func quote(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + truncate(s, n) + "”"
}

func caseTitle(c *pathway.Case) string {
	parts := []string{"*" + c.Name() + "*", c.Ref}
	if c.Service != "" {
		parts = append(parts, c.Service)
	}
	if harm := c.HarmSummary(); harm != "" {
		parts = append(parts, harm)
	}
	return strings.Join(parts, " · ")
}

// countOf is plural with the count's thousands separated: "100,000 cases".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return number(n) + " " + many
}
