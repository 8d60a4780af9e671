package delivery

import (
	"bytes"
	"encoding/json"
	"sync"
	"time"

	"hppbot/bot"
)

// Record states.
const (
	stateQueued  = "queued"
	stateSent    = "sent"
	stateFailed  = "failed"
	stateCovered = "covered" // a key another message stands for (Message.Covers)
)

// record is a message as Redis holds it. Once it went (or will not go) only
// a small marker without the message is kept, so that the key is still
// known and nothing about a case lingers.
type record struct {
	Key      string     `json:"key"`
	To       string     `json:"to,omitempty"`
	Channel  bool       `json:"channel,omitempty"`
	Reply    *bot.Reply `json:"reply,omitempty"`
	Case     int64      `json:"case,omitempty"`
	Live     []int64    `json:"live,omitempty"`
	Reminds  []Reminded `json:"reminds,omitempty"`
	Queued   time.Time  `json:"queued"`
	NotAfter time.Time  `json:"not_after,omitzero"`
	State    string     `json:"state"`
	// InFlight is when a send started that has no known outcome: set before
	// the platform is called, cleared when it answered. Found set on a
	// claim, the replica sending it died.
	InFlight time.Time `json:"in_flight,omitzero"`
	// Doubt: a send began before and the platform could not say whether
	// it went (Teams); it goes again, and is never said not to have gone.
	Doubt    bool   `json:"doubt,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Refusal is the platform's refusal for good, kept with the marker so
	// that queueing the same key again answers with it.
	Refusal *bot.Undeliverable `json:"refusal,omitempty"`
}

func (r record) message() Message {
	m := Message{Key: r.Key, To: r.To, Channel: r.Channel, NotAfter: r.NotAfter, Case: r.Case, Live: r.Live, Reminds: r.Reminds}
	if r.Reply != nil {
		m.Reply = *r.Reply
	}
	return m
}

func (r record) platform() string { return r.message().Platform() }

// marker is what is kept of a record once it is finished.
func (r record) marker(state, reason string) record {
	return record{Key: r.Key, Queued: r.Queued, State: state, Reason: reason, Attempts: r.Attempts, Refusal: r.Refusal}
}

func encode(r record) (string, error) {
	b, err := json.Marshal(r)
	return string(b), err
}

// encodeBegun encodes r for beginScript, and returns it as held, marked in
// flight at now (one attempt more). The two records differ only in those
// two fields, so the script is given the rest once, an object left open
// (body), and each record's own ending (queued, marked): the record it
// writes is body plus one of them. A tick with a thousand nudges due sends
// each nudge's text once, not twice, and encodes it once (see
// docs/performance.md).
//
// The body is written into buf, and is a slice of it.
func encodeBegun(buf *bytes.Buffer, r record, now time.Time) (body []byte, queued, marked string, inFlight record, err error) {
	inFlight = r
	inFlight.InFlight, inFlight.Attempts = now, r.Attempts+1
	bare := r
	bare.InFlight, bare.Attempts = time.Time{}, 0
	if body, err = encodeOpen(buf, bare); err != nil {
		return nil, "", "", record{}, err
	}
	if queued, err = endOf(r); err != nil {
		return nil, "", "", record{}, err
	}
	if marked, err = endOf(inFlight); err != nil {
		return nil, "", "", record{}, err
	}
	return body, queued, marked, inFlight, nil
}

// encodeOpen encodes r without its closing brace, the reply last, into
// buf: the reply is most of a record.
func encodeOpen(buf *bytes.Buffer, r record) ([]byte, error) {
	reply := r.Reply
	r.Reply = nil
	buf.Reset()
	enc := json.NewEncoder(buf)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	// Encode ends with "}\n"; the record has at least its key, so the
	// object is never empty.
	buf.Truncate(buf.Len() - 2)
	if reply != nil {
		buf.WriteString(`,"reply":`)
		if err := enc.Encode(reply); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	return buf.Bytes(), nil
}

// bodies are the buffers begin encodes records into, taken back once Redis
// has them: a tick of a thousand nudges would otherwise allocate a couple
// of MB for them.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBody hands b back to bodies, unless a very long message made it too
// big to keep.
func putBody(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bodies.Put(b)
	}
}

// endOf is how r's encoding made by encodeOpen ends: its in-flight mark and
// attempts, when set, and the closing brace.
func endOf(r record) (string, error) {
	tail := struct {
		InFlight time.Time `json:"in_flight,omitzero"`
		Attempts int       `json:"attempts,omitempty"`
	}{r.InFlight, r.Attempts}
	b, err := json.Marshal(tail)
	if err != nil {
		return "", err
	}
	if len(b) == 2 { // {}
		return "}", nil
	}
	return "," + string(b[1:]), nil
}

// decode reads a record; a record that can't be read is an error, never a
// panic.
func decode(s string) (record, error) {
	var r record
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}
