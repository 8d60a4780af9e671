package store

import (
	"context"
	"errors"
	"sort"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// The reference index finds cases by their incident reference without
// reading every case. Each partition keeps a set per normalised reference
// ({p3}:incref:INC-20 → case ids), written by the apply script in the same
// atomic step as the case: every save adds the case under its reference as
// it is now and, when the reference changed (a correction), takes it out
// from under the old one. So a corrected reference is found at once, and a
// case saved since the index came in is always in it.
//
// Cases written before the index existed are added by a one-off backfill,
// partition by partition, the first time a lookup finds a partition not yet
// marked indexed ({p3}:refs:indexed), or when hppbot starts serving
// (IndexRefs, in the background). The backfill walks the partition's
// "all" index in chunks, each chunk one script that reads the cases and adds
// their references, so Redis is never held for long and a case saved in
// between is indexed correctly either way. A lookup still checks each case's
// reference as read, so an entry can never name a case that has moved on.

// refChunk is how many cases one backfill script reads.
const refChunk = 500

func (s *Store) caseRefKey(p int, ref string) string {
	return s.part(p) + "incref:" + pathway.NormalRef(ref)
}
func (s *Store) refsIndexedKey(p int) string { return s.part(p) + "refs:indexed" }

// refOps are the index changes a save makes for the case's reference.
func (s *Store) refOps(old, c *pathway.Case, op func(name, key string, a, b any), idArg any) {
	pt := partition(c.ID)
	if old != nil && old.Ref != "" && !pathway.SameRef(old.Ref, c.Ref) {
		op("srem", s.caseRefKey(pt, old.Ref), idArg, "")
	}
	if c.Ref != "" {
		op("sadd", s.caseRefKey(pt, c.Ref), idArg, "")
	}
}

// CasesByRef returns every case, open or closed, whose incident reference
// is ref (compared without regard to case), lowest id first. One round trip
// across the partitions; the first lookup after an upgrade also indexes the
// cases written before the index existed.
func (s *Store) CasesByRef(ctx context.Context, ref string) ([]*pathway.Case, error) {
	if pathway.NormalRef(ref) == "" {
		return nil, nil
	}
	for attempt := 0; ; attempt++ {
		out, unindexed, err := s.lookupRef(ctx, ref)
		if err != nil {
			return nil, err
		}
		if len(unindexed) == 0 || attempt > 0 {
			return out, nil
		}
		for _, pt := range unindexed {
			if err := s.indexRefs(ctx, pt, refChunk); err != nil {
				return nil, err
			}
		}
	}
}

// lookupRef reads the cases under ref in every partition, and which
// partitions are not yet marked indexed.
func (s *Store) lookupRef(ctx context.Context, ref string) ([]*pathway.Case, []int, error) {
	var out []*pathway.Case
	var unindexed []int
	err := s.evalPartitions(ctx, refLookupScript, func(pt int) ([]string, []any) {
		return []string{s.caseRefKey(pt, ref), s.refsIndexedKey(pt)}, []any{s.part(pt) + "case:"}
	}, func(pt int, cmd *redis.Cmd) error {
		vals, err := cmd.Slice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if len(vals) == 0 {
			return nil
		}
		if done, _ := vals[0].(int64); done != 1 {
			unindexed = append(unindexed, pt)
		}
		for _, v := range vals[1:] {
			data, _ := v.(string)
			c, err := decodeCase([]byte(data))
			if err != nil {
				return pathway.Errorf(pathway.Internal, "decoding case: %v", err)
			}
			if pathway.SameRef(c.Ref, ref) {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, unindexed, nil
}

// indexRefs adds the references of a partition's cases to the index, in
// chunks, and marks the partition indexed when it has been through them all.
func (s *Store) indexRefs(ctx context.Context, pt, chunk int) error {
	keys := []string{s.allKey(pt), s.refsIndexedKey(pt)}
	for start := int64(0); start >= 0; {
		next, err := refBackfillScript.Run(ctx, s.rdb, keys, start, chunk, s.part(pt)+"case:", s.part(pt)+"incref:").Int64()
		if err != nil {
			return unavailable(err)
		}
		start = next
	}
	return nil
}

// IndexRefs indexes the references of every partition not yet marked
// indexed. hppbot runs it in the background as it starts serving, so no
// person's first lookup by reference waits for it. It is safe to run again,
// on several replicas at once, and alongside commands.
func (s *Store) IndexRefs(ctx context.Context) error {
	pipe := s.rdb.Pipeline()
	marks := make([]*redis.IntCmd, Partitions)
	for pt := range marks {
		marks[pt] = pipe.Exists(ctx, s.refsIndexedKey(pt))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable(err)
	}
	for pt, m := range marks {
		if m.Val() == 1 {
			continue
		}
		if err := s.indexRefs(ctx, pt, refChunk); err != nil {
			return err
		}
	}
	return nil
}

// refLookupScript reads the cases under one reference in one partition. It
// returns whether the partition is indexed (1 or 0), then the cases' JSON.
//
// KEYS: 1 the reference's set, 2 the partition's indexed mark.
// ARGV: 1 case key prefix.
var refLookupScript = redis.NewScript(`
local out = {redis.call('EXISTS', KEYS[2])}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local c = redis.call('GET', ARGV[1] .. id)
  if c then
    out[#out + 1] = c
  end
end
return out
`)

// refBackfillScript indexes one chunk of a partition's cases by reference.
// It returns where the next chunk starts, or -1 when the partition is done
// (and then marks it indexed). It reads the reference from the record's "r"
// key (pathway.Case.Ref's json tag). A reference is upper-cased as
// pathway.NormalRef does: references are ASCII.
//
// KEYS: 1 all (every case of the partition), 2 the indexed mark.
// ARGV: 1 start, 2 chunk size, 3 case key prefix, 4 reference key prefix.
var refBackfillScript = redis.NewScript(`
local start, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids = redis.call('ZRANGE', KEYS[1], start, start + n - 1)
for _, id in ipairs(ids) do
  local c = redis.call('GET', ARGV[3] .. id)
  if c then
    local ok, d = pcall(cjson.decode, c)
    if ok and type(d) == 'table' and type(d.r) == 'string' then
      local ref = string.upper(string.match(d.r, '^%s*(.-)%s*$'))
      if ref ~= '' then
        redis.call('SADD', ARGV[4] .. ref, id)
      end
    end
  end
end
if #ids < n then
  redis.call('SET', KEYS[2], '1')
  return -1
end
return start + n
`)
