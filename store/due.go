package store

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// The due index: one sorted set per partition, scored by the Unix time a
// member next needs attention. A member is a case id (the case's next
// reminder, from pathway.Case.NextWake) or "j:<id>" for a one-off job.
// Finding what is due costs O(log n + due) per partition.

// Claim is a due member leased to one scheduler until the lease expires.
type Claim struct {
	Partition int
	Member    string
	Token     string
}

// CaseID returns the case a claim is for; ok is false for a job.
func (c Claim) CaseID() (int64, bool) {
	if strings.HasPrefix(c.Member, "j:") {
		return 0, false
	}
	id, err := strconv.ParseInt(c.Member, 10, 64)
	return id, err == nil
}

// JobID returns the job a claim is for.
func (c Claim) JobID() string { return strings.TrimPrefix(c.Member, "j:") }

// checkPartition refuses a partition outside the table: ClaimDue makes
// claims with the right one, but a Claim's fields are open to any caller.
func checkPartition(pt int) error {
	if pt < 0 || pt >= Partitions {
		return pathway.Errorf(pathway.Internal, "store: no partition %d", pt)
	}
	return nil
}

// ClaimDue leases up to limit due members in each partition whose time is at
// or before now, until now+lease. One round trip (two the first time a
// Redis server sees the script).
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int, token string) ([]Claim, error) {
	expiry := strconv.FormatInt(now.Add(lease).Unix(), 10)
	at := strconv.FormatInt(now.Unix(), 10)
	var out []Claim
	err := s.evalPartitions(ctx, claimScript, func(pt int) ([]string, []any) {
		return []string{s.dueKey(pt), s.leaseKey(pt)}, []any{at, expiry, limit, token}
	}, func(pt int, cmd *redis.Cmd) error {
		members, err := cmd.StringSlice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for _, m := range members {
			out = append(out, Claim{Partition: pt, Member: m, Token: token})
		}
		return nil
	})
	return out, err
}

// evalPartitions runs a script once per partition in one pipeline and
// hands each partition's reply to read, in partition order. A partition
// whose server has not seen the script yet (NOSCRIPT: a fresh server, or a
// Cluster node just promoted) is run again after loading it — only that
// partition, so a script that changes data never runs twice on one.
func (s *Store) evalPartitions(ctx context.Context, script *redis.Script, args func(pt int) ([]string, []any), read func(pt int, cmd *redis.Cmd) error) error {
	parts := make([]int, Partitions)
	for pt := range parts {
		parts[pt] = pt
	}
	for attempt := 0; len(parts) > 0; attempt++ {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.Cmd, len(parts))
		for i, pt := range parts {
			keys, argv := args(pt)
			cmds[i] = script.EvalSha(ctx, pipe, keys, argv...)
		}
		_, _ = pipe.Exec(ctx) // each command's own error is read below
		var again []int
		var failed error
		for i, pt := range parts {
			err := cmds[i].Err()
			switch {
			case err == nil || errors.Is(err, redis.Nil):
				if err := read(pt, cmds[i]); err != nil && failed == nil {
					failed = err
				}
			case isNoScript(err) && attempt == 0:
				again = append(again, pt)
			case failed == nil:
				failed = err
			}
		}
		if failed != nil {
			return unavailable(failed)
		}
		if len(again) > 0 {
			if err := script.Load(ctx, s.rdb).Err(); err != nil {
				return unavailable(err)
			}
		}
		parts = again
	}
	return nil
}

// CountDue counts what is due at or before now and not claimed, across
// every partition: outside working hours, the reminders and jobs waiting
// for the next working period. One round trip.
func (s *Store) CountDue(ctx context.Context, now time.Time) (int64, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, Partitions)
	max := strconv.FormatInt(now.Unix(), 10)
	for pt := 0; pt < Partitions; pt++ {
		cmds[pt] = pipe.ZCount(ctx, s.dueKey(pt), "-inf", max)
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

// Claimed is what a scheduler needs for its claims: the cases and jobs,
// and the members whose record could not be read (set aside: the
// scheduler leaves them for later and carries on with the rest).
type Claimed struct {
	Cases      map[int64]*pathway.Case
	Jobs       map[string]Job
	Unreadable map[string]bool // by Claim.Member
}

// Load reads the cases and jobs behind claims in one round trip.
func (s *Store) Load(ctx context.Context, claims []Claim) (Claimed, error) {
	out := Claimed{Cases: map[int64]*pathway.Case{}, Jobs: map[string]Job{}, Unreadable: map[string]bool{}}
	if len(claims) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	// A partition's cases are read with one MGET (its keys share a hash
	// slot): Redis does a command's work once, not once a case.
	var ids [Partitions][]int64
	var keys [Partitions][]string
	jobCmds := map[string]*redis.StringCmd{}
	jobClaims := map[string]Claim{}
	for _, cl := range claims {
		if err := checkPartition(cl.Partition); err != nil {
			return out, err
		}
		if id, ok := cl.CaseID(); ok {
			pt := partition(id)
			ids[pt], keys[pt] = append(ids[pt], id), append(keys[pt], s.caseKey(id))
		} else {
			jobCmds[cl.JobID()] = pipe.HGet(ctx, s.jobsKey(cl.Partition), cl.Member)
			jobClaims[cl.JobID()] = cl
		}
	}
	var caseCmds [Partitions]*redis.SliceCmd
	for pt := range keys {
		if len(keys[pt]) > 0 {
			caseCmds[pt] = pipe.MGet(ctx, keys[pt]...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return out, unavailable(err)
	}
	var reads []caseRead
	var missing []int64
	for pt, cmd := range caseCmds {
		if cmd == nil {
			continue
		}
		// Exec names only the first error, which may be a job's "no such
		// entry": a partition's read that failed (a Cluster moving its slot)
		// is not a partition of gone cases.
		if err := cmd.Err(); err != nil {
			return out, unavailable(err)
		}
		for i, v := range cmd.Val() {
			if data, ok := v.(string); ok {
				reads = append(reads, caseRead{id: ids[pt][i], data: []byte(data)})
			} else {
				missing = append(missing, ids[pt][i])
			}
		}
	}
	again, err := s.notStrings(ctx, missing, out)
	if err != nil {
		return out, err
	}
	s.readCases(ctx, append(reads, again...), out)
	for id, cmd := range jobCmds {
		data, err := cmd.Bytes()
		if errors.Is(err, redis.Nil) {
			continue // gone: the scheduler drops the claim
		}
		if err != nil {
			return out, unavailable(err)
		}
		var j Job
		if err := json.Unmarshal(data, &j); err != nil {
			cl := jobClaims[id]
			s.setAside(ctx, Unreadable{Key: s.jobsKey(cl.Partition), Entry: cl.Member, Kind: "job"})
			out.Unreadable[cl.Member] = true
			continue
		}
		out.Jobs[id] = j
	}
	return out, nil
}

// notStrings sorts the cases MGET found no record for: gone (the scheduler
// drops their claims); a key of another type, which GET would have refused
// and MGET reads as nothing: an unreadable record, set aside like any other;
// or, just written, a record to read again (returned). Cases are rarely
// gone, so this is rarely a round trip.
func (s *Store) notStrings(ctx context.Context, ids []int64, out Claimed) (again []caseRead, err error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	types := make([]*redis.StatusCmd, len(ids))
	for i, id := range ids {
		types[i] = pipe.Type(ctx, s.caseKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, unavailable(err)
	}
	for i, id := range ids {
		switch types[i].Val() {
		case "none":
		case "string":
			data, err := s.rdb.Get(ctx, s.caseKey(id)).Bytes()
			if err != nil && !errors.Is(err, redis.Nil) {
				return nil, unavailable(err)
			}
			if err == nil {
				again = append(again, caseRead{id: id, data: data})
			}
		default:
			s.setAside(ctx, Unreadable{Key: s.caseKey(id), Case: id, Kind: "case"})
			out.Unreadable[strconv.FormatInt(id, 10)] = true
		}
	}
	return again, nil
}

// readCases decodes the cases read for a claim into out, on every core
// when there are many: the tick waits for them before it sends anything.
func (s *Store) readCases(ctx context.Context, reads []caseRead, out Claimed) {
	workers := min(runtime.GOMAXPROCS(0), 1+len(reads)/decodeShare)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(reads); i += workers {
				reads[i].c, reads[i].ok = s.readCase(ctx, reads[i].id, reads[i].data)
			}
		})
	}
	wg.Wait()
	for _, r := range reads {
		if r.ok {
			out.Cases[r.id] = r.c
		} else {
			out.Unreadable[strconv.FormatInt(r.id, 10)] = true
		}
	}
}

// caseRead is a case record read for a claim, and what it decoded to.
type caseRead struct {
	id   int64
	data []byte
	c    *pathway.Case
	ok   bool
}

// decodeShare is how many cases are worth another decoding goroutine.
const decodeShare = 128

// SentQuery asks whether an occurrence of a member was already sent.
type SentQuery struct {
	Partition  int
	Member     string
	Occurrence string
}

// WasSent answers several SentQuery in one round trip.
func (s *Store) WasSent(ctx context.Context, qs []SentQuery) ([]bool, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	// One MGET a partition (its keys share a hash slot), each answer put
	// back at its query's place.
	var at [Partitions][]int
	var keys [Partitions][]string
	for i, q := range qs {
		pt := q.Partition
		if err := checkPartition(pt); err != nil {
			return nil, err
		}
		at[pt], keys[pt] = append(at[pt], i), append(keys[pt], s.sentKey(pt, q.Member, q.Occurrence))
	}
	pipe := s.rdb.Pipeline()
	var cmds [Partitions]*redis.SliceCmd
	for pt := range keys {
		if len(keys[pt]) > 0 {
			cmds[pt] = pipe.MGet(ctx, keys[pt]...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, unavailable(err)
	}
	out := make([]bool, len(qs))
	for pt, cmd := range cmds {
		if cmd == nil {
			continue
		}
		for i, v := range cmd.Val() {
			out[at[pt][i]] = v != nil
		}
	}
	return out, nil
}

// AckCase finishes a claim on a case: it marks the occurrences sent (always)
// and, if the case is still the version read, writes c with the events and
// sets its next time in the due index, no earlier than notBefore (when some
// send failed and waits to be retried). ErrConflict means the case changed
// meanwhile: read it again, reapply what was sent, and acknowledge again.
func (s *Store) AckCase(ctx context.Context, cl Claim, old, c *pathway.Case, p *pathway.Policy, events []pathway.Event, sent []string, notBefore time.Time) error {
	return s.save(ctx, old, c, p, events, sent, ackLease{token: cl.Token, notBefore: notBefore}, nil)
}

// Drop removes a claimed member whose case or job no longer exists.
func (s *Store) Drop(ctx context.Context, cl Claim) error {
	if err := checkPartition(cl.Partition); err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.ZRem(ctx, s.dueKey(cl.Partition), cl.Member)
	pipe.HDel(ctx, s.leaseKey(cl.Partition), cl.Member)
	pipe.HDel(ctx, s.jobsKey(cl.Partition), cl.Member)
	_, err := pipe.Exec(ctx)
	return unavailable(err)
}

// Release ends a claim without changing the case: the member is due again
// at the given time (now, on shutdown; later, when a send failed), or leaves
// the index when at is zero.
func (s *Store) Release(ctx context.Context, cl Claim, at time.Time) error {
	if err := checkPartition(cl.Partition); err != nil {
		return err
	}
	score := ""
	if !at.IsZero() {
		score = strconv.FormatInt(at.Unix(), 10)
	}
	err := releaseScript.Run(ctx, s.rdb, []string{s.dueKey(cl.Partition), s.leaseKey(cl.Partition)}, cl.Member, cl.Token, score).Err()
	if errors.Is(err, redis.Nil) {
		err = nil
	}
	return unavailable(err)
}

// NextDue returns the earliest time anything is due; ok is false when the
// index is empty.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.ZSliceCmd, Partitions)
	for pt := 0; pt < Partitions; pt++ {
		cmds[pt] = pipe.ZRangeWithScores(ctx, s.dueKey(pt), 0, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return time.Time{}, false, unavailable(err)
	}
	best := math.Inf(1)
	for _, c := range cmds {
		for _, z := range c.Val() {
			best = math.Min(best, z.Score)
		}
	}
	if math.IsInf(best, 1) {
		return time.Time{}, false, nil
	}
	return time.Unix(int64(best), 0).UTC(), true, nil
}

// Job is a one-off piece of work for the scheduler: run this at time At for
// this person (a wellbeing check-in, say). Jobs hold no free text.
type Job struct {
	ID     string            `json:"id"`
	Kind   string            `json:"k"`
	Person string            `json:"p,omitempty"`
	Case   int64             `json:"c,omitempty"`
	At     time.Time         `json:"at"`
	Data   map[string]string `json:"d,omitempty"`
}

func jobPartition(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % Partitions)
}

// ScheduleJob adds a job, or moves it if one with the same id exists.
func (s *Store) ScheduleJob(ctx context.Context, j Job) error {
	keys, args, err := s.jobWrite(j)
	if err != nil {
		return err
	}
	return unavailable(s.runScript(ctx, jobScript, keys, args...).Err())
}

// jobWrite is the keys and arguments of jobScript for j.
func (s *Store) jobWrite(j Job) (keys []string, args []any, err error) {
	if j.ID == "" || j.Kind == "" {
		return nil, nil, pathway.Errorf(pathway.Internal, "a job needs an id and a kind")
	}
	data, err := json.Marshal(j)
	if err != nil {
		return nil, nil, pathway.Errorf(pathway.Internal, "encoding job: %v", err)
	}
	pt := jobPartition(j.ID)
	return []string{s.jobsKey(pt), s.dueKey(pt)}, []any{"j:" + j.ID, data, j.At.Unix()}, nil
}

// CancelJob removes a job if it has not run.
func (s *Store) CancelJob(ctx context.Context, id string) error {
	pt := jobPartition(id)
	member := "j:" + id
	pipe := s.rdb.TxPipeline()
	pipe.HDel(ctx, s.jobsKey(pt), member)
	pipe.ZRem(ctx, s.dueKey(pt), member)
	pipe.HDel(ctx, s.leaseKey(pt), member)
	_, err := pipe.Exec(ctx)
	return unavailable(err)
}

// GetJob reads a scheduled job; ok is false when there is none.
func (s *Store) GetJob(ctx context.Context, id string) (Job, bool, error) {
	data, err := s.rdb.HGet(ctx, s.jobsKey(jobPartition(id)), "j:"+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, unavailable(err)
	}
	var j Job
	if err := json.Unmarshal(data, &j); err != nil {
		return Job{}, false, pathway.Errorf(pathway.Internal, "decoding job %s: %v", id, err)
	}
	return j, true, nil
}

// AckJob finishes a claimed job: it marks the occurrence sent and removes
// the job, if the lease is still this scheduler's.
func (s *Store) AckJob(ctx context.Context, cl Claim, occurrence string) error {
	if err := checkPartition(cl.Partition); err != nil {
		return err
	}
	keys := []string{s.dueKey(cl.Partition), s.leaseKey(cl.Partition), s.jobsKey(cl.Partition), s.sentKey(cl.Partition, cl.Member, occurrence)}
	err := jobAckScript.Run(ctx, s.rdb, keys, cl.Member, cl.Token, int((30 * 24 * time.Hour).Seconds())).Err()
	if errors.Is(err, redis.Nil) {
		err = nil
	}
	return unavailable(err)
}

// Overdue returns open cases whose earliest deadline is before now, for the
// team digest. One round trip.
func (s *Store) Overdue(ctx context.Context, now time.Time) ([]*pathway.Case, error) {
	return s.ListOpen(ctx, CaseFilter{All: true, DueBefore: now, Limit: 1000})
}

// MarkOnce sets a mark that expires after ttl and reports whether this call
// set it: for work that must happen once across replicas, like a day's digest.
func (s *Store) MarkOnce(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.prefix+"once:"+name, "1", ttl).Result()
	if err != nil {
		return false, unavailable(err)
	}
	return ok, nil
}

// ForgetMark removes a mark set by MarkOnce, so the work can be tried again.
func (s *Store) ForgetMark(ctx context.Context, name string) error {
	return unavailable(s.rdb.Del(ctx, s.prefix+"once:"+name).Err())
}
