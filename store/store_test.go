package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without the machine's zoneinfo

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// Helpers shared by the store tests. Every test has a store of its own on
// the real Redis (storetest.New: a random prefix, removed afterwards).
// People, references and notes are made up.

var ctx = context.Background()

func englandPolicy(t testing.TB) *pathway.Policy {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// at is a London wall-clock time, "2006-01-02 15:04".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v
}

// create opens a case at now and stores it.
func create(t testing.TB, st *store.Store, p *pathway.Policy, now time.Time, in pathway.OpenInput) *pathway.Case {
	t.Helper()
	if in.Ref == "" {
		in.Ref = "INC-1042"
	}
	c, ev, err := pathway.Open(in, "console:sam", p, now)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	return c
}

// apply runs a command on the stored case and saves it, as a handler does.
func apply(t testing.TB, st *store.Store, p *pathway.Policy, id int64, cmd func(c *pathway.Case) (pathway.Event, error)) *pathway.Case {
	t.Helper()
	old, err := st.GetCase(ctx, id)
	if err != nil {
		t.Fatalf("GetCase(%d): %v", id, err)
	}
	c := old.Clone()
	ev, err := cmd(c)
	if err != nil {
		t.Fatalf("command on %d: %v", id, err)
	}
	if err := st.SaveCase(ctx, old, c, p, ev); err != nil {
		t.Fatalf("SaveCase(%d): %v", id, err)
	}
	return c
}

// partKey is a key of case id's partition, e.g. partKey(st, 3, "due").
func partKey(st *store.Store, id int64, name string) string {
	return fmt.Sprintf("%s{p%d}:%s", st.Prefix(), id%store.Partitions, name)
}

// dueScore is the case's score in its partition's due index; ok is false
// when it is not there.
func dueScore(t testing.TB, st *store.Store, id int64) (int64, bool) {
	t.Helper()
	return zscore(t, st, partKey(st, id, "due"), strconv.FormatInt(id, 10))
}

func zscore(t testing.TB, st *store.Store, key, member string) (int64, bool) {
	t.Helper()
	v, err := st.Client().ZScore(ctx, key, member).Result()
	if errors.Is(err, redis.Nil) {
		return 0, false
	}
	if err != nil {
		t.Fatalf("ZSCORE %s %s: %v", key, member, err)
	}
	return int64(v), true
}

func isMember(t testing.TB, st *store.Store, key, member string) bool {
	t.Helper()
	ok, err := st.Client().SIsMember(ctx, key, member).Result()
	if err != nil {
		t.Fatalf("SISMEMBER %s: %v", key, err)
	}
	return ok
}

// keys lists every key under the store's prefix.
func keys(t testing.TB, st *store.Store) []string {
	t.Helper()
	var out []string
	iter := st.Client().Scan(ctx, 0, st.Prefix()+"*", 1000).Iterator()
	for iter.Next(ctx) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// snapshot is every key under the prefix with its serialised value, to
// show that something wrote nothing.
func snapshot(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range keys(t, st) {
		out[k] = readKey(t, st, k)
	}
	return out
}

// readKey renders one key's type and contents as text, by type rather than
// with DUMP, so snapshots work on the embedded store too (it can DUMP only
// strings).
func readKey(t testing.TB, st *store.Store, k string) string {
	t.Helper()
	c := st.Client()
	typ, err := c.Type(ctx, k).Result()
	if err != nil {
		t.Fatalf("TYPE %s: %v", k, err)
	}
	var v any
	switch typ {
	case "string":
		v, err = c.Get(ctx, k).Result()
	case "hash":
		v, err = c.HGetAll(ctx, k).Result()
	case "zset":
		v, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
	case "set":
		var m []string
		m, err = c.SMembers(ctx, k).Result()
		sort.Strings(m)
		v = m
	case "list":
		v, err = c.LRange(ctx, k, 0, -1).Result()
	case "stream":
		v, err = c.XRange(ctx, k, "-", "+").Result()
	default:
		t.Fatalf("snapshot: key %s has type %q, which the snapshot does not read", k, typ)
	}
	if err != nil {
		t.Fatalf("reading %s (%s): %v", k, typ, err)
	}
	ttl, _ := c.PTTL(ctx, k).Result()
	return fmt.Sprintf("%s %v ttl=%v", typ, v, ttl > 0)
}

func diffSnapshots(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if b, ok := before[k]; !ok {
			out = append(out, "added "+k)
		} else if b != v {
			out = append(out, "changed "+k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, "removed "+k)
		}
	}
	sort.Strings(out)
	return out
}

func TestOptions(t *testing.T) {
	tests := []struct {
		url      string
		addrs    []string
		user     string
		password string
		db       int
		master   string
		tls      bool
	}{
		{"redis://127.0.0.1:6379", []string{"127.0.0.1:6379"}, "", "", 0, "", false},
		{"redis://localhost", []string{"localhost:6379"}, "", "", 0, "", false},
		{"redis://redis.internal:6380/3", []string{"redis.internal:6380"}, "", "", 3, "", false},
		{"rediss://cache.example.net:6380", []string{"cache.example.net:6380"}, "", "", 0, "", true},
		{"redis://:s3cret@redis:6379/0", []string{"redis:6379"}, "", "s3cret", 0, "", false},
		{"redis://hppbot:s3cret@redis:6379/1", []string{"redis:6379"}, "hppbot", "s3cret", 1, "", false},
		{"redis://hppbot:p%40ss@redis", []string{"redis:6379"}, "hppbot", "p@ss", 0, "", false},
		{"redis://node1:7000,node2:7001,node3", []string{"node1:7000", "node2:7001", "node3:6379"}, "", "", 0, "", false},
		{"rediss://u:pw@node1:7000,node2:7001", []string{"node1:7000", "node2:7001"}, "u", "pw", 0, "", true},
		{"redis://sentinel1:26379,sentinel2:26379/2?master_name=hpp", []string{"sentinel1:26379", "sentinel2:26379"}, "", "", 2, "hpp", false},
		{"redis://sentinel1:26379?master_name=hpp&dial_timeout=3s", []string{"sentinel1:26379"}, "", "", 0, "hpp", false},
		{"redis://[::1]:6379/0", []string{"[::1]:6379"}, "", "", 0, "", false},
		{"redis://[::1]/0", []string{"[::1]:6379"}, "", "", 0, "", false},
	}
	for _, tt := range tests {
		o, err := store.Options(tt.url)
		if err != nil {
			t.Errorf("Options(%q): %v", tt.url, err)
			continue
		}
		if !reflect.DeepEqual(o.Addrs, tt.addrs) || o.Username != tt.user || o.Password != tt.password || o.DB != tt.db || o.MasterName != tt.master {
			t.Errorf("Options(%q) = addrs %v user %q password %q db %d master %q", tt.url, o.Addrs, o.Username, o.Password, o.DB, o.MasterName)
		}
		if (o.TLSConfig != nil) != tt.tls {
			t.Errorf("Options(%q): TLS config %v, want TLS %v", tt.url, o.TLSConfig, tt.tls)
		}
		// With one host the certificate is checked against its name; with
		// several (a Cluster, sentinels) each against its own, so none is fixed.
		if tt.tls && len(tt.addrs) == 1 && o.TLSConfig.ServerName != strings.Split(tt.addrs[0], ":")[0] {
			t.Errorf("Options(%q): TLS server name %q", tt.url, o.TLSConfig.ServerName)
		}
		if tt.tls && len(tt.addrs) > 1 && o.TLSConfig.ServerName != "" {
			t.Errorf("Options(%q): TLS server name %q", tt.url, o.TLSConfig.ServerName)
		}
		if o.DialTimeout <= 0 || o.ReadTimeout <= 0 || o.WriteTimeout <= 0 {
			t.Errorf("Options(%q): no timeouts set: %+v", tt.url, o)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:6379", "http://redis:6379", "unix:///tmp/redis.sock", "redis://", "redis://a:1,,b:2", "redis://redis:6379/notadb", "redis://redis:6379?bogus_option=1"} {
		if o, err := store.Options(bad); err == nil {
			t.Errorf("Options(%q) = %+v, want an error", bad, o)
		}
	}
}

func TestConnectBadURL(t *testing.T) {
	if _, err := store.Connect("http://redis:6379", "hpp:"); err == nil || !strings.Contains(err.Error(), "redis://") {
		t.Errorf("Connect with a bad scheme: %v", err)
	}
}

func TestUnavailableSavesNothing(t *testing.T) {
	// Nothing listens on port 1: every call fails as "nothing was saved".
	st, err := store.Connect("redis://127.0.0.1:1/0", storetest.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := englandPolicy(t)
	c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-1"}, "console:sam", p, at(t, "2026-01-12 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateCase(ctx, c, p, ev)
	if pathway.ErrorCode(err) != pathway.Unavailable || pathway.ErrorMessage(err) != pathway.NothingSaved {
		t.Errorf("CreateCase with Redis down: %v", err)
	}
	if _, err := st.GetCase(ctx, 1); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Errorf("GetCase with Redis down: %v", err)
	}
	if _, err := st.ClaimDue(ctx, time.Now(), time.Minute, 10, "t"); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Errorf("ClaimDue with Redis down: %v", err)
	}
	if _, err := st.ListOpen(ctx, store.CaseFilter{All: true}); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Errorf("ListOpen with Redis down: %v", err)
	}
	if err := st.Ping(ctx); err == nil {
		t.Error("Ping with Redis down succeeded")
	}
}

// keyPattern is every key the store writes: the per-partition keys all
// carry one hash tag, so each command's script touches a single slot.
func keyPattern(prefix string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) +
		`(\{p(\d+)\}:(case:(\d+)|tl|events|due|lease|open|all|jobs|u:.+|s:.+|sent:.+|cmd:[0-9a-f]+|incref:.+|refs:indexed|purged)|seq|services|names|once:.+)$`)
}

func TestKeysSharePartitionTagAndPrefix(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	var ids []int64
	for i := 0; i < 20; i++ {
		c := create(t, st, p, now, pathway.OpenInput{Service: "maternity", Harm: pathway.HarmSevere, Involved: []string{"console:ash"}})
		ids = append(ids, c.ID)
	}
	apply(t, st, p, ids[3], func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, now.Add(time.Hour))
	})
	claims, err := st.ClaimDue(ctx, at(t, "2026-02-01 10:00"), time.Minute, 100, "test/1")
	if err != nil || len(claims) == 0 {
		t.Fatalf("ClaimDue: %d, %v", len(claims), err)
	}
	markSent(t, st, p, claims[0], mustGet(t, st, claims[0]), "contact:0:0")
	if err := st.AckCase(ctx, claims[0], mustGet(t, st, claims[0]), mustGet(t, st, claims[0]), p, nil, []string{"contact:0:0"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := st.ScheduleJob(ctx, store.Job{ID: "checkin:1:console:ash:0", Kind: "checkin", Person: "console:ash", Case: 1, At: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:lee", Channel: "console:#maternity"}); err != nil {
		t.Fatal(err)
	}
	st.Names().Remember(ctx, "console:ash", "Ash")
	if _, err := st.CasesByRef(ctx, "INC-1042"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkOnce(ctx, "digest:2026-01-12:maternity", time.Hour); err != nil {
		t.Fatal(err)
	}

	pattern := keyPattern(st.Prefix())
	all := keys(t, st)
	seen := map[string]bool{}
	for _, k := range all {
		m := pattern.FindStringSubmatch(k)
		if m == nil {
			t.Errorf("key %q does not follow the layout", k)
			continue
		}
		if m[2] == "" {
			seen[m[1]] = true
			continue
		}
		part, _ := strconv.Atoi(m[2])
		if part >= store.Partitions {
			t.Errorf("key %q: partition %d out of range", k, part)
		}
		// A case's own keys live in the partition its id picks.
		if m[4] != "" {
			id, _ := strconv.ParseInt(m[4], 10, 64)
			if int(id%store.Partitions) != part {
				t.Errorf("key %q: case %d in partition %d", k, id, part)
			}
		}
		seen[strings.SplitN(m[3], ":", 2)[0]] = true
	}
	for _, kind := range []string{"case", "tl", "events", "due", "lease", "open", "all", "jobs", "u", "s", "sent", "seq", "services", "names"} {
		if !seen[kind] {
			t.Errorf("no %q key written; keys: %v", kind, all)
		}
	}
}

// markSent leaves a delivery mark for occurrence on cl's case, as an
// acknowledgement refused by a change in between does (one that goes
// through records the send in the case itself, and leaves none).
func markSent(t testing.TB, st *store.Store, p *pathway.Policy, cl store.Claim, c *pathway.Case, occurrence string) {
	t.Helper()
	stale := c.Clone()
	stale.Version--
	if err := st.AckCase(ctx, cl, stale, c.Clone(), p, nil, []string{occurrence}, time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an acknowledgement of an older version: %v, want ErrConflict", err)
	}
}

func mustGet(t testing.TB, st *store.Store, cl store.Claim) *pathway.Case {
	t.Helper()
	id, ok := cl.CaseID()
	if !ok {
		t.Fatalf("claim %+v is not a case", cl)
	}
	c, err := st.GetCase(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPrefixesAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := storetest.New(t), storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	create(t, a, p, now, pathway.OpenInput{Service: "maternity"})
	if err := a.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:lee"}); err != nil {
		t.Fatal(err)
	}
	if err := a.ScheduleJob(ctx, store.Job{ID: "j1", Kind: "checkin", At: now}); err != nil {
		t.Fatal(err)
	}

	if _, err := b.GetCase(ctx, 1); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("the other prefix sees case 1: %v", err)
	}
	if n, err := b.CountOpen(ctx); err != nil || n != 0 {
		t.Errorf("the other prefix counts %d open, %v", n, err)
	}
	if cs, err := b.ListOpen(ctx, store.CaseFilter{All: true}); err != nil || len(cs) != 0 {
		t.Errorf("the other prefix lists %d, %v", len(cs), err)
	}
	if cl, err := b.ClaimDue(ctx, now.AddDate(1, 0, 0), time.Minute, 100, "b"); err != nil || len(cl) != 0 {
		t.Errorf("the other prefix claims %v, %v", cl, err)
	}
	if svcs, err := b.Services(ctx); err != nil || len(svcs) != 0 {
		t.Errorf("the other prefix has services %v, %v", svcs, err)
	}
	if _, ok, err := b.GetJob(ctx, "j1"); ok || err != nil {
		t.Errorf("the other prefix has job j1: %v", err)
	}
	// And the other prefix numbers its own cases from 1.
	c := create(t, b, p, now, pathway.OpenInput{})
	if c.ID != 1 {
		t.Errorf("first case under a new prefix is %d", c.ID)
	}
	if len(keys(t, a)) == 0 || len(keys(t, b)) == 0 {
		t.Fatal("no keys written")
	}
	for _, k := range keys(t, b) {
		if strings.HasPrefix(k, a.Prefix()) {
			t.Errorf("key %q under both prefixes", k)
		}
	}
}

func TestMarkOnce(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	first, err := st.MarkOnce(ctx, "digest:2026-01-12:maternity", time.Hour)
	if err != nil || !first {
		t.Fatalf("first MarkOnce = %v, %v", first, err)
	}
	again, err := st.MarkOnce(ctx, "digest:2026-01-12:maternity", time.Hour)
	if err != nil || again {
		t.Fatalf("second MarkOnce = %v, %v", again, err)
	}
	if ttl := st.Client().TTL(ctx, st.Prefix()+"once:digest:2026-01-12:maternity").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("mark TTL = %v", ttl)
	}
	other, err := st.MarkOnce(ctx, "digest:2026-01-12:ed", time.Hour)
	if err != nil || !other {
		t.Errorf("a different mark = %v, %v", other, err)
	}
	if err := st.ForgetMark(ctx, "digest:2026-01-12:maternity"); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.MarkOnce(ctx, "digest:2026-01-12:maternity", time.Hour); err != nil || !ok {
		t.Errorf("MarkOnce after ForgetMark = %v, %v", ok, err)
	}
}
