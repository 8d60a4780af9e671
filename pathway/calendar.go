package pathway

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// The holiday sets a Calendar can use.
const (
	HolidaysEnglandAndWales = "england-and-wales"
	HolidaysScotland        = "scotland"
	HolidaysNorthernIreland = "northern-ireland"
	HolidaysNone            = "none"
)

// HolidaySets lists the names NewCalendar accepts, in a stable order.
func HolidaySets() []string {
	return []string{HolidaysEnglandAndWales, HolidaysScotland, HolidaysNorthernIreland, HolidaysNone}
}

// holidaysFor builds the bank holidays of one set. The gb package supplies
// England and Wales; the days it lacks are defined here with the library's
// own calculation and substitute-day rules, built afresh on each call. The gb
// values are shared by every Calendar and only ever read.
func holidaysFor(set string) ([]*cal.Holiday, bool) {
	// Substitutes used by the nation-specific days below.
	weekendToMonday := []cal.AltDay{
		{Day: time.Saturday, Offset: 2},
		{Day: time.Sunday, Offset: 1},
	}

	// A UK-wide one-off that gb does not carry.
	stateFuneral := &cal.Holiday{
		Name:      "Bank Holiday for the State Funeral of Queen Elizabeth II",
		Type:      cal.ObservanceBank,
		Month:     time.September,
		Day:       19,
		Func:      cal.CalcDayOfMonth,
		StartYear: 2022,
		EndYear:   2022,
	}

	switch set {
	case HolidaysEnglandAndWales:
		return append(append([]*cal.Holiday{}, gb.Holidays...), stateFuneral), true

	case HolidaysScotland:
		secondJanuary := &cal.Holiday{
			Name:  "2nd January",
			Type:  cal.ObservanceBank,
			Month: time.January,
			Day:   2,
			Func:  cal.CalcDayOfMonth,
			// New Year's Day takes the first free weekday, so 2 January
			// takes the next one: Saturday and Sunday move to Monday and
			// Tuesday respectively, and Monday moves to Tuesday.
			Observed: []cal.AltDay{
				{Day: time.Saturday, Offset: 2},
				{Day: time.Sunday, Offset: 2},
				{Day: time.Monday, Offset: 1},
			},
		}
		stAndrew := &cal.Holiday{
			Name:      "St Andrew's Day",
			Type:      cal.ObservanceBank,
			Month:     time.November,
			Day:       30,
			Func:      cal.CalcDayOfMonth,
			StartYear: 2007, // St Andrew's Day Bank Holiday (Scotland) Act 2007
			Observed:  weekendToMonday,
		}
		// No Easter Monday and no late-August holiday in Scotland.
		return []*cal.Holiday{
			gb.NewYear,
			secondJanuary,
			gb.GoodFriday,
			gb.EarlyMay,
			gb.VEDay,
			gb.CoronationDay,
			gb.SpringHoliday,
			gb.SpringHoliday2022,
			gb.PlatinumJubilee,
			stateFuneral,
			gb.SummerHolidayScotland,
			stAndrew,
			gb.ChristmasDay,
			gb.BoxingDay,
		}, true

	case HolidaysNorthernIreland:
		stPatrick := &cal.Holiday{
			Name:     "St Patrick's Day",
			Type:     cal.ObservanceBank,
			Month:    time.March,
			Day:      17,
			Func:     cal.CalcDayOfMonth,
			Observed: weekendToMonday,
		}
		boyne := &cal.Holiday{
			Name:     "Battle of the Boyne (Orangemen's Day)",
			Type:     cal.ObservanceBank,
			Month:    time.July,
			Day:      12,
			Func:     cal.CalcDayOfMonth,
			Observed: weekendToMonday,
		}
		return append(append([]*cal.Holiday{}, gb.Holidays...), stateFuneral, stPatrick, boyne), true

	case HolidaysNone:
		return nil, true
	}
	return nil, false
}

// Calendar knows which days and hours count as working time in one place:
// its time zone, its working weekdays and hours, and its bank holidays.
// Every method works on dates as they fall in the Calendar's location.
//
// A Calendar is immutable and safe for concurrent use. A nil or zero
// Calendar works as Monday to Friday, 09:00–17:00 UTC, with no bank holidays.
type Calendar struct {
	loc        *time.Location
	holidays   []*cal.Holiday
	workdays   [7]bool
	start, end time.Duration
	years      *yearCache // nil on a Calendar not made by NewCalendar
}

// NewCalendar builds a Calendar. holidays names a set from HolidaySets;
// workdays lists the working weekdays (e.g. Monday to Friday); start and end
// are the working hours as wall-clock offsets from midnight, such as 8h and
// 18h, with 0 <= start < end <= 24h.
func NewCalendar(loc *time.Location, holidays string, workdays []time.Weekday, start, end time.Duration) (*Calendar, error) {
	if loc == nil {
		return nil, errors.New("pathway: calendar needs a time zone")
	}
	set := strings.ToLower(strings.TrimSpace(holidays))
	hols, ok := holidaysFor(set)
	if !ok {
		return nil, fmt.Errorf("pathway: unknown holiday set %q — use one of %s", holidays, strings.Join(HolidaySets(), ", "))
	}
	c := &Calendar{loc: loc, holidays: hols, start: start, end: end, years: &yearCache{}}
	for _, d := range workdays {
		if d < time.Sunday || d > time.Saturday {
			return nil, fmt.Errorf("pathway: %d is not a weekday", int(d))
		}
		c.workdays[d] = true
	}
	if !c.hasWorkdays() {
		return nil, errors.New("pathway: calendar needs at least one working weekday")
	}
	if start < 0 || end > 24*time.Hour || end <= start {
		return nil, fmt.Errorf("pathway: working hours %v to %v must run forwards within one day", start, end)
	}
	return c, nil
}

func (c *Calendar) hasWorkdays() bool {
	for _, w := range c.workdays {
		if w {
			return true
		}
	}
	return false
}

// rules returns c, or the documented fallback when c is nil or zero, so no
// method can panic or loop for ever on a Calendar not built by NewCalendar.
func (c *Calendar) rules() *Calendar {
	if c != nil && c.loc != nil && c.hasWorkdays() && c.end > c.start {
		return c
	}
	return &Calendar{
		loc:      time.UTC,
		workdays: [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true},
		start:    9 * time.Hour,
		end:      17 * time.Hour,
	}
}

// Location is the time zone whose dates the Calendar counts.
func (c *Calendar) Location() *time.Location { return c.rules().loc }

// BankHoliday reports whether the date of day, in the Calendar's location, is
// a bank holiday, and its name. Substitute days count, named as such:
// "Boxing Day (substitute day)".
func (c *Calendar) BankHoliday(day time.Time) (name string, ok bool) {
	c = c.rules()
	var hy holidayYear
	o, ok := hy.find(c, civilOf(day.In(c.loc)))
	if !ok {
		return "", false
	}
	if o.substitute {
		return o.holiday.Name + " (substitute day)", true
	}
	return o.holiday.Name, true
}

// IsWorkingDay reports whether the date of day, in the Calendar's location,
// is a working weekday and not a bank holiday.
func (c *Calendar) IsWorkingDay(day time.Time) bool {
	c = c.rules()
	var hy holidayYear
	return c.isWorking(civilOf(day.In(c.loc)), &hy)
}

func (c *Calendar) isWorking(d civilDate, hy *holidayYear) bool {
	if !c.workdays[d.wd] {
		return false
	}
	_, hol := hy.find(c, d)
	return !hol
}

// maxWorkingDays bounds a count so a mistyped number cannot keep the bot
// busy: it is several centuries, far beyond any deadline.
const maxWorkingDays = 100_000

// AddWorkingDays counts n working days after from's date: day 1 is the first
// working day after that date, even when from is itself a working day. The
// result is that date at from's wall-clock time in the Calendar's location.
// n <= 0 returns from unchanged.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	if n <= 0 {
		return from
	}
	c = c.rules()
	local := from.In(c.loc)
	d := c.stepWorkingDays(civilOf(local), min(n, maxWorkingDays), civilDate.next)
	return d.at(c.loc, wallClock(local))
}

// SubWorkingDays is the date n working days before to's date (day 1 is the
// last working day before it), at to's wall-clock time in the Calendar's
// location: "warn 2 working days before the deadline". n <= 0 returns to.
func (c *Calendar) SubWorkingDays(to time.Time, n int) time.Time {
	if n <= 0 {
		return to
	}
	c = c.rules()
	local := to.In(c.loc)
	d := c.stepWorkingDays(civilOf(local), min(n, maxWorkingDays), civilDate.prev)
	return d.at(c.loc, wallClock(local))
}

func (c *Calendar) stepWorkingDays(d civilDate, n int, step func(civilDate) civilDate) civilDate {
	var hy holidayYear
	for n > 0 {
		d = step(d)
		if c.isWorking(d, &hy) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days d with from's date < d <= to's
// date, dates taken in the Calendar's location; 0 when to is not after from.
// Dates outside the years 1 to 9999 are treated as those limits.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	c = c.rules()
	d, last := civilOf(from.In(c.loc)).clamp(), civilOf(to.In(c.loc)).clamp()
	var hy holidayYear
	n := 0
	for d.before(last) {
		d = d.next()
		if c.isWorking(d, &hy) {
			n++
		}
	}
	return n
}

// InWorkingHours reports whether t falls on a working day, at or after the
// start of working hours and before their end (wall clock, local time).
func (c *Calendar) InWorkingHours(t time.Time) bool {
	c = c.rules()
	local := t.In(c.loc)
	var hy holidayYear
	clock := wallClock(local)
	return clock >= c.start && clock < c.end && c.isWorking(civilOf(local), &hy)
}

// NextWorkingStart is t itself when t is in working hours; otherwise the start
// of the next working period, which is later the same day when t is before
// the start of a working day.
func (c *Calendar) NextWorkingStart(t time.Time) time.Time {
	c = c.rules()
	local := t.In(c.loc)
	d := civilOf(local)
	var hy holidayYear
	if c.isWorking(d, &hy) {
		clock := wallClock(local)
		if clock < c.start {
			return d.at(c.loc, c.start)
		}
		if clock < c.end {
			return t
		}
	}
	return c.stepWorkingDays(d, 1, civilDate.next).at(c.loc, c.start)
}

// DayStart is the date of day, in the Calendar's location, at the start of
// working hours.
func (c *Calendar) DayStart(day time.Time) time.Time {
	c = c.rules()
	return civilOf(day.In(c.loc)).at(c.loc, c.start)
}

// DayEnd is the date of day, in the Calendar's location, at the end of
// working hours.
func (c *Calendar) DayEnd(day time.Time) time.Time {
	c = c.rules()
	return civilOf(day.In(c.loc)).at(c.loc, c.end)
}

// Add moves t on by s. Working days follow AddWorkingDays; days and weeks are
// calendar days in the Calendar's location keeping the wall-clock time, so a
// day is 23 or 25 hours across a clock change; hours and minutes are elapsed
// time. A zero or out-of-range Span (see ParseSpan) leaves t unchanged.
func (c *Calendar) Add(t time.Time, s Span) time.Time {
	if !s.valid() {
		return t
	}
	c = c.rules()
	switch s.Unit {
	case WorkingDay:
		return c.AddWorkingDays(t, s.N)
	case Day:
		return t.In(c.loc).AddDate(0, 0, s.N)
	case Week:
		return t.In(c.loc).AddDate(0, 0, 7*s.N)
	case Hour:
		return t.Add(time.Duration(s.N) * time.Hour)
	case Minute:
		return t.Add(time.Duration(s.N) * time.Minute)
	case Month:
		return addMonths(t.In(c.loc), s.N)
	}
	return t
}

// wallClock is the time of day shown on a clock in t's location, which on a
// clock-change day differs from the time elapsed since midnight.
func wallClock(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// civilDate is a date with no time or zone, and its weekday, so counting days
// is plain arithmetic rather than time zone work.
type civilDate struct {
	y  int
	m  time.Month
	d  int
	wd time.Weekday
}

func civilOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d, t.Weekday()}
}

// at is the date at a wall-clock time in loc. A wall-clock time the clocks
// skip over is normalised by time.Date.
func (d civilDate) at(loc *time.Location, clock time.Duration) time.Time {
	h := clock / time.Hour
	clock -= h * time.Hour
	m := clock / time.Minute
	clock -= m * time.Minute
	s := clock / time.Second
	clock -= s * time.Second
	return time.Date(d.y, d.m, d.d, int(h), int(m), int(s), int(clock), loc)
}

func (d civilDate) next() civilDate {
	d.wd = (d.wd + 1) % 7
	if d.d < daysIn(d.y, d.m) {
		d.d++
		return d
	}
	d.d = 1
	if d.m < time.December {
		d.m++
		return d
	}
	d.m = time.January
	d.y++
	return d
}

func (d civilDate) prev() civilDate {
	d.wd = (d.wd + 6) % 7
	if d.d > 1 {
		d.d--
		return d
	}
	if d.m > time.January {
		d.m--
	} else {
		d.m = time.December
		d.y--
	}
	d.d = daysIn(d.y, d.m)
	return d
}

func (d civilDate) before(e civilDate) bool {
	if d.y != e.y {
		return d.y < e.y
	}
	if d.m != e.m {
		return d.m < e.m
	}
	return d.d < e.d
}

// clamp keeps a date within the years 1 to 9999, which bounds any count.
func (d civilDate) clamp() civilDate {
	switch {
	case d.y < 1:
		return civilOf(time.Date(1, time.January, 1, 12, 0, 0, 0, time.UTC))
	case d.y > 9999:
		return civilOf(time.Date(9999, time.December, 31, 12, 0, 0, 0, time.UTC))
	}
	return d
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// observance is one bank holiday as it falls in a year: on its own date, or
// on a substitute day when that date is a weekend.
type observance struct {
	m          time.Month
	d          int
	holiday    *cal.Holiday
	substitute bool
}

// holidayYear holds the bank holidays of one year while a method counts
// days: a copy on the caller's stack of the Calendar's cached year (the
// library's own cache is not goroutine-safe and is never switched on).
type holidayYear struct {
	year   int
	filled bool
	n      int
	days   [48]observance
}

// find reports the bank holiday falling on d, if any.
func (hy *holidayYear) find(c *Calendar, d civilDate) (observance, bool) {
	if len(c.holidays) == 0 {
		return observance{}, false
	}
	if !hy.filled || hy.year != d.y {
		if c.years != nil {
			*hy = *c.years.get(c, d.y)
		} else {
			hy.fill(c, d.y)
		}
	}
	for _, o := range hy.days[:hy.n] {
		if o.d == d.d && o.m == d.m {
			return o, true
		}
	}
	return observance{}, false
}

// yearCache keeps each year's bank holidays once worked out: every command
// counts working days, and working out a year's holidays from the rules is
// most of that cost. Filled years are never changed, so readers share them
// without locks. It holds at most maxCachedYears years; a count across more
// (centuries) works the rest out as it goes.
type yearCache struct {
	m sync.Map // int → *holidayYear
	n atomic.Int32
}

const maxCachedYears = 256

func (yc *yearCache) get(c *Calendar, year int) *holidayYear {
	if v, ok := yc.m.Load(year); ok {
		return v.(*holidayYear)
	}
	hy := &holidayYear{}
	hy.fill(c, year)
	if yc.n.Load() < maxCachedYears {
		if _, loaded := yc.m.LoadOrStore(year, hy); !loaded {
			yc.n.Add(1)
		}
	}
	return hy
}

// fill computes the observed dates of every holiday that land in year. A
// substitute day can in principle cross a year end, so neighbouring years
// are consulted for holidays that have substitutes or offsets.
func (hy *holidayYear) fill(c *Calendar, year int) {
	hy.year, hy.filled, hy.n = year, true, 0
	for _, h := range c.holidays {
		for y := year - 1; y <= year+1; y++ {
			if y != year && h.Observed == nil && h.CalcOffset == 0 {
				continue
			}
			actual, observed := h.Calc(y)
			if observed.IsZero() {
				continue
			}
			oy, om, od := calendarDate(observed)
			if oy != year || hy.n == len(hy.days) {
				continue
			}
			ay, am, ad := calendarDate(actual)
			hy.days[hy.n] = observance{
				m:          om,
				d:          od,
				holiday:    h,
				substitute: ay != oy || am != om || ad != od,
			}
			hy.n++
		}
	}
}

// calendarDate reads the date the library meant. Its dates are midnight in
// cal.DefaultLoc (the machine's zone); where that zone skips midnight,
// time.Date may land an hour either side, so the date is read at midday.
func calendarDate(t time.Time) (int, time.Month, int) {
	return t.Add(12 * time.Hour).Date()
}

// addMonths is the same day n months on, or the month's last day when it is
// shorter: 31 Jan and a month is 28 Feb (29 in a leap year), not 3 Mar.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}
