package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"hppbot/pathway"
)

// A case is stored as compact JSON: pathway.Case marshalled by encoding/json
// under its own json tags (short keys: a case is read and written whole on
// every command, and an open case should cost well under 2 KiB of Redis
// memory), with its times as Unix seconds. Records written before the case
// was marshalled directly had the same keys and the same values, so they
// read unchanged. The version comes first so the apply script can read it
// without decoding JSON.
//
// A new field of a case is one field in pathway.Case with its json tag. Only
// a new time needs a line here too, to be kept as Unix seconds.

// unixTime is a time kept as whole Unix seconds, in UTC when read back; the
// zero time is left out (omitzero).
type unixTime time.Time

func (u unixTime) IsZero() bool { return time.Time(u).IsZero() }

// MarshalJSON writes the seconds as a JSON number: strconv's digits are
// that number, without a trip through encoding/json for each of a case's
// dozen times.
func (u unixTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, unix(time.Time(u)), 10), nil
}

// UnmarshalJSON reads the seconds; anything but plain digits (null, say)
// is left to encoding/json, which decides as it always has.
func (u *unixTime) UnmarshalJSON(data []byte) error {
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		n = 0
		if err := json.Unmarshal(data, &n); err != nil {
			return err
		}
	}
	*u = unixTime(fromUnix(n))
	return nil
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

func unixMap(m map[string]time.Time) map[string]unixTime {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]unixTime, len(m))
	for k, v := range m {
		out[k] = unixTime(v)
	}
	return out
}

func timeMap(m map[string]unixTime) map[string]time.Time {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = time.Time(v)
	}
	return out
}

// caseRecord is a case as stored: every field of the case under its own
// key, except its times, which the fields here (the same keys, one level
// up) hold as Unix seconds instead.
type caseRecord struct {
	*pathway.Case
	Aware         unixTime            `json:"aw,omitzero"`
	Opened        unixTime            `json:"o,omitzero"`
	Closed        unixTime            `json:"cl,omitzero"`
	NextContact   unixTime            `json:"nc,omitzero"`
	Plan          *planRecord         `json:"p,omitempty"`
	FirstContact  unixTime            `json:"fc,omitzero"`
	LastContact   unixTime            `json:"lc,omitzero"`
	Notified      unixTime            `json:"nf,omitzero"`
	Written       unixTime            `json:"wr,omitzero"`
	NotifyDue     unixTime            `json:"nd,omitzero"`
	WrittenDue    unixTime            `json:"wd,omitzero"`
	Family        map[string]unixTime `json:"f,omitempty"`
	Parallel      map[string]unixTime `json:"pp,omitempty"`
	SnoozedUntil  unixTime            `json:"sn,omitzero"`
	LastNudge     unixTime            `json:"ln,omitzero"`
	NotifyNudged  unixTime            `json:"nn,omitzero"`
	WrittenNudged unixTime            `json:"wn,omitzero"`
}

type planRecord struct {
	*pathway.Plan
	Agreed unixTime `json:"a,omitzero"`
}

func encodeCase(c *pathway.Case) ([]byte, error) {
	return encodeCaseTo(new(bytes.Buffer), c)
}

// encodeCaseTo adds c's record to buf and returns it (a slice of buf).
func encodeCaseTo(buf *bytes.Buffer, c *pathway.Case) ([]byte, error) {
	r := caseRecord{Case: c,
		Aware: unixTime(c.Aware), Opened: unixTime(c.Opened), Closed: unixTime(c.Closed), NextContact: unixTime(c.NextContact),
		FirstContact: unixTime(c.FirstContact), LastContact: unixTime(c.LastContact), Notified: unixTime(c.Notified),
		Written: unixTime(c.Written), NotifyDue: unixTime(c.NotifyDue), WrittenDue: unixTime(c.WrittenDue),
		Family: unixMap(c.Family), Parallel: unixMap(c.Parallel), SnoozedUntil: unixTime(c.SnoozedUntil),
		LastNudge: unixTime(c.LastNudge), NotifyNudged: unixTime(c.NotifyNudged), WrittenNudged: unixTime(c.WrittenNudged)}
	if c.Plan != nil {
		r.Plan = &planRecord{Plan: c.Plan, Agreed: unixTime(c.Plan.Agreed)}
	}
	return encodeTo(buf, r)
}

// encodeTo adds v's JSON encoding, as json.Marshal makes it, to buf and
// returns it: a slice of buf, which stays as it is however buf grows after.
func encodeTo(buf *bytes.Buffer, v any) ([]byte, error) {
	start := buf.Len()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Truncate(start)
		return nil, err
	}
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline; Marshal does not
	return buf.Bytes()[start:], nil
}

// wireBufs are the buffers a save encodes its case and events into, taken
// back once Redis has them: a tick of a thousand reminders saves a thousand
// times, and would otherwise allocate each record twice (json.Marshal's
// buffer and its copy).
var wireBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// getWireBuf is an empty buffer from wireBufs.
func getWireBuf() *bytes.Buffer {
	b := wireBufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putWireBuf hands b back, unless a very large record made it too big to keep.
func putWireBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		wireBufs.Put(b)
	}
}

var errNoCadence = errors.New("store: case record has a plan without a cadence")

func decodeCase(data []byte) (*pathway.Case, error) {
	r := caseRecord{Case: new(pathway.Case)}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	c := r.Case
	c.Aware, c.Opened, c.Closed, c.NextContact = time.Time(r.Aware), time.Time(r.Opened), time.Time(r.Closed), time.Time(r.NextContact)
	c.FirstContact, c.LastContact, c.Notified = time.Time(r.FirstContact), time.Time(r.LastContact), time.Time(r.Notified)
	c.Written, c.NotifyDue, c.WrittenDue = time.Time(r.Written), time.Time(r.NotifyDue), time.Time(r.WrittenDue)
	c.Family, c.Parallel, c.SnoozedUntil = timeMap(r.Family), timeMap(r.Parallel), time.Time(r.SnoozedUntil)
	c.LastNudge, c.NotifyNudged, c.WrittenNudged = time.Time(r.LastNudge), time.Time(r.NotifyNudged), time.Time(r.WrittenNudged)
	c.Plan = nil
	if r.Plan != nil {
		if r.Plan.Plan == nil || (r.Plan.Every.IsZero() && !r.Plan.None) {
			return nil, errNoCadence
		}
		c.Plan = r.Plan.Plan
		c.Plan.Agreed = time.Time(r.Plan.Agreed)
	}
	return c, nil
}

// eventRecord is an event as stored: its id and case come from the stream
// entry; its times are Unix seconds, and its cadence is read leniently (a
// cadence that no longer parses is dropped, so the timeline stays readable).
type eventRecord struct {
	*pathway.Event
	At    unixTime `json:"t"`
	Due   unixTime `json:"d,omitzero"`
	Next  unixTime `json:"n,omitzero"`
	Every string   `json:"e,omitempty"`
}

func encodeEvent(e pathway.Event) ([]byte, error) {
	return encodeEventTo(new(bytes.Buffer), e)
}

// encodeEventTo adds e's record to buf and returns it (a slice of buf).
func encodeEventTo(buf *bytes.Buffer, e pathway.Event) ([]byte, error) {
	r := eventRecord{Event: &e, At: unixTime(e.At), Due: unixTime(e.Due), Next: unixTime(e.Next)}
	if !e.Every.IsZero() {
		r.Every = e.Every.String()
	}
	return encodeTo(buf, r)
}

func decodeEvent(id string, caseID int64, data []byte) (pathway.Event, error) {
	r := eventRecord{Event: new(pathway.Event)}
	if err := json.Unmarshal(data, &r); err != nil {
		return pathway.Event{}, err
	}
	e := *r.Event
	e.ID, e.Case = id, caseID
	e.At, e.Due, e.Next = time.Time(r.At), time.Time(r.Due), time.Time(r.Next)
	e.Every = pathway.Span{}
	if r.Every != "" {
		if sp, err := pathway.ParseSpan(r.Every); err == nil {
			e.Every = sp
		}
	}
	return e, nil
}
