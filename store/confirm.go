package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// A write whose reply never came (Redis slower than the client's timeout, or
// the connection lost after the command went) may or may not have landed.
// Saying "Nothing was saved" then can be untrue, and a person who types the
// command again gets it twice. So every write carries a command id: the
// apply script records, under the id, that it wrote (1). When the reply is
// lost, the store asks about the id on a
// client that waits longer, and the same call fences it: an id with nothing
// recorded is marked abandoned (2), and the apply script refuses to run for
// an abandoned id, so a write still on its way can't land after "Nothing was
// saved" was said.
const (
	// cmdTTL is how long a command's outcome is kept: longer than any
	// write can be on its way.
	cmdTTL = 10 * time.Minute
	// ResolveTimeout bounds the look-up of a lost reply: with the client's
	// ReadTimeout before it, a command is answered well inside Slack's
	// three seconds.
	ResolveTimeout = 2 * time.Second
	// resolveWait is how long the look-up waits for the write to arrive
	// before fencing it, polling every resolvePoll.
	resolveWait = 1200 * time.Millisecond
	resolvePoll = 100 * time.Millisecond
)

// Outcomes the apply script records under a command id.
const (
	outcomeWritten   = 1
	outcomeAbandoned = 2
)

// resolveScript reads a command's outcome, marking it abandoned if none is
// recorded yet. KEYS: 1 the command's key. ARGV: 1 ttl in seconds.
var resolveScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
  return tonumber(v)
end
redis.call('SET', KEYS[1], '2', 'EX', ARGV[1])
return 2
`)

// newCommandID returns a random id for one write.
func newCommandID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cmdKey is where the outcome of a write to partition pt is kept.
func (s *Store) cmdKey(pt int, id string) string { return s.part(pt) + "cmd:" + id }

// replyLost reports whether a write may have reached Redis although its
// reply did not come back: a timeout or a connection lost mid-command.
// A refused connection, a pool timeout or an error reply means the write
// did not run.
func replyLost(err error) bool {
	switch FailureKind(err) {
	case "timeout", "connection lost":
		return true
	}
	return false
}

// resolveInt finds out what became of a write whose reply was lost. First
// it waits a little for the write to arrive (a slow Redis usually gets
// there): outcomeWritten as soon as the write is seen. Then it fences it:
// outcomeAbandoned means it had not landed and now never will. When Redis
// does not answer that either, it returns an Unconfirmed error; what the
// person is told then says how to check.
func (s *Store) resolveInt(ctx context.Context, key string, caseID int64, lost error) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ResolveTimeout)
	defer cancel()
	waitUntil := time.Now().Add(resolveWait)
	for time.Now().Before(waitUntil) {
		v, err := s.resolver.Get(ctx, key).Int()
		if err == nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return 0, unconfirmed(caseID, lost)
		case <-time.After(resolvePoll):
		}
	}
	// EVAL, not EVALSHA: one round trip even when the script isn't loaded,
	// which matters when every round trip is slow.
	res, err := resolveScript.Eval(ctx, s.resolver, []string{key}, int(cmdTTL/time.Second)).Int()
	if err != nil {
		return 0, unconfirmed(caseID, lost)
	}
	return res, nil
}

// unconfirmed is the error for a write whose outcome could not be found out.
func unconfirmed(caseID int64, cause error) error {
	check := "/hpp list mine"
	if caseID > 0 {
		check = "/hpp timeline " + pathway.CaseName(caseID)
	}
	return &pathway.Error{Code: pathway.Unavailable, Err: Redact(cause), Message: "I couldn't confirm whether that was saved — my records are very slow to answer just now. " +
		"Before typing it again, check with " + check + " in a minute: if it is there, it was saved."}
}

// ApplyScriptHash is the SHA1 of the script every case write runs: what a
// test holds to make writes slow, and what an operator sees in SLOWLOG.
var ApplyScriptHash = applyScript.Hash()
