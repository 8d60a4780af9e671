package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"hppbot/pathway"
)

// UTCCase is c as the store gives it back: every time at whole seconds in
// UTC, zero times still zero. It is exported for the store_test package.
func UTCCase(c *pathway.Case) *pathway.Case {
	d := c.Clone()
	utcTimes(reflect.ValueOf(d).Elem())
	return d
}

// UTCEvent is e as the store gives it back.
func UTCEvent(e pathway.Event) pathway.Event {
	utcTimes(reflect.ValueOf(&e).Elem())
	return e
}

var timeType = reflect.TypeOf(time.Time{})

func utcTimes(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(wireTime(v.Interface().(time.Time))))
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			utcTimes(v.Field(i))
		}
	case v.Kind() == reflect.Pointer && !v.IsNil():
		utcTimes(v.Elem())
	case v.Kind() == reflect.Map && v.Type().Elem() == timeType:
		for _, k := range v.MapKeys() {
			v.SetMapIndex(k, reflect.ValueOf(wireTime(v.MapIndex(k).Interface().(time.Time))))
		}
	}
}

func wireTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(t.Unix(), 0).UTC()
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// fullCase sets every field of a Case, so a field the wire format forgets
// shows up in the round trip.
func fullCase(t testing.TB) *pathway.Case {
	loc := london(t)
	d := func(day, hour, min int) time.Time { return time.Date(2026, 1, day, hour, min, 0, 0, loc) }
	return &pathway.Case{
		Version: 7, ID: 42, Ref: "INC-4242", Service: "maternity", Harm: pathway.HarmSevere,
		Summary:     "Delayed escalation of a deteriorating patient on the ward",
		CandourMode: pathway.CandourYes, DutyApplies: true, Aware: d(9, 0, 0),
		Lead: "slack:U0LEAD", Involved: []string{"slack:U0ASH", "slack:U0BO"}, OpenedBy: "slack:U0SAM",
		Opened: d(12, 10, 0), Closed: d(30, 16, 45),
		NextContact:  d(20, 11, 0),
		Plan:         &pathway.Plan{Every: pathway.Span{N: 1, Unit: pathway.Week}, Via: "phone", Note: "Tuesday afternoons suit them", Agreed: d(13, 11, 5), None: true},
		PreferAt:     "17:00",
		FirstContact: d(13, 11, 0), LastContact: d(19, 15, 30), Contacts: 3,
		Notified: d(13, 11, 10), Written: d(16, 9, 0), NotifyDue: d(23, 18, 0), WrittenDue: d(23, 18, 0),
		Updates: 2, NotNeeded: "Reassessed as low harm after review",
		Family:       map[string]time.Time{"support": d(14, 9, 10), "questions": d(15, 10, 0)},
		Parallel:     map[string]time.Time{"complaint": d(14, 9, 20)},
		SnoozedUntil: d(21, 9, 30),
		Round:        4, CandourRound: 2, ContactNudges: 1, LastNudge: d(20, 11, 0), Escalated: true, EscalatedTo: []string{"slack:U0PAT"}, EscalatedChannel: "slack:C0MAT",
		NotifyStage: 3, WrittenStage: 2, NotifyNudged: d(22, 8, 0), WrittenNudged: d(21, 8, 0),
		CandourEscalated: true, DelayAsked: true,
		Psych: pathway.HarmModerate, Prolonged: pathway.ProlongedYes,
	}
}

func fullEvent(t testing.TB) pathway.Event {
	loc := london(t)
	return pathway.Event{
		ID: "1768212000000-0", Case: 42, At: time.Date(2026, 1, 12, 10, 0, 0, 0, loc), Actor: "slack:U0SAM",
		Kind: pathway.EventContact, Step: "notify", Stage: "overdue", Via: "phone",
		Due: time.Date(2026, 1, 13, 10, 0, 0, 0, loc), Next: time.Date(2026, 1, 20, 10, 0, 0, 0, loc),
		Every: pathway.Span{N: 2, Unit: pathway.WorkingDay}, People: []string{"slack:U0SAM", "slack:U0KIT"},
		Note: "Talked through what happens next", DateOnly: true, From: "low", To: "moderate", Target: "1768211000000-0", Channel: "slack:C0MAT", Why: "their Slack account has been deactivated",
		Prefer: "17:00",
	}
}

// workedOutOnReading are the fields of an event that pathway.ReadTimeline
// works out from the whole timeline; they are never stored.
var workedOutOnReading = []string{"No", "StruckBy", "Strikes"}

// allSet fails for each field of v left at its zero value.
func allSet(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	for i := 0; i < rv.NumField(); i++ {
		if rv.Type() == reflect.TypeOf(pathway.Event{}) && slices.Contains(workedOutOnReading, rv.Type().Field(i).Name) {
			continue
		}
		if rv.Field(i).IsZero() {
			t.Errorf("the fixture leaves %s.%s zero: set it, so the round trip covers it", rv.Type().Name(), rv.Type().Field(i).Name)
		}
	}
}

func TestWireCaseRoundTrip(t *testing.T) {
	c := fullCase(t)
	allSet(t, c)
	allSet(t, c.Plan)
	data, err := encodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	// The apply script reads the version without decoding JSON.
	if !bytes.HasPrefix(data, []byte(`{"v":7,`)) {
		t.Errorf("encoding does not start with the version: %s", data)
	}
	got, err := decodeCase(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := UTCCase(c); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestWireCaseZeroStaysZero(t *testing.T) {
	c := &pathway.Case{Version: 1, ID: 3, Ref: "INC-3", Lead: "console:sam", Opened: time.Date(2026, 1, 12, 10, 0, 0, 0, london(t))}
	data, err := encodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeCase(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, UTCCase(c)) {
		t.Errorf("round trip of a bare case:\n got %+v\nwant %+v", got, UTCCase(c))
	}
	for _, tm := range []time.Time{got.Aware, got.Closed, got.NextContact, got.FirstContact, got.LastContact, got.Notified, got.Written,
		got.NotifyDue, got.WrittenDue, got.SnoozedUntil, got.LastNudge, got.NotifyNudged, got.WrittenNudged} {
		if !tm.IsZero() {
			t.Errorf("a zero time came back as %v", tm)
		}
	}
	if got.Plan != nil || got.Family != nil || got.Parallel != nil || got.Involved != nil || !got.IsOpen() {
		t.Errorf("bare case came back with %+v", got)
	}
	// Zero fields are left out, so an open case stays small.
	for _, key := range []string{`"cl"`, `"p"`, `"f"`, `"sn"`, `"nf"`} {
		if bytes.Contains(data, []byte(key)) {
			t.Errorf("encoding carries the zero field %s: %s", key, data)
		}
	}
}

func TestWireCaseSize(t *testing.T) {
	c := fullCase(t)
	c.Closed = time.Time{}
	data, err := encodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 1024 {
		t.Errorf("a typical open case encodes to %d bytes, want well under 2 KiB", len(data))
	}
}

func TestWireEventRoundTrip(t *testing.T) {
	e := fullEvent(t)
	allSet(t, e)
	data, err := encodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	// The id and case come from the stream entry, not the payload.
	if bytes.Contains(data, []byte(e.ID)) {
		t.Errorf("the event payload carries its stream id: %s", data)
	}
	got, err := decodeEvent(e.ID, e.Case, data)
	if err != nil {
		t.Fatal(err)
	}
	if want := UTCEvent(e); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}

	bare := pathway.Event{At: e.At, Actor: pathway.Bot, Kind: pathway.EventClosed}
	data, _ = encodeEvent(bare)
	got, err = decodeEvent("1-0", 5, data)
	if err != nil {
		t.Fatal(err)
	}
	want := UTCEvent(bare)
	want.ID, want.Case = "1-0", 5
	if !reflect.DeepEqual(got, want) || !got.Due.IsZero() || !got.Next.IsZero() || !got.Every.IsZero() {
		t.Errorf("bare event:\n got %+v\nwant %+v", got, want)
	}
}

func TestWireDecodeErrors(t *testing.T) {
	for _, bad := range []string{"", "not json", `{"v":"one"}`, `[]`, `{"v":1,"p":{"e":"fortnightly"}}`, `{"v":1,"f":{"support":"monday"}}`} {
		if c, err := decodeCase([]byte(bad)); err == nil {
			t.Errorf("decodeCase(%q) = %+v, want an error", bad, c)
		}
	}
	for _, bad := range []string{"", "{", `{"t":"noon"}`, `{"p":"one"}`} {
		if e, err := decodeEvent("1-0", 1, []byte(bad)); err == nil {
			t.Errorf("decodeEvent(%q) = %+v, want an error", bad, e)
		}
	}
	// An event's cadence that no longer parses is dropped, not fatal: the
	// timeline stays readable.
	e, err := decodeEvent("1-0", 1, []byte(`{"t":1768212000,"a":"console:sam","k":"plan","e":"fortnightly"}`))
	if err != nil || !e.Every.IsZero() || e.Kind != pathway.EventPlan {
		t.Errorf("event with a bad cadence: %+v, %v", e, err)
	}
}

// Records as hppbot wrote them before cases were marshalled directly
// (store/wire.go's hand-written writers, at fc64879), for oldRecordCase and
// oldRecordEvent.
const (
	oldCaseRecord  = `{"v":7,"id":42,"r":"INC-4242","s":"maternity","h":"severe","m":"Delayed escalation of a deteriorating patient on the ward","cm":"yes","da":true,"aw":1767916800,"l":"slack:U0LEAD","i":["slack:U0ASH","slack:U0BO"],"b":"slack:U0SAM","o":1768212000,"cl":1769791500,"nc":1768906800,"p":{"e":"1w","v":"phone","n":"Tuesday afternoons suit them","a":1768302300},"fc":1768302000,"lc":1768836600,"ct":3,"nf":1768302600,"wr":1768554000,"nd":1769191200,"wd":1769191200,"up":2,"na":"Reassessed as low harm after review","f":{"questions":1768471200,"support":1768381800},"pp":{"complaint":1768382400},"sn":1768987800,"rd":4,"cr":2,"cn":1,"ln":1768906800,"es":true,"ns":3,"ws":2,"nn":1769068800,"wn":1768982400,"ce":true,"dl":true}`
	oldEventRecord = `{"t":1768212000,"a":"slack:U0SAM","k":"contact","st":"notify","sg":"overdue","v":"phone","d":1768298400,"n":1768903200,"e":"2wd","p":["slack:U0SAM","slack:U0KIT"],"no":"Talked through what happens next"}`
)

// oldRecordCase and oldRecordEvent are what oldCaseRecord and oldEventRecord
// hold: fullCase and fullEvent as they were when those records were written.
// They stay as they are when a field is added (fullCase is the one to grow).
func oldRecordCase(t testing.TB) *pathway.Case {
	loc := london(t)
	d := func(day, hour, min int) time.Time { return time.Date(2026, 1, day, hour, min, 0, 0, loc) }
	return &pathway.Case{
		Version: 7, ID: 42, Ref: "INC-4242", Service: "maternity", Harm: pathway.HarmSevere,
		Summary:     "Delayed escalation of a deteriorating patient on the ward",
		CandourMode: pathway.CandourYes, DutyApplies: true, Aware: d(9, 0, 0),
		Lead: "slack:U0LEAD", Involved: []string{"slack:U0ASH", "slack:U0BO"}, OpenedBy: "slack:U0SAM",
		Opened: d(12, 10, 0), Closed: d(30, 16, 45),
		NextContact:  d(20, 11, 0),
		Plan:         &pathway.Plan{Every: pathway.Span{N: 1, Unit: pathway.Week}, Via: "phone", Note: "Tuesday afternoons suit them", Agreed: d(13, 11, 5)},
		FirstContact: d(13, 11, 0), LastContact: d(19, 15, 30), Contacts: 3,
		Notified: d(13, 11, 10), Written: d(16, 9, 0), NotifyDue: d(23, 18, 0), WrittenDue: d(23, 18, 0),
		Updates: 2, NotNeeded: "Reassessed as low harm after review",
		Family:       map[string]time.Time{"support": d(14, 9, 10), "questions": d(15, 10, 0)},
		Parallel:     map[string]time.Time{"complaint": d(14, 9, 20)},
		SnoozedUntil: d(21, 9, 30),
		Round:        4, CandourRound: 2, ContactNudges: 1, LastNudge: d(20, 11, 0), Escalated: true,
		NotifyStage: 3, WrittenStage: 2, NotifyNudged: d(22, 8, 0), WrittenNudged: d(21, 8, 0),
		CandourEscalated: true, DelayAsked: true,
	}
}

func oldRecordEvent(t testing.TB) pathway.Event {
	loc := london(t)
	return pathway.Event{
		ID: "1768212000000-0", Case: 42, At: time.Date(2026, 1, 12, 10, 0, 0, 0, loc), Actor: "slack:U0SAM",
		Kind: pathway.EventContact, Step: "notify", Stage: "overdue", Via: "phone",
		Due: time.Date(2026, 1, 13, 10, 0, 0, 0, loc), Next: time.Date(2026, 1, 20, 10, 0, 0, 0, loc),
		Every: pathway.Span{N: 2, Unit: pathway.WorkingDay}, People: []string{"slack:U0SAM", "slack:U0KIT"},
		Note: "Talked through what happens next",
	}
}

// TestWireReadsOldRecords: a case and an event already in Redis, written by
// the old encoders, read as they did; and what is written now has the same
// keys and values (so an older hppbot still reads it).
func TestWireReadsOldRecords(t *testing.T) {
	c, err := decodeCase([]byte(oldCaseRecord))
	if err != nil {
		t.Fatal(err)
	}
	if want := UTCCase(oldRecordCase(t)); !reflect.DeepEqual(c, want) {
		t.Errorf("old case record:\n got %+v\nwant %+v", c, want)
	}
	e, err := decodeEvent("1768212000000-0", 42, []byte(oldEventRecord))
	if err != nil {
		t.Fatal(err)
	}
	if want := UTCEvent(oldRecordEvent(t)); !reflect.DeepEqual(e, want) {
		t.Errorf("old event record:\n got %+v\nwant %+v", e, want)
	}
	for _, tt := range []struct {
		old string
		enc func() ([]byte, error)
	}{
		{oldCaseRecord, func() ([]byte, error) { return encodeCase(oldRecordCase(t)) }},
		{oldEventRecord, func() ([]byte, error) { return encodeEvent(oldRecordEvent(t)) }},
	} {
		data, err := tt.enc()
		if err != nil {
			t.Fatal(err)
		}
		var got, want map[string]any
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tt.old), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the record written now differs from the old one:\n got %s\nwant %s", data, tt.old)
		}
	}
}

func FuzzDecodeCase(f *testing.F) {
	full, err := encodeCase(fullCase(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"v":1,"id":1,"r":"INC-1","l":"console:sam","o":1768212000}`))
	f.Add([]byte(`{"v":1,"p":{"e":"2wd"},"f":{"support":-1},"i":[]}`))
	f.Add([]byte(`{"v":9223372036854775807,"aw":-9223372036854775808,"o":9223372036854775807}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"p":null,"f":{}}`))
	f.Add([]byte(oldCaseRecord))
	f.Add([]byte(`{"v":1,"r":"<&>\u2028\ufffd","m":"a\u0000\b\f\n\r\t\"\\","f":{"z":1,"a":2,"<":3}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeCase(data)
		if err != nil {
			return
		}
		// Whatever decodes encodes, and encoding what it decodes to is stable.
		once, err := encodeCase(c)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", data, err)
		}
		if !bytes.HasPrefix(once, []byte(`{"v":`)) {
			t.Fatalf("encoding does not start with the version: %s", once)
		}
		again, err := decodeCase(once)
		if err != nil {
			t.Fatalf("cannot decode its own encoding %s: %v", once, err)
		}
		twice, err := encodeCase(again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not stable:\n%s\n%s (%v)", once, twice, err)
		}
	})
}

func FuzzDecodeEvent(f *testing.F) {
	full, err := encodeEvent(fullEvent(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"t":1768212000,"a":"hppbot","k":"reminder","p":["console:sam"]}`))
	f.Add([]byte(`{"e":"99999wd","d":-1}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(oldEventRecord))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEvent("1-0", 1, data)
		if err != nil {
			return
		}
		if e.ID != "1-0" || e.Case != 1 {
			t.Fatalf("decodeEvent lost its id or case: %+v", e)
		}
		once, err := encodeEvent(e)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", data, err)
		}
		again, err := decodeEvent("1-0", 1, once)
		if err != nil {
			t.Fatalf("cannot decode its own encoding %s: %v", once, err)
		}
		twice, _ := encodeEvent(again)
		if !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not stable:\n%s\n%s", once, twice)
		}
	})
}

func BenchmarkEncodeCase(b *testing.B) {
	c := fullCase(b)
	c.Closed = time.Time{}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		data, err := encodeCase(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "bytes/case")
}

func BenchmarkDecodeCase(b *testing.B) {
	c := fullCase(b)
	c.Closed = time.Time{}
	data, err := encodeCase(c)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeCase(data); err != nil {
			b.Fatal(err)
		}
	}
}

// The decoders are also what the timeline reads: make sure a long note
// survives whole.
func TestWireLongText(t *testing.T) {
	e := fullEvent(t)
	e.Note = strings.Repeat("ë", pathway.MaxNoteLen)
	data, _ := encodeEvent(e)
	got, err := decodeEvent(e.ID, e.Case, data)
	if err != nil || got.Note != e.Note {
		t.Errorf("a %d-character note did not survive: %v", pathway.MaxNoteLen, err)
	}
}

// A time in a record reads as encoding/json read it before strconv's fast
// path: the same seconds for an integer, zero for null, an error for
// anything else (what is not JSON never reaches UnmarshalJSON).
func TestUnixTimeReadsAsEncodingJSONDid(t *testing.T) {
	for _, in := range []string{`1768212000`, `0`, `-0`, `-86400`, `null`, `1.5`, `1e3`, `"1768212000"`, `99999999999999999999`, `+5`, `01`, `true`} {
		t.Run(in, func(t *testing.T) {
			record := []byte(`{"t":` + in + `}`)
			var want struct {
				T int64 `json:"t"`
			}
			wantErr := json.Unmarshal(record, &want)
			var got struct {
				T unixTime `json:"t"`
			}
			gotErr := json.Unmarshal(record, &got)
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("error %v, want %v", gotErr, wantErr)
			}
			if gotErr == nil && time.Time(got.T) != fromUnix(want.T) {
				t.Errorf("read %v, want %v", time.Time(got.T), fromUnix(want.T))
			}
		})
	}
	for _, sec := range []int64{1768212000, -86400} {
		b, err := unixTime(fromUnix(sec)).MarshalJSON()
		if want, _ := json.Marshal(sec); err != nil || string(b) != string(want) {
			t.Errorf("MarshalJSON(%d) = %s, %v; want %s", sec, b, err, want)
		}
	}
}
