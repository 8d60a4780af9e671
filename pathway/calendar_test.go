package pathway

import (
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without the machine's zoneinfo

	"github.com/rickar/cal/v2"
)

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("load Europe/London: %v", err)
	}
	return loc
}

// calendars builds an 08:00–18:00, Monday-to-Friday London calendar for each
// holiday set.
func calendars(t testing.TB) map[string]*Calendar {
	t.Helper()
	out := map[string]*Calendar{}
	for _, set := range HolidaySets() {
		c, err := NewCalendar(london(t), set, weekdays, 8*time.Hour, 18*time.Hour)
		if err != nil {
			t.Fatalf("NewCalendar(%q): %v", set, err)
		}
		out[set] = c
	}
	return out
}

// at is a London wall-clock time; day is "2006-01-02", clock "15:04" or "".
func at(t testing.TB, day, clock string) time.Time {
	t.Helper()
	if clock == "" {
		clock = "12:00"
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, london(t))
	if err != nil {
		t.Fatalf("bad test time %q %q: %v", day, clock, err)
	}
	return v
}

func TestHolidaySets(t *testing.T) {
	sets := HolidaySets()
	want := []string{"england-and-wales", "scotland", "northern-ireland", "none"}
	if strings.Join(sets, ",") != strings.Join(want, ",") {
		t.Fatalf("HolidaySets() = %v, want %v", sets, want)
	}
	sets[0] = "changed"
	if HolidaySets()[0] != want[0] {
		t.Error("HolidaySets shares its slice with callers")
	}
}

func TestBankHoliday(t *testing.T) {
	const (
		ew   = HolidaysEnglandAndWales
		scot = HolidaysScotland
		ni   = HolidaysNorthernIreland
	)
	tests := []struct {
		set, day string
		want     string // "" for not a bank holiday
	}{
		// England and Wales, 2025–26.
		{ew, "2025-12-25", "Christmas Day"},
		{ew, "2025-12-26", "Boxing Day"},
		{ew, "2026-01-01", "New Year's Day"},
		{ew, "2026-01-02", ""},
		{ew, "2026-04-03", "Good Friday"},
		{ew, "2026-04-06", "Easter Monday"},
		{ew, "2026-05-04", "Early May"},
		{ew, "2026-05-25", "Spring Bank Holiday"},
		{ew, "2026-08-03", ""},
		{ew, "2026-08-31", "Summer Bank Holiday"},
		{ew, "2026-11-30", ""},
		{ew, "2026-12-25", "Christmas Day"},
		{ew, "2026-12-26", ""}, // Saturday: the substitute is the holiday
		{ew, "2026-12-28", "Boxing Day (substitute day)"},
		{ew, "2022-12-26", "Christmas Day (substitute day)"},
		{ew, "2022-12-27", "Boxing Day (substitute day)"},
		{ew, "2021-12-27", "Christmas Day (substitute day)"},
		{ew, "2021-12-28", "Boxing Day (substitute day)"},
		{ew, "2022-01-03", "New Year's Day (substitute day)"},
		{ew, "2022-01-04", ""},
		// The one-off royal days, in every nation.
		{ew, "2020-05-08", "VE Day"},
		{ew, "2020-05-04", ""},
		{ew, "2022-06-02", "Spring Bank Holiday"},
		{ew, "2022-06-03", "Platinum Jubilee Bank Holiday"},
		{ew, "2022-05-30", ""},
		{ew, "2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"},
		{ew, "2023-05-08", "Coronation of King Charles III"},
		{scot, "2020-05-08", "VE Day"},
		{scot, "2022-06-03", "Platinum Jubilee Bank Holiday"},
		{scot, "2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"},
		{ni, "2023-05-08", "Coronation of King Charles III"},

		// Scotland: 2 January and its substitutes.
		{scot, "2026-01-01", "New Year's Day"},
		{scot, "2026-01-02", "2nd January"},
		{scot, "2027-01-01", "New Year's Day"},
		{scot, "2027-01-02", ""},
		{scot, "2027-01-04", "2nd January (substitute day)"},
		{scot, "2022-01-03", "New Year's Day (substitute day)"},
		{scot, "2022-01-04", "2nd January (substitute day)"},
		{scot, "2023-01-02", "New Year's Day (substitute day)"},
		{scot, "2023-01-03", "2nd January (substitute day)"},
		// Scotland: St Andrew's Day.
		{scot, "2025-11-30", ""},
		{scot, "2025-12-01", "St Andrew's Day (substitute day)"},
		{scot, "2026-11-30", "St Andrew's Day"},
		{scot, "2024-12-02", "St Andrew's Day (substitute day)"}, // 30 Nov 2024 was a Saturday
		{scot, "2006-11-30", ""},                                 // before the 2007 Act
		// Scotland: no Easter Monday, summer holiday in early August.
		{scot, "2026-04-03", "Good Friday"},
		{scot, "2026-04-06", ""},
		{scot, "2026-08-03", "Summer Bank Holiday"},
		{scot, "2026-08-31", ""},
		{scot, "2026-12-28", "Boxing Day (substitute day)"},

		// Northern Ireland: England and Wales plus two days.
		{ni, "2026-03-17", "St Patrick's Day"},
		{ni, "2024-03-18", "St Patrick's Day (substitute day)"}, // 17 March 2024 was a Sunday
		{ni, "2026-07-12", ""},
		{ni, "2026-07-13", "Battle of the Boyne (Orangemen's Day) (substitute day)"},
		{ni, "2025-07-14", "Battle of the Boyne (Orangemen's Day) (substitute day)"}, // Saturday 12th
		{ni, "2027-07-12", "Battle of the Boyne (Orangemen's Day)"},
		{ni, "2026-04-06", "Easter Monday"},
		{ni, "2026-08-31", "Summer Bank Holiday"},
		{ni, "2026-01-02", ""},
		{ew, "2026-03-17", ""},
		{ew, "2026-07-13", ""},

		// None.
		{HolidaysNone, "2026-12-25", ""},
		{HolidaysNone, "2026-01-01", ""},
	}
	cals := calendars(t)
	for _, tt := range tests {
		name, ok := cals[tt.set].BankHoliday(at(t, tt.day, "12:00"))
		if ok != (tt.want != "") || name != tt.want {
			t.Errorf("%s: BankHoliday(%s) = %q, %v; want %q", tt.set, tt.day, name, ok, tt.want)
		}
	}
}

// The date that counts is the date in the Calendar's zone, whatever zone the
// time was given in.
func TestBankHolidayUsesCalendarZone(t *testing.T) {
	c := calendars(t)[HolidaysEnglandAndWales]
	tests := []struct {
		in   time.Time
		want bool
	}{
		// 23:30 UTC on Sunday 30 August 2026 is 00:30 BST on Monday 31
		// August, the summer bank holiday; a day later it is 1 September.
		{time.Date(2026, 8, 30, 23, 30, 0, 0, time.UTC), true},
		{time.Date(2026, 8, 31, 23, 30, 0, 0, time.UTC), false},
		{time.Date(2026, 12, 25, 0, 30, 0, 0, time.FixedZone("UTC+5", 5*3600)), false}, // still 24 Dec in London
	}
	for _, tt := range tests {
		if _, got := c.BankHoliday(tt.in); got != tt.want {
			t.Errorf("BankHoliday(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The holiday lookup must agree with the library's own Calendar.IsHoliday
// (its observed result) on every day of many years.
func TestBankHolidayAgreesWithLibrary(t *testing.T) {
	for set, c := range calendars(t) {
		hols, _ := holidaysFor(set)
		lib := &cal.Calendar{Holidays: hols}
		for d := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() < 2051; d = d.AddDate(0, 0, 1) {
			_, want, _ := lib.IsHoliday(d)
			day := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, c.Location())
			if _, got := c.BankHoliday(day); got != want {
				t.Errorf("%s %s: BankHoliday = %v, library says %v", set, d.Format("2006-01-02 Mon"), got, want)
			}
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		set      string
		from     string // "2006-01-02 15:04"
		n        int
		want     string
		wantNote string
	}{
		// DOMAIN.md's worked example.
		{HolidaysEnglandAndWales, "2025-12-22 10:00", 10, "2026-01-08 10:00", "Christmas, Boxing Day, New Year's Day skipped"},
		{HolidaysScotland, "2025-12-22 10:00", 10, "2026-01-09 10:00", "2 January skipped too"},
		{HolidaysNorthernIreland, "2025-12-22 10:00", 10, "2026-01-08 10:00", ""},
		{HolidaysNone, "2025-12-22 10:00", 10, "2026-01-05 10:00", "weekends only"},
		// Day 1 is the first working day after from's date.
		{HolidaysEnglandAndWales, "2026-03-02 16:45", 1, "2026-03-03 16:45", "Monday to Tuesday"},
		{HolidaysEnglandAndWales, "2026-03-06 23:59", 1, "2026-03-09 23:59", "Friday to Monday"},
		{HolidaysEnglandAndWales, "2026-03-07 09:00", 1, "2026-03-09 09:00", "from a Saturday"},
		{HolidaysEnglandAndWales, "2026-03-08 00:00", 5, "2026-03-13 00:00", "from a Sunday"},
		{HolidaysEnglandAndWales, "2026-12-25 09:00", 1, "2026-12-29 09:00", "from a bank holiday"},
		// Easter: England loses Good Friday and Easter Monday, Scotland only Good Friday.
		{HolidaysEnglandAndWales, "2026-04-02 11:00", 1, "2026-04-07 11:00", ""},
		{HolidaysScotland, "2026-04-02 11:00", 1, "2026-04-06 11:00", ""},
		// Across the clocks going forward (Sunday 29 March 2026) the wall clock holds.
		{HolidaysEnglandAndWales, "2026-03-27 09:00", 1, "2026-03-30 09:00", "GMT to BST"},
		{HolidaysEnglandAndWales, "2026-10-23 09:00", 1, "2026-10-26 09:00", "BST to GMT"},
		// n <= 0 leaves the time alone.
		{HolidaysEnglandAndWales, "2026-03-07 09:00", 0, "2026-03-07 09:00", ""},
		{HolidaysEnglandAndWales, "2026-03-07 09:00", -3, "2026-03-07 09:00", ""},
		// A long count crosses years.
		{HolidaysEnglandAndWales, "2026-01-05 09:00", 253, "2027-01-05 09:00", "a year: 261 weekdays less 8 bank holidays"},
	}
	cals := calendars(t)
	for _, tt := range tests {
		from := at(t, tt.from[:10], tt.from[11:])
		got := cals[tt.set].AddWorkingDays(from, tt.n)
		want := at(t, tt.want[:10], tt.want[11:])
		if !got.Equal(want) || (tt.n > 0 && got.Location() != cals[tt.set].Location()) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %v, want %v (%s)", tt.set, tt.from, tt.n, got, want, tt.wantNote)
		}
	}
}

func TestAddWorkingDaysResultZone(t *testing.T) {
	c := calendars(t)[HolidaysEnglandAndWales]
	// 23:30 UTC on Sunday 29 March 2026 is 00:30 BST on Monday 30 March.
	from := time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC)
	got := c.AddWorkingDays(from, 1)
	want := at(t, "2026-03-31", "00:30")
	if !got.Equal(want) || got.Location() != c.Location() {
		t.Errorf("AddWorkingDays(%v, 1) = %v, want %v", from, got, want)
	}
}

func TestSubWorkingDays(t *testing.T) {
	tests := []struct {
		set        string
		to         string
		n          int
		want, note string
	}{
		{HolidaysEnglandAndWales, "2026-01-08 17:00", 2, "2026-01-06 17:00", ""},
		{HolidaysEnglandAndWales, "2026-01-05 09:00", 2, "2025-12-31 09:00", "1 January skipped"},
		{HolidaysScotland, "2026-01-05 09:00", 2, "2025-12-30 09:00", "1 and 2 January skipped"},
		{HolidaysEnglandAndWales, "2026-03-09 09:00", 1, "2026-03-06 09:00", "Monday back to Friday"},
		{HolidaysEnglandAndWales, "2026-03-30 09:00", 1, "2026-03-27 09:00", "BST back to GMT"},
		{HolidaysEnglandAndWales, "2026-03-30 09:00", 0, "2026-03-30 09:00", ""},
	}
	cals := calendars(t)
	for _, tt := range tests {
		to := at(t, tt.to[:10], tt.to[11:])
		got := cals[tt.set].SubWorkingDays(to, tt.n)
		want := at(t, tt.want[:10], tt.want[11:])
		if !got.Equal(want) {
			t.Errorf("%s: SubWorkingDays(%s, %d) = %v, want %v (%s)", tt.set, tt.to, tt.n, got, want, tt.note)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		set      string
		from, to string
		want     int
	}{
		{HolidaysEnglandAndWales, "2025-12-22 10:00", "2026-01-08 10:00", 10},
		{HolidaysScotland, "2025-12-22 10:00", "2026-01-08 10:00", 9},
		{HolidaysScotland, "2025-12-22 10:00", "2026-01-09 10:00", 10},
		{HolidaysEnglandAndWales, "2026-03-06 17:00", "2026-03-09 09:00", 1},
		{HolidaysEnglandAndWales, "2026-03-09 09:00", "2026-03-09 17:00", 0},
		{HolidaysEnglandAndWales, "2026-03-09 09:00", "2026-03-02 09:00", 0},
		{HolidaysNone, "2026-01-01 00:00", "2027-01-01 00:00", 261},
		{HolidaysEnglandAndWales, "2026-01-01 00:00", "2027-01-01 00:00", 253},
	}
	cals := calendars(t)
	for _, tt := range tests {
		from, to := at(t, tt.from[:10], tt.from[11:]), at(t, tt.to[:10], tt.to[11:])
		if got := cals[tt.set].WorkingDaysBetween(from, to); got != tt.want {
			t.Errorf("%s: WorkingDaysBetween(%s, %s) = %d, want %d", tt.set, tt.from, tt.to, got, tt.want)
		}
	}
}

// Counting, adding and subtracting working days agree with each other.
func TestWorkingDayArithmeticAgrees(t *testing.T) {
	for set, c := range calendars(t) {
		for from := at(t, "2025-11-01", "10:00"); from.Year() < 2027; from = from.AddDate(0, 0, 3) {
			for _, n := range []int{1, 2, 5, 10, 20} {
				end := c.AddWorkingDays(from, n)
				if !c.IsWorkingDay(end) {
					t.Fatalf("%s: AddWorkingDays(%v, %d) = %v, not a working day", set, from, n, end)
				}
				if got := c.WorkingDaysBetween(from, end); got != n {
					t.Fatalf("%s: WorkingDaysBetween(%v, AddWorkingDays(.., %d)) = %d", set, from, n, got)
				}
				if c.IsWorkingDay(from) {
					if back := c.SubWorkingDays(end, n); !back.Equal(from) {
						t.Fatalf("%s: SubWorkingDays(AddWorkingDays(%v, %d)) = %v", set, from, n, back)
					}
				}
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		set, day string
		want     bool
	}{
		{HolidaysEnglandAndWales, "2026-04-06", false},
		{HolidaysScotland, "2026-04-06", true},
		{HolidaysScotland, "2026-08-03", false},
		{HolidaysEnglandAndWales, "2026-08-03", true},
		{HolidaysEnglandAndWales, "2026-03-07", false}, // Saturday
		{HolidaysNone, "2026-12-25", true},
		{HolidaysNone, "2026-12-26", false},
	}
	cals := calendars(t)
	for _, tt := range tests {
		if got := cals[tt.set].IsWorkingDay(at(t, tt.day, "")); got != tt.want {
			t.Errorf("%s: IsWorkingDay(%s) = %v, want %v", tt.set, tt.day, got, tt.want)
		}
	}

	// A seven-day service still has its bank holidays off.
	every := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	c, err := NewCalendar(london(t), HolidaysEnglandAndWales, every, 0, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(at(t, "2026-03-07", "")) || c.IsWorkingDay(at(t, "2026-12-28", "")) {
		t.Error("seven-day calendar: want Saturday working and the Boxing Day substitute off")
	}
}

func TestInWorkingHours(t *testing.T) {
	tests := []struct {
		when string
		want bool
	}{
		{"2026-03-09 08:00", true},
		{"2026-03-09 07:59", false},
		{"2026-03-09 17:59", true},
		{"2026-03-09 18:00", false},
		{"2026-03-09 00:00", false},
		{"2026-03-07 10:00", false}, // Saturday
		{"2026-12-25 10:00", false},
		{"2026-12-28 10:00", false},
		{"2026-03-30 08:30", true}, // first Monday of BST
	}
	c := calendars(t)[HolidaysEnglandAndWales]
	for _, tt := range tests {
		if got := c.InWorkingHours(at(t, tt.when[:10], tt.when[11:])); got != tt.want {
			t.Errorf("InWorkingHours(%s) = %v, want %v", tt.when, got, tt.want)
		}
	}
	// 07:30 UTC on a summer Monday is 08:30 in London.
	if !c.InWorkingHours(time.Date(2026, 6, 1, 7, 30, 0, 0, time.UTC)) {
		t.Error("InWorkingHours should read the clock in London")
	}
}

func TestNextWorkingStart(t *testing.T) {
	tests := []struct {
		set, when, want, note string
	}{
		{HolidaysEnglandAndWales, "2026-03-06 18:30", "2026-03-09 08:00", "Friday evening to Monday"},
		{HolidaysEnglandAndWales, "2026-03-06 18:00", "2026-03-09 08:00", "end of hours is outside"},
		{HolidaysEnglandAndWales, "2026-03-07 11:00", "2026-03-09 08:00", "Saturday"},
		{HolidaysEnglandAndWales, "2026-03-09 07:00", "2026-03-09 08:00", "before start on a weekday"},
		{HolidaysEnglandAndWales, "2026-03-09 00:00", "2026-03-09 08:00", "midnight"},
		{HolidaysEnglandAndWales, "2026-03-09 10:15", "2026-03-09 10:15", "already in hours"},
		{HolidaysEnglandAndWales, "2026-12-24 19:00", "2026-12-29 08:00", "Christmas and the Boxing Day substitute"},
		{HolidaysEnglandAndWales, "2026-12-31 19:00", "2027-01-04 08:00", ""},
		{HolidaysScotland, "2026-12-31 19:00", "2027-01-05 08:00", "2 January substitute too"},
		{HolidaysEnglandAndWales, "2026-03-27 20:00", "2026-03-30 08:00", "over the clock change"},
	}
	cals := calendars(t)
	for _, tt := range tests {
		got := cals[tt.set].NextWorkingStart(at(t, tt.when[:10], tt.when[11:]))
		want := at(t, tt.want[:10], tt.want[11:])
		if !got.Equal(want) {
			t.Errorf("%s: NextWorkingStart(%s) = %v, want %v (%s)", tt.set, tt.when, got, want, tt.note)
		}
	}
}

func TestDayStartAndEnd(t *testing.T) {
	c := calendars(t)[HolidaysEnglandAndWales]
	tests := []struct {
		day                  time.Time
		wantStart, wantEnd   string
		startUTCHour, endUTC int
	}{
		{at(t, "2026-03-27", "13:00"), "2026-03-27 08:00", "2026-03-27 18:00", 8, 18},
		{at(t, "2026-03-30", "23:59"), "2026-03-30 08:00", "2026-03-30 18:00", 7, 17},
		{at(t, "2026-03-29", "12:00"), "2026-03-29 08:00", "2026-03-29 18:00", 7, 17}, // the change day itself
		{time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC), "2026-06-02 08:00", "2026-06-02 18:00", 7, 17},
	}
	for _, tt := range tests {
		start, end := c.DayStart(tt.day), c.DayEnd(tt.day)
		if got := start.Format("2006-01-02 15:04"); got != tt.wantStart || start.UTC().Hour() != tt.startUTCHour {
			t.Errorf("DayStart(%v) = %v, want %s", tt.day, start, tt.wantStart)
		}
		if got := end.Format("2006-01-02 15:04"); got != tt.wantEnd || end.UTC().Hour() != tt.endUTC {
			t.Errorf("DayEnd(%v) = %v, want %s", tt.day, end, tt.wantEnd)
		}
	}
}

func TestCalendarAdd(t *testing.T) {
	tests := []struct {
		from    string
		span    Span
		want    string
		elapsed time.Duration // 0: don't check
	}{
		{"2026-03-28 09:00", Span{1, Day}, "2026-03-29 09:00", 23 * time.Hour},
		{"2026-10-24 09:00", Span{1, Day}, "2026-10-25 09:00", 25 * time.Hour},
		{"2026-03-23 09:00", Span{1, Week}, "2026-03-30 09:00", 7*24*time.Hour - time.Hour},
		{"2026-03-23 09:00", Span{2, Week}, "2026-04-06 09:00", 0},
		{"2026-03-28 09:00", Span{36, Hour}, "2026-03-29 22:00", 36 * time.Hour},
		{"2026-03-29 00:30", Span{90, Minute}, "2026-03-29 03:00", 90 * time.Minute},
		{"2025-12-22 10:00", Span{10, WorkingDay}, "2026-01-08 10:00", 0},
		{"2026-01-31 10:00", Span{1, Day}, "2026-02-01 10:00", 0},
		{"2026-01-31 10:00", Span{1, Month}, "2026-02-28 10:00", 0},
		{"2028-01-31 10:00", Span{1, Month}, "2028-02-29 10:00", 0},
		{"2026-11-15 10:00", Span{3, Month}, "2027-02-15 10:00", 0},
		{"2026-03-15 10:00", Span{1, Month}, "2026-04-15 10:00", 31*24*time.Hour - time.Hour},
		{"2026-03-28 09:00", Span{}, "2026-03-28 09:00", 0},
		{"2026-03-28 09:00", Span{0, Day}, "2026-03-28 09:00", 0},
		{"2026-03-28 09:00", Span{-2, Day}, "2026-03-28 09:00", 0},
		{"2026-03-28 09:00", Span{10000, Day}, "2026-03-28 09:00", 0},
		{"2026-03-28 09:00", Span{3, Unit(77)}, "2026-03-28 09:00", 0},
	}
	c := calendars(t)[HolidaysEnglandAndWales]
	for _, tt := range tests {
		from := at(t, tt.from[:10], tt.from[11:])
		got := c.Add(from, tt.span)
		want := at(t, tt.want[:10], tt.want[11:])
		if !got.Equal(want) {
			t.Errorf("Add(%s, %+v) = %v, want %v", tt.from, tt.span, got, want)
		}
		if tt.elapsed != 0 && got.Sub(from) != tt.elapsed {
			t.Errorf("Add(%s, %+v) moved %v, want %v", tt.from, tt.span, got.Sub(from), tt.elapsed)
		}
	}
}

func TestNewCalendarErrors(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name       string
		loc        *time.Location
		set        string
		days       []time.Weekday
		start, end time.Duration
		wantErr    string
	}{
		{"no zone", nil, "none", weekdays, 8 * time.Hour, 18 * time.Hour, "time zone"},
		{"unknown set", loc, "wales", weekdays, 8 * time.Hour, 18 * time.Hour, "unknown holiday set"},
		{"empty set", loc, "", weekdays, 8 * time.Hour, 18 * time.Hour, "unknown holiday set"},
		{"no workdays", loc, "none", nil, 8 * time.Hour, 18 * time.Hour, "at least one working weekday"},
		{"bad weekday", loc, "none", []time.Weekday{7}, 8 * time.Hour, 18 * time.Hour, "not a weekday"},
		{"negative weekday", loc, "none", []time.Weekday{-1}, 8 * time.Hour, 18 * time.Hour, "not a weekday"},
		{"backwards hours", loc, "none", weekdays, 18 * time.Hour, 8 * time.Hour, "run forwards"},
		{"empty hours", loc, "none", weekdays, 9 * time.Hour, 9 * time.Hour, "run forwards"},
		{"negative start", loc, "none", weekdays, -time.Hour, 8 * time.Hour, "run forwards"},
		{"past midnight", loc, "none", weekdays, 8 * time.Hour, 25 * time.Hour, "run forwards"},
	}
	for _, tt := range tests {
		c, err := NewCalendar(tt.loc, tt.set, tt.days, tt.start, tt.end)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: NewCalendar = %v, %v; want error containing %q", tt.name, c, err, tt.wantErr)
		}
	}

	// Set names are forgiving about case and spaces.
	c, err := NewCalendar(loc, " Scotland ", weekdays, 0, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.BankHoliday(at(t, "2026-01-02", "")); !ok {
		t.Error(`" Scotland " should select the Scottish holidays`)
	}
}

// A nil or zero Calendar works (Monday to Friday, 09:00–17:00 UTC, no bank
// holidays) rather than panicking or counting for ever.
func TestZeroCalendar(t *testing.T) {
	mon := time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC)
	for name, c := range map[string]*Calendar{"nil": nil, "zero": {}} {
		if got := c.AddWorkingDays(mon, 5); !got.Equal(mon.AddDate(0, 0, 7)) {
			t.Errorf("%s: AddWorkingDays = %v", name, got)
		}
		if c.Location() != time.UTC {
			t.Errorf("%s: Location = %v", name, c.Location())
		}
		if !c.InWorkingHours(mon) || c.InWorkingHours(mon.Add(8*time.Hour)) {
			t.Errorf("%s: working hours should be 09:00–17:00", name)
		}
		if _, ok := c.BankHoliday(mon.AddDate(0, 0, 4)); ok {
			t.Errorf("%s: should have no bank holidays", name)
		}
	}
}

// Extreme inputs finish quickly and do not panic.
func TestCalendarExtremes(t *testing.T) {
	c := calendars(t)[HolidaysScotland]
	now := at(t, "2026-03-09", "09:00")
	if got := c.AddWorkingDays(now, int(^uint(0)>>1)); got.Year() < 2300 {
		t.Errorf("AddWorkingDays(huge) = %v, want far in the future", got)
	}
	if got := c.SubWorkingDays(now, int(^uint(0)>>1)); got.Year() > 1800 {
		t.Errorf("SubWorkingDays(huge) = %v, want far in the past", got)
	}
	if got := c.WorkingDaysBetween(time.Time{}, now); got < 400_000 {
		t.Errorf("WorkingDaysBetween(zero time, now) = %d", got)
	}
	far := time.Unix(1<<60, 0)
	if got := c.WorkingDaysBetween(now, far); got <= 0 {
		t.Errorf("WorkingDaysBetween(now, far) = %d", got)
	}
	_ = c.NextWorkingStart(far)
	_ = c.Add(far, Span{9999, Week})
}

// The library builds its dates at midnight in the machine's zone; where that
// zone skips midnight (America/Santiago on 6 September 2026) time.Date lands
// an hour early, on the day before. calendarDate must still read the day meant.
func TestCalendarDate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 9, 5, 23, 0, 0, 0, time.FixedZone("-04", -4*3600)), "2026-09-06"},
		{time.Date(2026, 9, 6, 0, 0, 0, 0, time.FixedZone("+14", 14*3600)), "2026-09-06"},
		{time.Date(2026, 9, 6, 1, 0, 0, 0, time.UTC), "2026-09-06"},
	}
	for _, tt := range tests {
		y, m, d := calendarDate(tt.in)
		if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); got != tt.want {
			t.Errorf("calendarDate(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCivilDateSteps(t *testing.T) {
	// Stepping by hand agrees with the time package across leap years,
	// including 1900 (not leap), 2000 (leap) and 2100 (not leap).
	for _, start := range []time.Time{
		time.Date(1899, 12, 1, 12, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2099, 12, 1, 12, 0, 0, 0, time.UTC),
	} {
		d := civilOf(start)
		for i := 1; i <= 500; i++ {
			d = d.next()
			if want := civilOf(start.AddDate(0, 0, i)); d != want {
				t.Fatalf("next from %v, step %d: %+v, want %+v", start, i, d, want)
			}
		}
		for i := 499; i >= -500; i-- {
			d = d.prev()
			if want := civilOf(start.AddDate(0, 0, i)); d != want {
				t.Fatalf("prev from %v, step %d: %+v, want %+v", start, i, d, want)
			}
		}
	}
}

// A Calendar is shared by every request; run this under -race.
func TestCalendarConcurrentUse(t *testing.T) {
	c := calendars(t)[HolidaysScotland]
	from := at(t, "2025-12-22", "10:00")
	want := at(t, "2026-01-09", "10:00")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := c.AddWorkingDays(from, 10); !got.Equal(want) {
					t.Errorf("AddWorkingDays = %v, want %v", got, want)
					return
				}
				c.BankHoliday(from)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := calendars(b)[HolidaysScotland]
	from := at(b, "2025-12-22", "10:00")
	b.ReportAllocs()
	for b.Loop() {
		c.AddWorkingDays(from, 10)
	}
}
