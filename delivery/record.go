package delivery

import (
	"encoding/json"
	"time"

	"hppbot/bot"
)

// Record states.
const (
	stateQueued = "queued"
	stateSent   = "sent"
	stateFailed = "failed"
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
	Attempts int       `json:"attempts,omitempty"`
	Reason   string    `json:"reason,omitempty"`
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

// encodeBegun encodes r as queued and as marked in flight at now (one
// attempt more), for beginScript, and returns the marked record too. The
// reply, most of a record, is encoded once and added to both, and so is the
// rest of a new record: a tick with a thousand nudges due encodes each once,
// not twice (see docs/performance.md).
func encodeBegun(r record, now time.Time) (queued, marked string, inFlight record, err error) {
	inFlight = r
	inFlight.InFlight, inFlight.Attempts = now, r.Attempts+1
	reply, err := json.Marshal(r.Reply)
	if err != nil {
		return "", "", record{}, err
	}
	bare := r
	bare.Reply = nil
	q, err := json.Marshal(bare)
	if err != nil {
		return "", "", record{}, err
	}
	// The mark adds two fields to the queued record, which a new record
	// (all begin is given) has empty, so they are added to its encoding
	// rather than the whole record encoded again.
	var m []byte
	if r.InFlight.IsZero() && r.Attempts == 0 {
		at, err := json.Marshal(now)
		if err != nil {
			return "", "", record{}, err
		}
		m = append(append(append(q[:len(q)-1:len(q)-1], `,"in_flight":`...), at...), `,"attempts":1}`...)
	} else {
		bare = inFlight
		bare.Reply = nil
		if m, err = json.Marshal(bare); err != nil {
			return "", "", record{}, err
		}
	}
	return withReply(q, reply), withReply(m, reply), inFlight, nil
}

// withReply adds "reply" to an encoded record, which is an object with at
// least its key (so never empty).
func withReply(obj, reply []byte) string {
	out := make([]byte, 0, len(obj)+len(reply)+10)
	out = append(out, obj[:len(obj)-1]...)
	out = append(out, `,"reply":`...)
	out = append(out, reply...)
	return string(append(out, '}'))
}

// decode reads a record; a record that can't be read is an error, never a
// panic.
func decode(s string) (record, error) {
	var r record
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}
