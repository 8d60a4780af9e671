package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// Checkins is one person's wellbeing check-ins for a case, written together
// with the case that records them as involved, in the same round trip.
// After the write, Off says whether the person has switched check-ins off
// and Err whether their check-ins could not be set up.
type Checkins struct {
	Person  string
	Service string // remembered for the person, to route a request to talk
	Jobs    []Job

	Off bool
	Err error
}

// jobScript adds or moves a job: its record and its place in the due index,
// together.
//
// KEYS: 1 jobs, 2 due. ARGV: 1 member, 2 job JSON, 3 when (Unix seconds).
var jobScript = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`)

// trackFor is how long a person's list of upcoming check-in jobs is kept:
// beyond any check-in schedule (jobs are removed from it as they run).
const trackFor = 400 * 24 * time.Hour

// checkinCmds are the commands that write plans, in the order they run, with
// the index of each plan's settings read.
func (s *Store) checkinCmds(ctx context.Context, plans []*Checkins) ([]redis.Cmder, error) {
	var cmds []redis.Cmder
	for _, pl := range plans {
		if pl.Service != "" {
			cmds = append(cmds, redis.NewIntCmd(ctx, "hset", s.prefsKey(pl.Person), "service", pl.Service))
		}
		track := s.checkinJobsKey(pl.Person)
		for _, j := range pl.Jobs {
			if j.ID == "" || j.Kind == "" {
				return nil, pathway.Errorf(pathway.Internal, "a job needs an id and a kind")
			}
			data, err := json.Marshal(j)
			if err != nil {
				return nil, pathway.Errorf(pathway.Internal, "encoding job: %v", err)
			}
			pt := jobPartition(j.ID)
			cmds = append(cmds, scriptCmd(ctx, jobScript, []string{s.jobsKey(pt), s.dueKey(pt)}, "j:"+j.ID, data, j.At.Unix()),
				redis.NewIntCmd(ctx, "zadd", track, j.At.Unix(), j.ID),
				redis.NewBoolCmd(ctx, "pexpire", track, trackFor.Milliseconds()))
		}
		cmds = append(cmds, redis.NewMapStringStringCmd(ctx, "hgetall", s.prefsKey(pl.Person)))
	}
	return cmds, nil
}

// readCheckins sets each plan's Off and Err from its commands' replies.
func readCheckins(plans []*Checkins, cmds []redis.Cmder) {
	i := 0
	for _, pl := range plans {
		for ; i < len(cmds); i++ {
			if err := cmds[i].Err(); err != nil && pl.Err == nil {
				pl.Err = unavailable(err)
			}
			if m, ok := cmds[i].(*redis.MapStringStringCmd); ok {
				pl.Off = m.Val()["checkins"] == "off"
				i++
				break
			}
		}
	}
}

// retryCheckins sends plans' commands in cmds (already sent with a case
// write) again when Redis did not have the job script loaded.
func (s *Store) retryCheckins(ctx context.Context, plans []*Checkins, cmds []redis.Cmder) []redis.Cmder {
	if !anyNoScript(cmds) {
		return cmds
	}
	if err := jobScript.Load(ctx, s.rdb).Err(); err != nil {
		return cmds
	}
	again, err := s.checkinCmds(ctx, plans)
	if err != nil {
		return cmds
	}
	_ = s.batch.do(ctx, again...)
	return again
}

func anyNoScript(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if isNoScript(c.Err()) {
			return true
		}
	}
	return false
}

// scriptCmd is an EVALSHA of sc, to send with other commands.
func scriptCmd(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmdArgs := make([]any, 0, 3+len(keys)+len(args))
	cmdArgs = append(cmdArgs, "evalsha", sc.Hash(), len(keys))
	for _, k := range keys {
		cmdArgs = append(cmdArgs, k)
	}
	return redis.NewCmd(ctx, append(cmdArgs, args...)...)
}
