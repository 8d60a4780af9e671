package store

import (
	"context"

	"hppbot/pathway"
)

// A record that cannot be read — a case key holding text that is not a case
// record, a timeline entry that is not an event, a job that is not a job —
// is set aside rather than failing the read it is part of: one bad record
// must not stop every reminder of the trust, or every list and report that
// could see it. The read skips it, says how many it skipped, and tells
// OnUnreadable's function its key (never its content), which counts it,
// logs it and tells the admins. A record from a newer version, with fields
// this one does not know, is readable: encoding/json ignores unknown keys.

// Unreadable names a record set aside: its key, never its content.
type Unreadable struct {
	Key   string // the Redis key
	Entry string // the stream entry's id, for a timeline entry; "" otherwise
	Case  int64  // the case the record belongs to, when known
	Kind  string // "case", "event" or "job"
}

// OnUnreadable sets the function told of each record a read sets aside. It
// is called on the reading goroutine: it should not wait long. Set it
// before the store is used.
func (s *Store) OnUnreadable(fn func(context.Context, Unreadable)) { s.onUnreadable = fn }

// setAside tells OnUnreadable's function of u.
func (s *Store) setAside(ctx context.Context, u Unreadable) {
	if s.onUnreadable != nil {
		s.onUnreadable(ctx, u)
	}
}

// unreadableCase is the error a read of one case returns when its record
// cannot be read (readCase has set it aside).
func unreadableCase(id int64) error {
	return pathway.Errorf(pathway.Unreadable, "I can't read %s's record just now, so I've set it aside. Nothing in it has been changed and your other cases carry on as usual. The hppbot admins have been told; if you need this case before it is mended, please ask them.", pathway.CaseName(id))
}

// readCase decodes the record read from case id's key. A record that does
// not decode, or that holds another case, is set aside: ok is false.
func (s *Store) readCase(ctx context.Context, id int64, data []byte) (c *pathway.Case, ok bool) {
	c, err := decodeCase(data)
	if err != nil || c.ID != id {
		s.setAside(ctx, Unreadable{Key: s.caseKey(id), Case: id, Kind: "case"})
		return nil, false
	}
	return c, true
}

// CaseKey is the Redis key holding case id's record: the key the log line
// and the admins' notice about an unreadable case name.
func (s *Store) CaseKey(id int64) string { return s.caseKey(id) }
