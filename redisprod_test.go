package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// smoke runs the whole command set and a scheduler tick, with a one-off
// job and the digest, against whatever Redis the bench is on.
func smoke(t *testing.T, b *bench) {
	t.Helper()
	ctx := context.Background()
	steps := []struct{ person, line, want string }{
		{"admin", "/hpp service maternity lead=@pat channel=#maternity wellbeing=@jo", "Service set up"},
		{"lee", "/hpp open INC-1042 service=maternity harm=moderate involved=@sam Fall on the ward", "HPP-1 is open"},
		{"lee", "/hpp open INC-1043 harm=low Slip", "HPP-2 is open"},
		{"lee", "/hpp contact HPP-1 via=phone next=1d Spoke with the family", "Contact logged"},
		{"lee", "/hpp plan HPP-1 every=1w via=phone Tuesdays", "Plan recorded"},
		{"lee", "/hpp candour HPP-1 notified Met in person", "the family was told what happened"},
		{"lee", "/hpp candour HPP-1 written", "written follow-up was sent"},
		{"lee", "/hpp candour HPP-1 update", "an update was given"},
		{"lee", "/hpp family HPP-1 support Advocacy details given", "independent support or advice offered"},
		{"lee", "/hpp family HPP-1 parallel=complaint", "Reminders to keep in touch carry on"},
		{"lee", "/hpp involve HPP-1 @jo", "Recorded <@console:jo> as involved"},
		{"lee", "/hpp snooze HPP-2 1d", "snoozed until"},
		{"lee", "/hpp lead HPP-2 @alex", "is now the named contact"},
		{"sam", "/hpp status HPP-1", "Named contact: <@console:lee>"},
		{"lee", "/hpp list", "2 cases"},
		{"pat", "/hpp list all", "HPP-1"},
		{"admin", "/hpp list all", "2 cases"},
		{"admin", "/hpp list overdue", "none — everything is on time"},
		{"lee", "/hpp timeline HPP-1", "events, oldest first"},
		{"lee", "/hpp prompt HPP-1", "this card fits best"},
		{"robin", "/hpp status HPP-1", "only open to the people on it"},
		{"lee", "/hpp close HPP-1 Family content", "is closed"},
		{"lee", "/hpp reopen HPP-1", "is open again"},
		{"lee", "/hpp open INC-1044 lives at LS1 4AP", "postcode"},
	}
	for _, s := range steps {
		if got, _ := b.do(s.person, s.line); !strings.Contains(got, s.want) {
			t.Errorf("%s: %q:\n%s\nwant %q", s.person, s.line, got, s.want)
		}
	}
	// A check-in job and the reminders fall due; a tick delivers them.
	b.sched.HandleJob("smoke", func(ctx context.Context, j store.Job, now time.Time) error {
		return b.box.SendDirect(ctx, j.Person, botReply("check-in"))
	})
	if err := b.sched.Schedule(ctx, store.Job{ID: "smoke-1", Kind: "smoke", Person: "console:sam", At: wedMorning.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	later := time.Date(2026, 12, 1, 10, 0, 0, 0, london) // the next Tuesday
	b.clock.Set(later)
	res, err := b.sched.Tick(ctx, later)
	if err != nil || res.Sent < 3 || res.Failed != 0 {
		t.Errorf("tick = %+v, %v; want the job and both cases' reminders sent", res, err)
	}
	if res, err := b.sched.Tick(ctx, later); err != nil || res.Sent != 0 {
		t.Errorf("second tick = %+v, %v; want nothing sent twice", res, err)
	}
	if err := b.sched.Digest(ctx, later); err != nil {
		t.Errorf("digest: %v", err)
	}
	if got := len(b.box.sent["console:maternity"]); got != 1 {
		t.Errorf("digests posted to #maternity: %d; want 1", got)
	}
	if got, _ := b.do("admin", "/hpp list overdue"); !strings.Contains(got, "HPP-") {
		t.Errorf("overdue list after the tick: %s", got)
	}
}

func TestRedisWithAUTH(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true, Args: []string{
		"--requirepass", "s3cret-synthetic",
		"--user", "hpp", "on", ">hpp-synthetic-pw", "~*", "&*", "+@all",
	}})
	t.Run("password", func(t *testing.T) {
		smoke(t, newBench(t, srv, "redis://:s3cret-synthetic@"+srv.Addr()+"/0"))
	})
	t.Run("user and password", func(t *testing.T) {
		smoke(t, newBench(t, srv, "redis://hpp:hpp-synthetic-pw@"+srv.Addr()+"/1"))
	})
	t.Run("wrong password", func(t *testing.T) {
		url := "redis://:not-the-password@" + srv.Addr() + "/0"
		var stdout, stderr bytes.Buffer
		code := run([]string{"--check-config"}, env(map[string]string{"REDIS_URL": url}), strings.NewReader(""), &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "did not answer (redis: auth)") || strings.Contains(stderr.String(), "not-the-password") {
			t.Errorf("exit %d, stderr %q; want 1 and the kind of failure, without the password", code, stderr.String())
		}
		b := newBench(t, srv, url)
		if got, _ := b.do("lee", "/hpp open INC-1 harm=low"); got != pathway.NothingSaved {
			t.Errorf("open with the wrong password: %q", got)
		}
	})
}

// testCA writes a throwaway CA and a certificate for 127.0.0.1 it signed.
func testCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hppbot test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("redis.pem", "CERTIFICATE", der), write("redis.key", "EC PRIVATE KEY", keyDER)
}

func TestRedisOverTLS(t *testing.T) {
	storetest.NeedTLS(t)
	caFile, certFile, keyFile := testCA(t, t.TempDir())
	srv := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true, TLS: true, Args: []string{
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", caFile, "--tls-auth-clients", "no",
		"--requirepass", "s3cret-synthetic",
	}})
	url := "rediss://:s3cret-synthetic@" + srv.Addr() + "/0"
	vars := map[string]string{"REDIS_URL": url, "HPP_REDIS_CA_FILE": caFile}
	cfg, err := readConfig(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	smoke(t, newBenchWith(t, srv, cfg))

	var stdout, stderr bytes.Buffer
	if code := run([]string{"--check-config"}, env(vars), strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Redis over TLS at "+srv.Addr()+" answers") {
		t.Errorf("--check-config over TLS: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	// Without the CA the certificate is not trusted: nothing is sent.
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"--check-config"}, env(map[string]string{"REDIS_URL": url}), strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "(redis: tls)") {
		t.Errorf("--check-config without the CA: exit %d, %q; want 1 and a TLS failure", code, stderr.String())
	}
}

func TestRedisCluster(t *testing.T) {
	var nodes []*storetest.Server
	for i := 0; i < 3; i++ {
		nodes = append(nodes, storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true, Args: []string{
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
		}}))
	}
	makeCluster(t, nodes)
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.Addr())
	}
	b := newBench(t, nodes[0], "redis://"+strings.Join(addrs, ","))
	if _, ok := b.st.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("REDIS_URL with three hosts gave a %T; want a Cluster client", b.st.Client())
	}
	smoke(t, b)

	// A node that forgot its scripts (restarted, or a replica promoted)
	// answers NOSCRIPT: each is loaded again where it is missing.
	ctx := context.Background()
	cc := b.st.Client().(*redis.ClusterClient)
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.ScriptFlush(ctx).Err() }); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.do("admin", "/hpp list all"); !strings.Contains(got, "2 cases") {
		t.Errorf("list after SCRIPT FLUSH on every node: %s", got)
	}
	if got, _ := b.do("lee", "/hpp contact HPP-2 via=phone"); !strings.Contains(got, "Contact logged") {
		t.Errorf("contact after SCRIPT FLUSH: %s", got)
	}
	if _, err := b.sched.Tick(ctx, b.clock.Now().Add(time.Minute)); err != nil {
		t.Errorf("tick after SCRIPT FLUSH: %v", err)
	}
	purgeOnCluster(t, b, cc)
	// The cases really are spread over the nodes, each partition whole on one.
	spread := map[string]bool{}
	for pt := 0; pt < store.Partitions; pt++ {
		slot := clusterSlot(fmt.Sprintf("p%d", pt))
		for i, n := range nodes {
			if slot >= i*16384/3 && slot < (i+1)*16384/3 {
				spread[n.Addr()] = true
			}
		}
	}
	if len(spread) < 2 {
		t.Errorf("the 16 partitions all hash to one node: %v", spread)
	}
	// Clean-up reaches every node.
	if err := storetest.Clean(ctx, b.st); err != nil {
		t.Fatal(err)
	}
	var left atomic.Int64 // ForEachMaster runs on the nodes at once
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		n, err := c.DBSize(ctx).Result()
		left.Add(n)
		return err
	}); err != nil || left.Load() != 0 {
		t.Errorf("%d keys left after Clean (%v)", left.Load(), err)
	}
}

// purgeOnCluster closes HPP-2 (which has had reminders, so delivery marks),
// lets its retention run out and purges it through the admin command: on
// a Cluster, with the scripts flushed, no key of it is left on any node
// and one audit line is kept.
func purgeOnCluster(t *testing.T, b *bench, cc *redis.ClusterClient) {
	t.Helper()
	ctx := context.Background()
	if got, _ := b.do("alex", "/hpp close HPP-2"); !strings.Contains(got, "is closed") {
		t.Fatalf("close HPP-2: %s", got)
	}
	closed := b.clock.Now()
	nodeKeys := func() []string {
		var mu sync.Mutex
		var out []string
		if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			ks, err := c.Keys(ctx, b.st.Prefix()+"*").Result()
			mu.Lock()
			out = append(out, ks...)
			mu.Unlock()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// A tick whose acknowledgement met a change in between leaves a
	// delivery mark (one that goes through records the send in the case):
	// leave one for HPP-2 that way.
	c, err := b.st.GetCase(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	stale := c.Clone()
	stale.Version--
	if err := b.st.AckCase(ctx, store.Claim{Partition: 2, Member: "2", Token: "test/stale"}, stale, c.Clone(), b.h.Policy, nil, []string{"contact:9:9"}, time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an acknowledgement of an older HPP-2: %v, want ErrConflict", err)
	}
	own := regexp.MustCompile(`\{p2\}:(case:2|sent:2:.*)$`)
	var before int
	for _, k := range nodeKeys() {
		if own.MatchString(k) {
			before++
		}
	}
	if before < 2 {
		t.Fatalf("HPP-2 has %d keys of its own before the purge; want its case and a delivery mark", before)
	}
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.ScriptFlush(ctx).Err() }); err != nil {
		t.Fatal(err)
	}
	b.clock.Set(b.h.Policy.PurgeDue(closed).Add(time.Hour))
	if got, _ := b.do("admin", "/hpp purge confirm"); !strings.Contains(got, "Removed 1 closed case: HPP-2.") {
		t.Errorf("purge on a Cluster: %s", got)
	}
	for _, k := range nodeKeys() {
		if own.MatchString(k) {
			t.Errorf("key %s of HPP-2 left on the Cluster after the purge", k)
		}
	}
	if log, err := b.st.PurgeLog(ctx); err != nil || len(log) != 1 || log[0].Case != 2 || log[0].Ref != "INC-1043" {
		t.Errorf("audit on a Cluster: %+v, %v", log, err)
	}
	if got, _ := b.do("lee", "/hpp status HPP-1"); !strings.Contains(got, "INC-1042") {
		t.Errorf("HPP-1 after HPP-2's purge: %s", got)
	}
}

// makeCluster joins the nodes into a cluster, each serving a third of the
// slots, and waits until every node says it is ok.
func makeCluster(t *testing.T, nodes []*storetest.Server) {
	t.Helper()
	ctx := context.Background()
	var clients []*redis.Client
	for _, n := range nodes {
		c := redis.NewClient(&redis.Options{Addr: n.Addr(), DisableIdentity: true})
		t.Cleanup(func() { c.Close() })
		clients = append(clients, c)
	}
	for i, c := range clients {
		lo, hi := i*16384/len(nodes), (i+1)*16384/len(nodes)-1
		if err := c.ClusterAddSlotsRange(ctx, lo, hi).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes[1:] {
		if err := clients[0].ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(n.Port)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 30*time.Second, "the cluster to be ok", func() bool {
		for _, c := range clients {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(nodes))) {
				return false
			}
		}
		return true
	})
}

// clusterSlot is Redis Cluster's hash slot of a hash tag.
func clusterSlot(tag string) int {
	var crc uint16
	for _, c := range []byte(tag) {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}

func TestRedisSentinel(t *testing.T) {
	master := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true, Args: []string{"--requirepass", "s3cret-synthetic", "--masterauth", "s3cret-synthetic"}})
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	text := fmt.Sprintf("sentinel monitor hppmaster 127.0.0.1 %d 1\nsentinel auth-pass hppmaster s3cret-synthetic\nsentinel down-after-milliseconds hppmaster 5000\n", master.Port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel := storetest.StartServer(t, storetest.ServerOptions{ConfigFile: conf, Sentinel: true})
	b := newBench(t, master, "redis://:s3cret-synthetic@"+sentinel.Addr()+"?master_name=hppmaster")
	if _, ok := b.st.Client().(*redis.Client); !ok {
		t.Fatalf("REDIS_URL with master_name gave a %T; want a failover client", b.st.Client())
	}
	smoke(t, b)
	var stdout, stderr bytes.Buffer
	vars := map[string]string{"REDIS_URL": "redis://:s3cret-synthetic@" + sentinel.Addr() + "?master_name=hppmaster"}
	if code := run([]string{"--check-config"}, env(vars), strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Redis Sentinel (master hppmaster) at "+sentinel.Addr()) {
		t.Errorf("--check-config with Sentinel: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
}
