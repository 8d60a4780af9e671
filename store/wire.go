package store

import (
	"encoding/json"
	"slices"
	"time"

	"hppbot/internal/jsonw"
	"hppbot/pathway"
)

// The wire format is compact JSON with short keys and Unix seconds: a case is
// read and written whole on every command, and an open case should cost well
// under 2 KiB of Redis memory. The version comes first so the apply script
// can read it without decoding JSON.

type wireCase struct {
	V        int64            `json:"v"`
	ID       int64            `json:"id"`
	Ref      string           `json:"r"`
	Service  string           `json:"s,omitempty"`
	Harm     string           `json:"h,omitempty"`
	Summary  string           `json:"m,omitempty"`
	Mode     string           `json:"cm,omitempty"`
	Duty     bool             `json:"da,omitempty"`
	Aware    int64            `json:"aw,omitempty"`
	Lead     string           `json:"l"`
	Involved []string         `json:"i,omitempty"`
	OpenedBy string           `json:"b,omitempty"`
	Opened   int64            `json:"o"`
	Closed   int64            `json:"cl,omitempty"`
	Next     int64            `json:"nc,omitempty"`
	Plan     *wirePlan        `json:"p,omitempty"`
	First    int64            `json:"fc,omitempty"`
	Last     int64            `json:"lc,omitempty"`
	Contacts int              `json:"ct,omitempty"`
	Notified int64            `json:"nf,omitempty"`
	Written  int64            `json:"wr,omitempty"`
	NDue     int64            `json:"nd,omitempty"`
	WDue     int64            `json:"wd,omitempty"`
	Updates  int              `json:"up,omitempty"`
	NA       string           `json:"na,omitempty"`
	Family   map[string]int64 `json:"f,omitempty"`
	Parallel map[string]int64 `json:"pp,omitempty"`
	Snoozed  int64            `json:"sn,omitempty"`
	Round    int              `json:"rd,omitempty"`
	CRound   int              `json:"cr,omitempty"`
	Nudges   int              `json:"cn,omitempty"`
	LastN    int64            `json:"ln,omitempty"`
	Esc      bool             `json:"es,omitempty"`
	NStage   int              `json:"ns,omitempty"`
	WStage   int              `json:"ws,omitempty"`
	NNudged  int64            `json:"nn,omitempty"`
	WNudged  int64            `json:"wn,omitempty"`
	CEsc     bool             `json:"ce,omitempty"`
	Delay    bool             `json:"dl,omitempty"`
}

type wirePlan struct {
	Every  string `json:"e"`
	Via    string `json:"v,omitempty"`
	Note   string `json:"n,omitempty"`
	Agreed int64  `json:"a,omitempty"`
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func unixMap(m map[string]time.Time) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = unix(v)
	}
	return out
}

func timeMap(m map[string]int64) map[string]time.Time {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = fromUnix(v)
	}
	return out
}

func encodeCase(c *pathway.Case) ([]byte, error) {
	w := caseWire(c)
	return w.appendJSON(make([]byte, 0, 512)), nil
}

// caseWire is c in its wire form (a value, so that writing a case doesn't
// put it on the heap).
func caseWire(c *pathway.Case) wireCase {
	w := wireCase{
		V: c.Version, ID: c.ID, Ref: c.Ref, Service: c.Service, Harm: string(c.Harm), Summary: c.Summary,
		Mode: string(c.CandourMode), Duty: c.DutyApplies, Aware: unix(c.Aware),
		Lead: c.Lead, Involved: c.Involved, OpenedBy: c.OpenedBy, Opened: unix(c.Opened), Closed: unix(c.Closed),
		Next: unix(c.NextContact), First: unix(c.FirstContact), Last: unix(c.LastContact), Contacts: c.Contacts,
		Notified: unix(c.Notified), Written: unix(c.Written), NDue: unix(c.NotifyDue), WDue: unix(c.WrittenDue),
		Updates: c.Updates, NA: c.NotNeeded, Family: unixMap(c.Family), Parallel: unixMap(c.Parallel),
		Snoozed: unix(c.SnoozedUntil), Round: c.Round, CRound: c.CandourRound, Nudges: c.ContactNudges, LastN: unix(c.LastNudge),
		Esc: c.Escalated, NStage: c.NotifyStage, WStage: c.WrittenStage, NNudged: unix(c.NotifyNudged),
		WNudged: unix(c.WrittenNudged), CEsc: c.CandourEscalated, Delay: c.DelayAsked,
	}
	if c.Plan != nil {
		w.Plan = &wirePlan{Every: c.Plan.Every.String(), Via: c.Plan.Via, Note: c.Plan.Note, Agreed: unix(c.Plan.Agreed)}
	}
	return w
}

// appendJSON writes w as json.Marshal would, without reflection: a case is
// written on every command. wire_test.go holds the two to the same bytes.
func (w *wireCase) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.Key(b, "v")
	b = jsonw.Int(b, w.V)
	b = jsonw.Key(b, "id")
	b = jsonw.Int(b, w.ID)
	b = jsonw.Key(b, "r")
	b = jsonw.String(b, w.Ref)
	b = jsonw.OptString(b, "s", w.Service)
	b = jsonw.OptString(b, "h", w.Harm)
	b = jsonw.OptString(b, "m", w.Summary)
	b = jsonw.OptString(b, "cm", w.Mode)
	b = jsonw.OptBool(b, "da", w.Duty)
	b = jsonw.OptInt(b, "aw", w.Aware)
	b = jsonw.Key(b, "l")
	b = jsonw.String(b, w.Lead)
	b = jsonw.OptStrings(b, "i", w.Involved)
	b = jsonw.OptString(b, "b", w.OpenedBy)
	b = jsonw.Key(b, "o")
	b = jsonw.Int(b, w.Opened)
	b = jsonw.OptInt(b, "cl", w.Closed)
	b = jsonw.OptInt(b, "nc", w.Next)
	if p := w.Plan; p != nil {
		b = jsonw.Key(b, "p")
		b = append(b, '{')
		b = jsonw.Key(b, "e")
		b = jsonw.String(b, p.Every)
		b = jsonw.OptString(b, "v", p.Via)
		b = jsonw.OptString(b, "n", p.Note)
		b = jsonw.OptInt(b, "a", p.Agreed)
		b = append(b, '}')
	}
	b = jsonw.OptInt(b, "fc", w.First)
	b = jsonw.OptInt(b, "lc", w.Last)
	b = jsonw.OptInt(b, "ct", int64(w.Contacts))
	b = jsonw.OptInt(b, "nf", w.Notified)
	b = jsonw.OptInt(b, "wr", w.Written)
	b = jsonw.OptInt(b, "nd", w.NDue)
	b = jsonw.OptInt(b, "wd", w.WDue)
	b = jsonw.OptInt(b, "up", int64(w.Updates))
	b = jsonw.OptString(b, "na", w.NA)
	b = optMap(b, "f", w.Family)
	b = optMap(b, "pp", w.Parallel)
	b = jsonw.OptInt(b, "sn", w.Snoozed)
	b = jsonw.OptInt(b, "rd", int64(w.Round))
	b = jsonw.OptInt(b, "cr", int64(w.CRound))
	b = jsonw.OptInt(b, "cn", int64(w.Nudges))
	b = jsonw.OptInt(b, "ln", w.LastN)
	b = jsonw.OptBool(b, "es", w.Esc)
	b = jsonw.OptInt(b, "ns", int64(w.NStage))
	b = jsonw.OptInt(b, "ws", int64(w.WStage))
	b = jsonw.OptInt(b, "nn", w.NNudged)
	b = jsonw.OptInt(b, "wn", w.WNudged)
	b = jsonw.OptBool(b, "ce", w.CEsc)
	b = jsonw.OptBool(b, "dl", w.Delay)
	return append(b, '}')
}

// optMap writes the map with its keys sorted, as encoding/json does.
func optMap(b []byte, key string, m map[string]int64) []byte {
	if len(m) == 0 {
		return b
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = jsonw.Key(b, key)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.String(b, k)
		b = append(b, ':')
		b = jsonw.Int(b, m[k])
	}
	return append(b, '}')
}

func decodeCase(data []byte) (*pathway.Case, error) {
	var w wireCase
	if !readCase(data, &w) {
		// Not as appendJSON writes it: json.Unmarshal reads what it can.
		w = wireCase{}
		if err := json.Unmarshal(data, &w); err != nil {
			return nil, err
		}
	}
	c := &pathway.Case{
		Version: w.V, ID: w.ID, Ref: w.Ref, Service: w.Service, Harm: pathway.Harm(w.Harm), Summary: w.Summary,
		CandourMode: pathway.CandourMode(w.Mode), DutyApplies: w.Duty, Aware: fromUnix(w.Aware),
		Lead: w.Lead, Involved: w.Involved, OpenedBy: w.OpenedBy, Opened: fromUnix(w.Opened), Closed: fromUnix(w.Closed),
		NextContact: fromUnix(w.Next), FirstContact: fromUnix(w.First), LastContact: fromUnix(w.Last), Contacts: w.Contacts,
		Notified: fromUnix(w.Notified), Written: fromUnix(w.Written), NotifyDue: fromUnix(w.NDue), WrittenDue: fromUnix(w.WDue),
		Updates: w.Updates, NotNeeded: w.NA, Family: timeMap(w.Family), Parallel: timeMap(w.Parallel),
		SnoozedUntil: fromUnix(w.Snoozed), Round: w.Round, CandourRound: w.CRound, ContactNudges: w.Nudges, LastNudge: fromUnix(w.LastN),
		Escalated: w.Esc, NotifyStage: w.NStage, WrittenStage: w.WStage, NotifyNudged: fromUnix(w.NNudged),
		WrittenNudged: fromUnix(w.WNudged), CandourEscalated: w.CEsc, DelayAsked: w.Delay,
	}
	if w.Plan != nil {
		every, err := pathway.ParseSpan(w.Plan.Every)
		if err != nil {
			return nil, err
		}
		c.Plan = &pathway.Plan{Every: every, Via: w.Plan.Via, Note: w.Plan.Note, Agreed: fromUnix(w.Plan.Agreed)}
	}
	return c, nil
}

type wireEvent struct {
	At     int64    `json:"t"`
	Actor  string   `json:"a"`
	Kind   string   `json:"k"`
	Step   string   `json:"st,omitempty"`
	Stage  string   `json:"sg,omitempty"`
	Via    string   `json:"v,omitempty"`
	Due    int64    `json:"d,omitempty"`
	Next   int64    `json:"n,omitempty"`
	Every  string   `json:"e,omitempty"`
	People []string `json:"p,omitempty"`
	Note   string   `json:"no,omitempty"`
	// DateOnly: recorded afterwards with on=, known only to the day.
	DateOnly bool `json:"do,omitempty"`
}

func encodeEvent(e pathway.Event) ([]byte, error) {
	w := eventWire(e)
	return w.appendJSON(make([]byte, 0, 128)), nil
}

// eventWire is e in its wire form.
func eventWire(e pathway.Event) wireEvent {
	w := wireEvent{At: unix(e.At), Actor: e.Actor, Kind: string(e.Kind), Step: e.Step, Stage: e.Stage, Via: e.Via,
		Due: unix(e.Due), Next: unix(e.Next), People: e.People, Note: e.Note, DateOnly: e.DateOnly}
	if !e.Every.IsZero() {
		w.Every = e.Every.String()
	}
	return w
}

// appendJSON writes w as json.Marshal would, without reflection.
func (w *wireEvent) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.Key(b, "t")
	b = jsonw.Int(b, w.At)
	b = jsonw.Key(b, "a")
	b = jsonw.String(b, w.Actor)
	b = jsonw.Key(b, "k")
	b = jsonw.String(b, w.Kind)
	b = jsonw.OptString(b, "st", w.Step)
	b = jsonw.OptString(b, "sg", w.Stage)
	b = jsonw.OptString(b, "v", w.Via)
	b = jsonw.OptInt(b, "d", w.Due)
	b = jsonw.OptInt(b, "n", w.Next)
	b = jsonw.OptString(b, "e", w.Every)
	b = jsonw.OptStrings(b, "p", w.People)
	b = jsonw.OptString(b, "no", w.Note)
	b = jsonw.OptBool(b, "do", w.DateOnly)
	return append(b, '}')
}

func decodeEvent(id string, caseID int64, data []byte) (pathway.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return pathway.Event{}, err
	}
	e := pathway.Event{ID: id, Case: caseID, At: fromUnix(w.At), Actor: w.Actor, Kind: pathway.EventKind(w.Kind),
		Step: w.Step, Stage: w.Stage, Via: w.Via, Due: fromUnix(w.Due), Next: fromUnix(w.Next), People: w.People, Note: w.Note, DateOnly: w.DateOnly}
	if w.Every != "" {
		if sp, err := pathway.ParseSpan(w.Every); err == nil {
			e.Every = sp
		}
	}
	return e, nil
}
