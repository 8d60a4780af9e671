package pathway

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Policy is what an organisation has chosen: cadences, deadlines, the
// check-in schedule, escalation, working hours and which of the six
// commitments are switched on. Defaults come from DOMAIN.md by nation.
type Policy struct {
	Nation             Nation
	Timezone           string
	Holidays           string // a holiday set: england-and-wales, scotland, northern-ireland, none
	WorkStart, WorkEnd time.Duration
	WorkingDays        []time.Weekday
	FirstContactWithin Span
	DefaultEvery       Span
	NudgeRepeat        Span
	// ReminderLateBy is how late a reminder may still be delivered (the
	// platform was refusing or slow): after that it is dropped, and the
	// next reminder replaces it.
	ReminderLateBy Span
	EscalateAfter  int
	// NudgeRepeatEscalated is the slower pace of repeats once escalate_after
	// nudges have gone unanswered and the pathway lead has been asked: the
	// reminder has done its work, and daily repeats only wear people out.
	NudgeRepeatEscalated Span
	MaxSnooze            Span
	DigestAt             time.Duration // time of day
	Candour              CandourPolicy
	Checkins             []Span
	CheckinAnswerTTL     Span
	WellbeingContact     string // a person id or name; empty when none is set
	Commitments          []string
	Support              []SupportOption
	Retention            Retention

	// Calendar counts working days and hours with the policy's holidays.
	Calendar *Calendar
}

// CandourPolicy holds the Duty of Candour rules in force.
type CandourPolicy struct {
	AppliesFrom   Harm
	NotifyWithin  Span
	WrittenWithin Span
	WrittenFrom   string // "aware" or "notified"
	WarnBefore    Span
	// ExplainDelay is Scotland's rule: if notification has not happened
	// within a month of becoming aware, the reason must be recorded.
	ExplainDelay bool
	// ProlongedPsych: psychological harm brings the duty only when it has
	// lasted, or is likely to last, 28 days or more (England, Scotland and
	// Northern Ireland); in Wales, psychological harm counts from AppliesFrom
	// like physical harm.
	ProlongedPsych bool
	// Label names the duty for this nation, as a heading.
	Label string
	// Name names the duty in running text: "the Duty of Candour
	// notification"; for Northern Ireland "Being Open", as the heading's
	// "(not statutory)" breaks a sentence.
	Name string
}

// The is the duty as the subject of a sentence: "the Duty of Candour",
// or "Being Open" (a name that takes no article).
func (c CandourPolicy) The() string {
	name := c.Name
	if name == "" {
		name = c.Label
	}
	if strings.HasPrefix(name, "Being Open") {
		return name
	}
	return "the " + name
}

// SupportOption is one place staff can turn to.
type SupportOption struct {
	Name string `yaml:"name"`
	How  string `yaml:"how"`
	When string `yaml:"when"`
}

// The six commitments of the Harmed Patient Pathway, by key.
const (
	CommitCommunication = "communication"
	CommitSupport       = "support"
	CommitInvestigation = "investigation"
	CommitImprovement   = "improvement"
	CommitParallel      = "parallel"
	CommitCulture       = "culture"
)

// AllCommitments lists the six commitments in order.
var AllCommitments = []string{CommitCommunication, CommitSupport, CommitInvestigation, CommitImprovement, CommitParallel, CommitCulture}

// Enabled reports whether a commitment is switched on.
func (p *Policy) Enabled(commitment string) bool {
	for _, c := range p.Commitments {
		if c == commitment {
			return true
		}
	}
	return false
}

// Location is the policy's time zone.
func (p *Policy) Location() *time.Location { return p.Calendar.Location() }

// DefaultSupport lists generic UK options for staff.
func DefaultSupport() []SupportOption {
	return []SupportOption{
		{Name: "A colleague or peer supporter", How: "Talk to someone you trust on your team, or ask your manager who the trained peer supporters are", When: "Any time — talking early helps"},
		{Name: "Your line manager or supervisor", How: "Ask for a private conversation", When: "Working hours"},
		{Name: "Occupational health", How: "Refer yourself through your organisation's occupational health service", When: "Working hours"},
		{Name: "Employee assistance programme", How: "Free, confidential counselling — the number is on your organisation's intranet", When: "Usually 24 hours a day"},
		{Name: "NHS 111", How: "Call 111 if you need urgent help for your own health", When: "24 hours a day"},
		{Name: "Samaritans", How: "Call 116 123 free, any time, to talk to someone", When: "24 hours a day"},
		{Name: "Emergency", How: "Call 999 if you or someone else is in immediate danger", When: "24 hours a day"},
	}
}

// DefaultPolicy returns the built-in policy for a nation and time zone.
func DefaultPolicy(nation Nation, timezone string) (*Policy, error) {
	p := &Policy{
		Nation:               nation,
		Timezone:             timezone,
		Holidays:             nation.holidays(),
		WorkStart:            8 * time.Hour,
		WorkEnd:              18 * time.Hour,
		WorkingDays:          []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		FirstContactWithin:   Span{1, WorkingDay},
		DefaultEvery:         Span{7, Day},
		NudgeRepeat:          Span{1, WorkingDay},
		ReminderLateBy:       Span{1, WorkingDay},
		EscalateAfter:        2,
		NudgeRepeatEscalated: Span{2, WorkingDay},
		MaxSnooze:            Span{3, Day},
		DigestAt:             9 * time.Hour,
		Candour:              nation.candour(),
		Checkins:             []Span{{1, WorkingDay}, {3, Day}, {14, Day}, {28, Day}},
		CheckinAnswerTTL:     Span{90, Day},
		Commitments:          append([]string(nil), AllCommitments...),
		Support:              DefaultSupport(),
		Retention:            DefaultRetention(),
	}
	if err := p.build(); err != nil {
		return nil, err
	}
	return p, nil
}

func (n Nation) holidays() string {
	switch n {
	case Scotland:
		return "scotland"
	case NorthernIreland:
		return "northern-ireland"
	}
	return "england-and-wales"
}

// candour returns the nation's Duty of Candour defaults (DOMAIN.md).
func (n Nation) candour() CandourPolicy {
	c := CandourPolicy{
		AppliesFrom:    HarmModerate,
		NotifyWithin:   Span{10, WorkingDay},
		WrittenWithin:  Span{10, WorkingDay},
		WrittenFrom:    "aware",
		WarnBefore:     Span{2, WorkingDay},
		Label:          "Duty of Candour",
		ProlongedPsych: true,
	}
	switch n {
	case Wales:
		c.AppliesFrom = HarmLow
		c.ProlongedPsych = false
		c.WrittenWithin = Span{5, WorkingDay}
		c.WrittenFrom = "notified"
		c.Label = "Duty of Candour (Wales)"
	case Scotland:
		c.ExplainDelay = true
		c.Label = "Duty of Candour (Scotland)"
	case NorthernIreland:
		c.Label = "Being Open (not statutory)"
	}
	c.Name = c.Label
	if n == NorthernIreland {
		c.Name = "Being Open"
	}
	return c
}

func (p *Policy) build() error {
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return fmt.Errorf("timezone: %q is not a time zone I know (for example Europe/London)", p.Timezone)
	}
	cal, err := NewCalendar(loc, p.Holidays, p.WorkingDays, p.WorkStart, p.WorkEnd)
	if err != nil {
		return err
	}
	p.Calendar = cal
	return nil
}

// policyKeys lists every key the policy file may hold; nested maps by path.
var policyKeys = map[string][]string{
	"": {"nation", "timezone", "holidays", "working_hours", "working_days", "first_contact_within",
		"default_every", "nudge_repeat", "nudge_repeat_after_escalation", "reminder_late_by", "escalate_after", "max_snooze", "digest_at", "candour",
		"checkins", "checkin_answer_ttl", "wellbeing_contact", "commitments", "support", "retention"},
	"retention": retentionKeys,
	"candour":   {"applies_from", "notify_within", "written_within", "written_from", "warn_before"},
	"support":   {"name", "how", "when"},
}

// ParsePolicy reads a policy file over the defaults for the nation and time
// zone set in the environment. Every key is optional; an unknown key, a bad
// value, or a nation or time zone that contradicts the environment is an
// error naming the key and its line.
func ParsePolicy(data []byte, envNation Nation, envTimezone string, envSetNation, envSetTimezone bool) (*Policy, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return DefaultPolicy(envNation, envTimezone)
		}
		return nil, fmt.Errorf("policy file is not valid YAML: %v", err)
	}
	if len(root.Content) == 0 {
		return DefaultPolicy(envNation, envTimezone)
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		// Only "---" and comments, as in a template with every line commented out.
		return DefaultPolicy(envNation, envTimezone)
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("policy file line %d: expected keys such as default_every: 7d", doc.Line)
	}
	if err := checkKeys(doc, ""); err != nil {
		return nil, err
	}
	get := func(n *yaml.Node, key string) *yaml.Node {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	nation, tz := envNation, envTimezone
	if v := get(doc, "nation"); v != nil {
		n, err := ParseNation(v.Value)
		if err != nil {
			return nil, fmt.Errorf("policy file line %d: nation: %v", v.Line, err)
		}
		if envSetNation && n != envNation {
			return nil, fmt.Errorf("policy file line %d: nation is %s but HPP_NATION is %s — set one of them, or make them agree", v.Line, n, envNation)
		}
		nation = n
	}
	if v := get(doc, "timezone"); v != nil {
		if envSetTimezone && v.Value != envTimezone {
			return nil, fmt.Errorf("policy file line %d: timezone is %s but HPP_TIMEZONE is %s — set one of them, or make them agree", v.Line, v.Value, envTimezone)
		}
		if _, err := time.LoadLocation(v.Value); err != nil {
			return nil, fmt.Errorf("policy file line %d: timezone: %q is not a time zone I know (for example Europe/London)", v.Line, v.Value)
		}
		tz = v.Value
	}
	p, err := DefaultPolicy(nation, tz)
	if err != nil {
		return nil, err
	}
	span := func(n *yaml.Node, key string, dst *Span) error {
		v := get(n, key)
		if v == nil {
			return nil
		}
		s, err := ParseSpan(v.Value)
		if err != nil {
			return fmt.Errorf("policy file line %d: %s: %v", v.Line, key, err)
		}
		*dst = s
		return nil
	}
	for key, dst := range map[string]*Span{
		"first_contact_within": &p.FirstContactWithin, "default_every": &p.DefaultEvery,
		"nudge_repeat": &p.NudgeRepeat, "nudge_repeat_after_escalation": &p.NudgeRepeatEscalated, "reminder_late_by": &p.ReminderLateBy, "max_snooze": &p.MaxSnooze, "checkin_answer_ttl": &p.CheckinAnswerTTL,
	} {
		if err := span(doc, key, dst); err != nil {
			return nil, err
		}
	}
	if v := get(doc, "nudge_repeat_after_escalation"); v != nil && p.NudgeRepeatEscalated.Approx() < p.NudgeRepeat.Approx() {
		return nil, fmt.Errorf("policy file line %d: nudge_repeat_after_escalation: %s is sooner than nudge_repeat (%s) — after an escalation, reminders slow down or keep their pace, so set it to %s or longer", v.Line, p.NudgeRepeatEscalated, p.NudgeRepeat, p.NudgeRepeat)
	}
	if v := get(doc, "retention"); v != nil {
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("policy file line %d: retention: expected keys such as closed_case_keep: 13mo", v.Line)
		}
		for key, dst := range p.Retention.fields() {
			if err := span(v, key, dst); err != nil {
				return nil, fmt.Errorf("%v (under retention)", err)
			}
		}
		if err := p.Retention.check(); err != nil {
			return nil, fmt.Errorf("policy file line %d: retention: %v", v.Line, err)
		}
	}
	if v := get(doc, "holidays"); v != nil {
		if !contains(HolidaySets(), v.Value) {
			return nil, fmt.Errorf("policy file line %d: holidays: %q is not one of %s", v.Line, v.Value, strings.Join(HolidaySets(), ", "))
		}
		p.Holidays = v.Value
	}
	if v := get(doc, "working_hours"); v != nil {
		start, end, err := parseHours(v.Value)
		if err != nil {
			return nil, fmt.Errorf("policy file line %d: working_hours: %v", v.Line, err)
		}
		p.WorkStart, p.WorkEnd = start, end
	}
	if v := get(doc, "working_days"); v != nil {
		days, err := parseWeekdays(v)
		if err != nil {
			return nil, fmt.Errorf("policy file line %d: working_days: %v", v.Line, err)
		}
		p.WorkingDays = days
	}
	if v := get(doc, "escalate_after"); v != nil {
		n, err := strconv.Atoi(v.Value)
		if err != nil || n < 1 || n > 20 {
			return nil, fmt.Errorf("policy file line %d: escalate_after: %q should be a whole number of reminders from 1 to 20", v.Line, v.Value)
		}
		p.EscalateAfter = n
	}
	if v := get(doc, "digest_at"); v != nil {
		d, err := parseClock(v.Value)
		if err != nil {
			return nil, fmt.Errorf("policy file line %d: digest_at: %v", v.Line, err)
		}
		p.DigestAt = d
	}
	if c := get(doc, "candour"); c != nil {
		if c.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("policy file line %d: candour: expected keys such as notify_within: 10wd", c.Line)
		}
		if v := get(c, "applies_from"); v != nil {
			h, err := ParseHarm(v.Value)
			if err != nil || h == HarmNone {
				return nil, fmt.Errorf("policy file line %d: candour.applies_from: %q should be low, moderate, severe, death or psychological", v.Line, v.Value)
			}
			p.Candour.AppliesFrom = h
		}
		for key, dst := range map[string]*Span{"notify_within": &p.Candour.NotifyWithin, "written_within": &p.Candour.WrittenWithin, "warn_before": &p.Candour.WarnBefore} {
			if err := span(c, key, dst); err != nil {
				return nil, fmt.Errorf("%v (under candour)", err)
			}
		}
		if v := get(c, "written_from"); v != nil {
			if v.Value != "aware" && v.Value != "notified" {
				return nil, fmt.Errorf("policy file line %d: candour.written_from: %q should be aware or notified", v.Line, v.Value)
			}
			p.Candour.WrittenFrom = v.Value
		}
	}
	if v := get(doc, "checkins"); v != nil {
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("policy file line %d: checkins: expected a list such as [1wd, 3d, 14d, 28d]", v.Line)
		}
		var spans []Span
		for _, item := range v.Content {
			s, err := ParseSpan(item.Value)
			if err != nil {
				return nil, fmt.Errorf("policy file line %d: checkins: %v", item.Line, err)
			}
			spans = append(spans, s)
		}
		if len(spans) > 12 {
			return nil, fmt.Errorf("policy file line %d: checkins: at most 12 check-ins, please", v.Line)
		}
		p.Checkins = spans
	}
	if v := get(doc, "wellbeing_contact"); v != nil {
		p.WellbeingContact = strings.TrimSpace(v.Value)
	}
	if v := get(doc, "commitments"); v != nil {
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("policy file line %d: commitments: expected a list such as [communication, support]", v.Line)
		}
		var keys []string
		for _, item := range v.Content {
			if !contains(AllCommitments, item.Value) {
				return nil, fmt.Errorf("policy file line %d: commitments: %q is not one of %s", item.Line, item.Value, strings.Join(AllCommitments, ", "))
			}
			if contains(keys, item.Value) {
				return nil, fmt.Errorf("policy file line %d: commitments: %s is listed twice", item.Line, item.Value)
			}
			keys = append(keys, item.Value)
		}
		sort.Slice(keys, func(i, j int) bool { return indexOf(AllCommitments, keys[i]) < indexOf(AllCommitments, keys[j]) })
		p.Commitments = keys
	}
	if v := get(doc, "support"); v != nil {
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("policy file line %d: support: expected a list of {name, how, when}", v.Line)
		}
		var opts []SupportOption
		for _, item := range v.Content {
			var o SupportOption
			if err := item.Decode(&o); err != nil || strings.TrimSpace(o.Name) == "" || strings.TrimSpace(o.How) == "" {
				return nil, fmt.Errorf("policy file line %d: support: each option needs a name and how to reach it", item.Line)
			}
			opts = append(opts, o)
		}
		p.Support = opts
	}
	if err := p.build(); err != nil {
		return nil, fmt.Errorf("policy file: %v", err)
	}
	return p, nil
}

func checkKeys(n *yaml.Node, path string) error {
	allowed := policyKeys[path]
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		where := k.Value
		if path != "" {
			where = path + "." + k.Value
		}
		if !contains(allowed, k.Value) {
			return fmt.Errorf("policy file line %d: unknown key %q — the keys here are %s", k.Line, where, strings.Join(allowed, ", "))
		}
		// Only the first would count: say so rather than ignore the other.
		if first, dup := seen[k.Value]; dup {
			return fmt.Errorf("policy file line %d: %s is set twice (also on line %d) — keep one", k.Line, where, first)
		}
		seen[k.Value] = k.Line
		switch {
		case path == "" && k.Value == "candour" && v.Kind == yaml.MappingNode:
			if err := checkKeys(v, "candour"); err != nil {
				return err
			}
		case path == "" && k.Value == "retention" && v.Kind == yaml.MappingNode:
			if err := checkKeys(v, "retention"); err != nil {
				return err
			}
		case path == "" && k.Value == "support" && v.Kind == yaml.SequenceNode:
			for _, item := range v.Content {
				if item.Kind != yaml.MappingNode {
					return fmt.Errorf("policy file line %d: support: each option is {name: ..., how: ..., when: ...}", item.Line)
				}
				if err := checkKeys(item, "support"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q should be a 24-hour time such as 09:00", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func parseHours(s string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q should look like 08:00-18:00", s)
	}
	if start, err = parseClock(a); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(b); err != nil {
		return 0, 0, err
	}
	if end <= start {
		return 0, 0, fmt.Errorf("%q: the end should be after the start", s)
	}
	return start, end, nil
}

var weekdayNames = map[string]time.Weekday{"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday}

func parseWeekdays(n *yaml.Node) ([]time.Weekday, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, fmt.Errorf("expected a list such as [mon, tue, wed, thu, fri]")
	}
	var days []time.Weekday
	seen := map[time.Weekday]bool{}
	for _, item := range n.Content {
		d, ok := weekdayNames[strings.ToLower(item.Value)]
		if !ok {
			return nil, fmt.Errorf("%q is not one of mon, tue, wed, thu, fri, sat, sun", item.Value)
		}
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	return days, nil
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// PolicyKeys lists every key a policy file may hold, nested ones included,
// sorted: the setup words that belong in messages to admins only.
func PolicyKeys() []string {
	var keys []string
	for _, ks := range policyKeys {
		for _, k := range ks {
			if !contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
