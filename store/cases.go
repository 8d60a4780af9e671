package store

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// CreateCase stores a new case and its first event, giving it the next id.
// Two round trips: the id, then one atomic write.
func (s *Store) CreateCase(ctx context.Context, c *pathway.Case, p *pathway.Policy, ev pathway.Event) (int64, error) {
	return s.CreateCaseWith(ctx, c, p, ev, nil)
}

// CreateCaseWith is CreateCase that also writes the check-ins plan gives
// for the case once it has its id, in the same second round trip.
func (s *Store) CreateCaseWith(ctx context.Context, c *pathway.Case, p *pathway.Policy, ev pathway.Event, plan func(c *pathway.Case) []*Checkins) (int64, error) {
	incr := redis.NewIntCmd(ctx, "incr", s.seqKey())
	if err := s.batch.do(ctx, incr); err != nil {
		return 0, unavailable(err)
	}
	id := incr.Val()
	c.ID = id
	ev.Case = id
	var plans []*Checkins
	if plan != nil {
		plans = plan(c)
	}
	if err := s.save(ctx, nil, c, p, []pathway.Event{ev}, nil, ackLease{}, plans); err != nil {
		if errors.Is(err, ErrConflict) {
			// The id was taken by data from an older deployment with the same prefix.
			return 0, pathway.Errorf(pathway.Internal, "case id %d is already in use", id)
		}
		return 0, err
	}
	return id, nil
}

// CaseVersion reads only the version of case id, from the head of its
// record (every record starts {"v":N, which the write scripts rely on too):
// what the scheduler checks just before a nudge goes, without reading the
// whole case. ok is false when the head can't be read as one; the caller
// then reads the case (GetCase), which says why.
func (s *Store) CaseVersion(ctx context.Context, id int64) (version int64, ok bool, err error) {
	head := redis.NewStringCmd(ctx, "getrange", s.caseKey(id), 0, 31)
	_ = s.batch.do(ctx, head)
	v, err := head.Result()
	if err != nil {
		return 0, false, unavailable(err)
	}
	if v == "" {
		return 0, false, notFound(id)
	}
	version, ok = recordVersion(v)
	return version, ok, nil
}

// recordVersion reads N from a record's head, {"v":N, …
func recordVersion(head string) (int64, bool) {
	rest, found := strings.CutPrefix(head, `{"v":`)
	if !found {
		return 0, false
	}
	end := strings.IndexAny(rest, ",}")
	if end <= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(rest[:end], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// GetCase reads one case.
func (s *Store) GetCase(ctx context.Context, id int64) (*pathway.Case, error) {
	get := redis.NewStringCmd(ctx, "get", s.caseKey(id))
	_ = s.batch.do(ctx, get)
	data, err := get.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, unavailable(err)
	}
	c, ok := s.readCase(ctx, id, data)
	if !ok {
		return nil, unreadableCase(id)
	}
	return c, nil
}

func notFound(id int64) error {
	return pathway.Errorf(pathway.NotFound, "I can't find %s. Check the number — /hpp list shows the cases you're on.", pathway.CaseName(id))
}

// GetCaseAndServices reads a case and the services table in one round trip:
// what a case command needs to check who may act on it.
func (s *Store) GetCaseAndServices(ctx context.Context, id int64) (*pathway.Case, Services, error) {
	cg := redis.NewStringCmd(ctx, "get", s.caseKey(id))
	sg := redis.NewMapStringStringCmd(ctx, "hgetall", s.servicesKey())
	err := s.batch.do(ctx, cg, sg)
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, unavailable(err)
	}
	svcs, err := s.services.decode(sg.Val())
	if err != nil {
		return nil, nil, err
	}
	data, err := cg.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, svcs, notFound(id)
	}
	if err != nil {
		return nil, nil, unavailable(err)
	}
	c, ok := s.readCase(ctx, id, data)
	if !ok {
		return nil, svcs, unreadableCase(id)
	}
	return c, svcs, nil
}

// SaveCase writes c, which was read as old and then changed by a command,
// with the events the change made. It returns ErrConflict if the case
// changed since it was read: read it again and redo the command.
func (s *Store) SaveCase(ctx context.Context, old, c *pathway.Case, p *pathway.Policy, events ...pathway.Event) error {
	return s.save(ctx, old, c, p, events, nil, ackLease{}, nil)
}

// SaveCaseWith is SaveCase that also writes check-ins, in the same round
// trip. They are written even when the case changed concurrently
// (ErrConflict), and writing them again is harmless: a job keeps its id.
func (s *Store) SaveCaseWith(ctx context.Context, old, c *pathway.Case, p *pathway.Policy, events []pathway.Event, plans []*Checkins) error {
	return s.save(ctx, old, c, p, events, nil, ackLease{}, plans)
}

// sentTTL is how long an idempotency mark is kept, in seconds.
const sentTTL = int(30 * 24 * time.Hour / time.Second)

// applyOp is one index change the apply script makes: op, the key's index
// among the script's keys, and two arguments.
type applyOp struct {
	name string
	key  int
	a, b any
}

// ackLease is a scheduler's claim being acknowledged by a save.
type ackLease struct {
	token     string
	notBefore time.Time
}

// save runs the apply script. marks are idempotency keys, written only when
// the write is refused (a conflict): a write that goes through records the
// sends in the case itself. lease, when set, acknowledges a scheduler's claim on the case;
// plans are check-ins sent in the same round trip, after it.
func (s *Store) save(ctx context.Context, old, c *pathway.Case, p *pathway.Policy, events []pathway.Event, marks []string, lease ackLease, plans []*Checkins) error {
	expected := "0"
	if old != nil {
		expected = strconv.FormatInt(old.Version, 10)
		c.Version = old.Version + 1
	} else {
		c.Version = 1
	}
	// The case and its events are encoded into one buffer, handed back
	// once the script has run (or been given up on).
	buf := getWireBuf()
	defer putWireBuf(buf)
	blob, err := encodeCaseTo(buf, c)
	if err != nil {
		return pathway.Errorf(pathway.Internal, "encoding case: %v", err)
	}
	pt := partition(c.ID)
	id := strconv.FormatInt(c.ID, 10)
	keys := make([]string, 7, 12)
	keys[0], keys[1], keys[2], keys[3] = s.caseKey(c.ID), s.streamKey(pt), s.timelineKey(pt), s.dueKey(pt)
	keys[4], keys[5], keys[6] = s.leaseKey(pt), s.openKey(pt), s.allKey(pt)
	keyIndex := func(k string) int {
		for i, have := range keys {
			if have == k {
				return i + 1
			}
		}
		keys = append(keys, k)
		return len(keys)
	}
	cmdKeyIndex := keyIndex(s.cmdKey(pt, newCommandID()))
	markKeys := make([]int, len(marks))
	for i, m := range marks {
		markKeys[i] = keyIndex(s.sentKey(pt, id, m))
	}
	// The index changes, worked out before the script's arguments are
	// written, so the keys they name are all known by then.
	var opsBuf [8]applyOp
	ops := opsBuf[:0]
	op := func(name, key string, a, b any) { ops = append(ops, applyOp{name, keyIndex(key), a, b}) }
	idArg := any(id) // boxed once: most ops name the case

	wake := ""
	if t := c.NextWake(p); !t.IsZero() {
		if t.Before(lease.notBefore) {
			t = lease.notBefore
		}
		wake = strconv.FormatInt(t.Unix(), 10)
	}
	if lease.token != "" {
		op("ack", keys[3], wake, lease.token)
	} else {
		op("due", keys[3], wake, "")
	}
	if c.IsOpen() {
		op("zadd", keys[5], strconv.FormatInt(deadlineScore(c), 10), idArg)
	} else {
		op("zrem", keys[5], idArg, "")
	}
	if old == nil {
		op("zadd", keys[6], strconv.FormatInt(unix(c.Opened), 10), idArg)
	}
	var before, after []string
	if old != nil && old.IsOpen() {
		before = old.People()
	}
	if c.IsOpen() {
		after = c.People()
	}
	for _, person := range before {
		if !slices.Contains(after, person) {
			op("srem", s.personKey(pt, person), idArg, "")
		}
	}
	for _, person := range after {
		if !slices.Contains(before, person) {
			op("sadd", s.personKey(pt, person), idArg, "")
		}
	}
	oldSvc, newSvc := "", ""
	if old != nil && old.IsOpen() {
		oldSvc = old.Service
	}
	if c.IsOpen() {
		newSvc = c.Service
	}
	if oldSvc != newSvc {
		if oldSvc != "" {
			op("srem", s.serviceCasesKey(pt, oldSvc), idArg, "")
		}
		if newSvc != "" {
			op("sadd", s.serviceCasesKey(pt, newSvc), idArg, "")
		}
	}
	s.refOps(old, c, op, idArg)

	// expected, blob, id, the events and their count, the marks and
	// theirs, the ops and theirs, the command key's index and ttl.
	args := make([]any, 0, 8+len(events)+2*len(marks)+4*len(ops))
	args = append(args, expected, blob, idArg, len(events))
	for _, e := range events {
		e.Case = c.ID
		data, err := encodeEventTo(buf, e)
		if err != nil {
			return pathway.Errorf(pathway.Internal, "encoding event: %v", err)
		}
		args = append(args, data)
	}
	args = append(args, len(marks))
	for _, k := range markKeys {
		args = append(args, k, sentTTL)
	}
	args = append(args, len(ops))
	for _, o := range ops {
		args = append(args, o.name, o.key, o.a, o.b)
	}
	args = append(args, cmdKeyIndex, int(cmdTTL/time.Second))
	apply := scriptCmd(ctx, applyScript, keys, args...)
	cmds := []redis.Cmder{apply}
	var planCmds []redis.Cmder
	if len(plans) > 0 {
		if planCmds, err = s.checkinCmds(ctx, plans); err != nil {
			c.Version = versionOr(old)
			return err
		}
		cmds = append(cmds, planCmds...)
	}
	_ = s.batch.do(ctx, cmds...)
	if isNoScript(apply.Err()) {
		apply = applyScript.Eval(ctx, s.rdb, keys, args...)
	}
	if len(plans) > 0 {
		readCheckins(plans, s.retryCheckins(ctx, plans, planCmds))
	}
	res, err := apply.Int()
	if err != nil && replyLost(err) {
		res, err = s.resolveInt(ctx, keys[cmdKeyIndex-1], c.ID, err)
	}
	if err != nil {
		c.Version = versionOr(old)
		return unavailable(err)
	}
	if res == outcomeAbandoned {
		// Found out: it did not land, and now never will.
		c.Version = versionOr(old)
		return pathway.ErrUnavailable(Redact(context.DeadlineExceeded))
	}
	if res != 1 {
		c.Version = versionOr(old)
		return ErrConflict
	}
	return nil
}

func versionOr(old *pathway.Case) int64 {
	if old == nil {
		return 0
	}
	return old.Version
}

// Timeline returns a case's events, oldest first.
func (s *Store) Timeline(ctx context.Context, id int64) ([]pathway.Event, error) {
	events, _, err := s.TimelineCounted(ctx, id)
	return events, err
}

// TimelineCounted is Timeline that also says how many entries could not be
// read and were left out (see unreadable.go).
func (s *Store) TimelineCounted(ctx context.Context, id int64) (events []pathway.Event, unreadable int, err error) {
	pt := partition(id)
	res, err := timelineScript.Run(ctx, s.rdb, []string{s.timelineKey(pt), s.streamKey(pt)}, id).Slice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, unavailable(err)
	}
	events, unreadable = s.decodeEntries(ctx, id, res)
	return events, unreadable, nil
}

// RecentTimeline returns the last n entries recorded on a case (fewer if
// it has fewer), sorted as Timeline sorts them: for checks that look only
// at what was just done, at a cost that doesn't grow with the case.
//
// Its entries' numbers (No) count from the oldest entry read, not from the
// case's first: they are for checks, never to be shown or struck by.
func (s *Store) RecentTimeline(ctx context.Context, id int64, n int) ([]pathway.Event, error) {
	pt := partition(id)
	res, err := timelineScript.Run(ctx, s.rdb, []string{s.timelineKey(pt), s.streamKey(pt)}, id, n).Slice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	events, _ := s.decodeEntries(ctx, id, res)
	return events, nil
}

// decodeEntries reads a case's timeline entries. An entry that is not an
// event is set aside and counted in unreadable: the rest is still read.
func (s *Store) decodeEntries(ctx context.Context, id int64, res []any) (out []pathway.Event, unreadable int) {
	out = make([]pathway.Event, 0, len(res))
	no := 0
	for _, r := range res {
		entry, ok := r.([]any)
		if !ok || len(entry) != 2 {
			continue
		}
		eid, _ := entry[0].(string)
		fields, _ := entry[1].([]any)
		for i := 0; i+1 < len(fields); i += 2 {
			if f, _ := fields[i].(string); f == "e" {
				// Every entry has its number, read or not, so the numbers
				// people see (and strike names) never shift.
				no++
				data, _ := fields[i+1].(string)
				e, err := decodeEvent(eid, id, []byte(data))
				e.No = no
				if err != nil {
					s.setAside(ctx, Unreadable{Key: s.streamKey(partition(id)), Entry: eid, Case: id, Kind: "event"})
					unreadable++
					continue
				}
				out = append(out, e)
			}
		}
	}
	// Numbered, and struck entries found, in the order they were recorded;
	// then oldest first by when each thing happened: an entry recorded
	// afterwards (on=) sits where it happened (keeping its number); entries
	// at the same moment keep the order they were recorded in.
	pathway.ReadTimeline(out)
	slices.SortStableFunc(out, func(a, b pathway.Event) int { return a.At.Compare(b.At) })
	return out, unreadable
}

// CaseFilter chooses open cases for a list.
type CaseFilter struct {
	All       bool     // every open case (for admins)
	People    []string // cases these people are on
	Services  []string // cases in these services
	DueBefore time.Time
	Limit     int // per partition; 0 means 200
}

// ListOpen returns open cases chosen by f, earliest deadline first. One
// round trip: a script per partition, pipelined (see evalPartitions).
func (s *Store) ListOpen(ctx context.Context, f CaseFilter) ([]*pathway.Case, error) {
	cases, _, err := s.ListOpenCounted(ctx, f)
	return cases, err
}

// ListOpenCounted is ListOpen that also says how many of the cases chosen
// could not be read and were set aside (see unreadable.go).
func (s *Store) ListOpenCounted(ctx context.Context, f CaseFilter) (cases []*pathway.Case, unreadable int, err error) {
	limit := f.Limit
	if limit <= 0 {
		limit = ListLimit
	}
	mode, max := f.scriptArgs()
	var out []*pathway.Case
	err = s.evalPartitions(ctx, collectScript, func(pt int) ([]string, []any) {
		keys := []string{s.openKey(pt)}
		if !f.All {
			for _, person := range f.People {
				keys = append(keys, s.personKey(pt, person))
			}
			for _, svc := range f.Services {
				keys = append(keys, s.serviceCasesKey(pt, svc))
			}
		}
		return keys, []any{mode, max, s.part(pt) + "case:", limit}
	}, func(pt int, cmd *redis.Cmd) error {
		vals, err := cmd.Slice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for i := 0; i+1 < len(vals); i += 2 {
			idText, _ := vals[i].(string)
			data, _ := vals[i+1].(string)
			id, _ := strconv.ParseInt(idText, 10, 64)
			c, ok := s.readCase(ctx, id, []byte(data))
			if !ok {
				unreadable++
				continue
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := deadlineScore(out[i]), deadlineScore(out[j])
		if di != dj {
			return di < dj
		}
		return out[i].ID < out[j].ID
	})
	return out, unreadable, nil
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// scriptArgs are the collect and count scripts' mode ("all" or "sets") and
// the highest deadline score they take.
func (f CaseFilter) scriptArgs() (mode, max string) {
	mode, max = "sets", "+inf"
	if f.All {
		mode = "all"
	}
	if !f.DueBefore.IsZero() {
		max = strconv.FormatInt(f.DueBefore.Unix(), 10)
	}
	return mode, max
}

// ListLimit is how many cases ListOpen fetches from each partition when the
// filter sets no limit.
const ListLimit = 200

// CountOpenMatching returns how many open cases f chooses, whatever its
// limit: what a list says exists, beside how many it shows.
func (s *Store) CountOpenMatching(ctx context.Context, f CaseFilter) (int64, error) {
	mode, max := f.scriptArgs()
	var n int64
	err := s.evalPartitions(ctx, countScript, func(pt int) ([]string, []any) {
		keys := []string{s.openKey(pt)}
		if !f.All {
			for _, person := range f.People {
				keys = append(keys, s.personKey(pt, person))
			}
			for _, svc := range f.Services {
				keys = append(keys, s.serviceCasesKey(pt, svc))
			}
		}
		return keys, []any{mode, max}
	}, func(pt int, cmd *redis.Cmd) error {
		v, err := cmd.Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		n += v
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// CountOpen returns how many cases are open.
func (s *Store) CountOpen(ctx context.Context) (int64, error) {
	return s.countAcross(ctx, s.openKey)
}

// countAcross adds up the sizes of one sorted set in every partition, in
// one round trip.
func (s *Store) countAcross(ctx context.Context, key func(pt int) string) (int64, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, Partitions)
	for pt := 0; pt < Partitions; pt++ {
		cmds[pt] = pipe.ZCard(ctx, key(pt))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, unavailable(err)
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}
