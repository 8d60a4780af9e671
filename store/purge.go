package store

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// Retention. A closed case is kept for the policy's closed_case_keep after
// it closed, then purged: every key of it goes in one atomic script in its
// partition — the case, its timeline entries, its index entries and its
// delivery marks — and one audit line is written in the same script, so a
// case is never half gone and never gone without its line. The case's
// check-in jobs live in the partitions their ids pick, so they are removed
// just after, each partition in one transaction.
//
// The audit line ({pN}:purged, a stream in the case's own partition so the
// line and the deletion are one step on a Redis Cluster) holds the case id,
// its incident reference and the closed and purged times: no notes, no
// people. Lines older than the policy's purge_audit_keep are trimmed as new
// ones are added.
//
// Candidates are found through the "all" index, scored by when a case was
// opened: a case closed before the cutoff was opened before it, so only
// cases opened before the cutoff are read, and no extra index has to be
// kept by every save.

// PurgeRecord is one audit line: a case that was purged.
type PurgeRecord struct {
	Case   int64
	Ref    string
	Closed time.Time
	Purged time.Time
}

// purgeChunk is how many ids of the "all" index are read at a time while
// looking for cases to purge.
const purgeChunk = 500

func (s *Store) purgedKey(p int) string { return s.part(p) + "purged" }

// DuePurge returns closed cases that closed at or before cutoff, the
// longest closed first, at most limit (0 means 100).
func (s *Store) DuePurge(ctx context.Context, cutoff time.Time, limit int) ([]*pathway.Case, error) {
	if limit <= 0 {
		limit = 100
	}
	max := strconv.FormatInt(cutoff.Unix(), 10)
	var out []*pathway.Case
	for pt := 0; pt < Partitions; pt++ {
		found := 0
		for offset := int64(0); found < limit; offset += purgeChunk {
			ids, err := s.rdb.ZRangeByScore(ctx, s.allKey(pt), &redis.ZRangeBy{Min: "-inf", Max: max, Offset: offset, Count: purgeChunk}).Result()
			if err != nil {
				return nil, unavailable(err)
			}
			if len(ids) == 0 {
				break
			}
			keys := make([]string, len(ids))
			for i, id := range ids {
				keys[i] = s.part(pt) + "case:" + id
			}
			// One slot: the keys share the partition's hash tag.
			vals, err := s.rdb.MGet(ctx, keys...).Result()
			if err != nil {
				return nil, unavailable(err)
			}
			for _, v := range vals {
				data, ok := v.(string)
				if !ok {
					continue
				}
				c, err := decodeCase([]byte(data))
				if err != nil {
					return nil, pathway.Errorf(pathway.Internal, "decoding case: %v", err)
				}
				if !c.IsOpen() && !c.Closed.After(cutoff) {
					out = append(out, c)
					found++
				}
			}
			if len(ids) < purgeChunk {
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Closed.Equal(out[j].Closed) {
			return out[i].Closed.Before(out[j].Closed)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PurgeCase removes every key of c, which was read as it is now (closed),
// and writes its audit line, trimming lines older than auditKeep. It
// reports false, and removes nothing, when the case has changed since it
// was read (reopened, say) or is already gone.
func (s *Store) PurgeCase(ctx context.Context, c *pathway.Case, now time.Time, auditKeep time.Duration) (bool, error) {
	if c.IsOpen() {
		return false, pathway.Errorf(pathway.Internal, "case %d is open; only closed cases are purged", c.ID)
	}
	marks, err := s.sentMarks(ctx)
	if err != nil {
		return false, err
	}
	jobs, err := s.caseJobs(ctx, map[int64]bool{c.ID: true})
	if err != nil {
		return false, err
	}
	return s.purgeOne(ctx, c, now, auditKeep, marks, jobs[c.ID])
}

// Purge purges up to limit closed cases that closed at or before cutoff,
// the longest closed first, and returns their audit lines. A case that
// changed since it was found is left for the next run.
func (s *Store) Purge(ctx context.Context, cutoff, now time.Time, limit int, auditKeep time.Duration) ([]PurgeRecord, error) {
	due, err := s.DuePurge(ctx, cutoff, limit)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	marks, err := s.sentMarks(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(due))
	for _, c := range due {
		ids[c.ID] = true
	}
	jobs, err := s.caseJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []PurgeRecord
	for _, c := range due {
		ok, err := s.purgeOne(ctx, c, now, auditKeep, marks, jobs[c.ID])
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, PurgeRecord{Case: c.ID, Ref: c.Ref, Closed: c.Closed.UTC(), Purged: now.UTC()})
		}
	}
	return out, nil
}

// caseJob is a scheduled job that names a case.
type caseJob struct {
	partition int
	member    string // "j:<id>"
	person    string
}

func (s *Store) purgeOne(ctx context.Context, c *pathway.Case, now time.Time, auditKeep time.Duration, marks []string, jobs []caseJob) (bool, error) {
	keys, nsets := s.purgeKeys(c, marks)
	minID := "0"
	if auditKeep > 0 {
		if t := now.Add(-auditKeep); t.After(time.Unix(0, 0)) {
			minID = strconv.FormatInt(t.UnixMilli(), 10)
		}
	}
	res, err := s.runScript(ctx, purgeScript, keys, strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.Version, 10), nsets,
		c.Ref, c.Closed.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), minID).Int()
	if err != nil {
		return false, unavailable(err)
	}
	if res != 1 {
		return false, nil
	}
	return true, s.dropJobs(ctx, jobs, marks)
}

// purgeKeys are the keys purgeScript names for c, all in c's partition,
// and how many of them are index sets; marks are every delivery mark, of
// which c's own are named.
func (s *Store) purgeKeys(c *pathway.Case, marks []string) ([]string, int) {
	pt := partition(c.ID)
	keys := []string{s.caseKey(c.ID), s.timelineKey(pt), s.streamKey(pt), s.dueKey(pt), s.leaseKey(pt),
		s.openKey(pt), s.allKey(pt), s.purgedKey(pt)}
	sets := map[string]bool{}
	for _, person := range c.People() {
		if person != "" {
			sets[s.personKey(pt, person)] = true
		}
	}
	if c.Service != "" {
		sets[s.serviceCasesKey(pt, c.Service)] = true
	}
	for _, k := range s.purgeSetKeys(pt, c) {
		sets[k] = true
	}
	setKeys := make([]string, 0, len(sets))
	for k := range sets {
		setKeys = append(setKeys, k)
	}
	sort.Strings(setKeys)
	keys = append(keys, setKeys...)
	markPrefix := s.sentKey(pt, strconv.FormatInt(c.ID, 10), "")
	for _, m := range marks {
		if strings.HasPrefix(m, markPrefix) {
			keys = append(keys, m)
		}
	}
	return keys, len(setKeys)
}

// purgeSetKeys are further index sets in partition pt that may hold c's id
// (an index added by another part of the store names its keys here): the
// reference index (refs.go) under the case's reference as it is now — a
// corrected reference was taken out from under the old one when it changed.
func (s *Store) purgeSetKeys(pt int, c *pathway.Case) []string {
	if pathway.NormalRef(c.Ref) == "" {
		return nil
	}
	return []string{s.caseRefKey(pt, c.Ref)}
}

// dropJobs removes a purged case's jobs, their delivery marks and the
// tracking of them under each person, partition by partition.
func (s *Store) dropJobs(ctx context.Context, jobs []caseJob, marks []string) error {
	if len(jobs) == 0 {
		return nil
	}
	pipe := s.rdb.TxPipeline()
	for _, j := range jobs {
		pipe.HDel(ctx, s.jobsKey(j.partition), j.member)
		pipe.ZRem(ctx, s.dueKey(j.partition), j.member)
		pipe.HDel(ctx, s.leaseKey(j.partition), j.member)
		prefix := s.sentKey(j.partition, j.member, "")
		for _, m := range marks {
			if strings.HasPrefix(m, prefix) {
				pipe.Del(ctx, m)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable(err)
	}
	for _, j := range jobs {
		if j.person != "" {
			if err := s.rdb.ZRem(ctx, s.checkinJobsKey(j.person), strings.TrimPrefix(j.member, "j:")).Err(); err != nil {
				return unavailable(err)
			}
		}
	}
	return nil
}

// caseJobs finds the scheduled jobs that name any of the cases.
func (s *Store) caseJobs(ctx context.Context, cases map[int64]bool) (map[int64][]caseJob, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, Partitions)
	for pt := range cmds {
		cmds[pt] = pipe.HGetAll(ctx, s.jobsKey(pt))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	out := map[int64][]caseJob{}
	for pt, cmd := range cmds {
		for member, data := range cmd.Val() {
			var j Job
			if json.Unmarshal([]byte(data), &j) != nil || !cases[j.Case] {
				continue
			}
			out[j.Case] = append(out[j.Case], caseJob{partition: pt, member: member, person: j.Person})
		}
	}
	return out, nil
}

// sentMarks lists every delivery mark. They expire after 30 days, so there
// are few; one scan serves a whole purge run.
func (s *Store) sentMarks(ctx context.Context) ([]string, error) {
	match := globEscape(s.prefix) + "{p*}:sent:*"
	var mu sync.Mutex
	var out []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, match, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return out, nil
}

// globEscape escapes the characters SCAN's MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PurgeLog returns the audit lines of purged cases, oldest first.
func (s *Store) PurgeLog(ctx context.Context) ([]PurgeRecord, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.XMessageSliceCmd, Partitions)
	for pt := range cmds {
		cmds[pt] = pipe.XRange(ctx, s.purgedKey(pt), "-", "+")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	var out []PurgeRecord
	for _, cmd := range cmds {
		for _, m := range cmd.Val() {
			var r PurgeRecord
			str := func(k string) string { v, _ := m.Values[k].(string); return v }
			r.Case, _ = strconv.ParseInt(str("c"), 10, 64)
			r.Ref = str("r")
			r.Closed, _ = time.Parse(time.RFC3339, str("cl"))
			r.Purged, _ = time.Parse(time.RFC3339, str("p"))
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Purged.Equal(out[j].Purged) {
			return out[i].Purged.Before(out[j].Purged)
		}
		return out[i].Case < out[j].Case
	})
	return out, nil
}

// purgeScript removes one closed case whole, if it is still the version
// read, and writes its audit line.
//
// KEYS: 1 case, 2 timeline index, 3 events stream, 4 due, 5 lease, 6 open,
// 7 all, 8 audit stream, then the index sets that may hold the case, then
// its delivery marks.
// ARGV: 1 case id, 2 expected version, 3 number of sets, 4 reference,
// 5 closed, 6 purged (RFC 3339), 7 the oldest audit id to keep.
// Returns 1 purged, 0 changed or gone.
var purgeScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur or string.match(cur, '^{"v":(%d+)') ~= ARGV[2] then
  return 0
end
local id = ARGV[1]
local ids = redis.call('HGET', KEYS[2], id)
if ids then
  for eid in string.gmatch(ids, '%S+') do
    redis.call('XDEL', KEYS[3], eid)
  end
  redis.call('HDEL', KEYS[2], id)
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[4], id)
redis.call('HDEL', KEYS[5], id)
redis.call('ZREM', KEYS[6], id)
redis.call('ZREM', KEYS[7], id)
local nsets = tonumber(ARGV[3])
for k = 9, 8 + nsets do
  redis.call('SREM', KEYS[k], id)
end
for k = 9 + nsets, #KEYS do
  redis.call('DEL', KEYS[k])
end
redis.call('XADD', KEYS[8], 'MINID', ARGV[7], '*', 'c', id, 'r', ARGV[4], 'cl', ARGV[5], 'p', ARGV[6])
return 1
`)
