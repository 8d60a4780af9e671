package store

import (
	"context"

	"github.com/redis/go-redis/v9"
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

// checkinCmds are the commands that write plans, in the order they run:
// for each plan, its service, its jobs and their tracking, then a read of
// the person's settings.
func (s *Store) checkinCmds(ctx context.Context, plans []*Checkins) ([]redis.Cmder, error) {
	var cmds []redis.Cmder
	for _, pl := range plans {
		if pl.Service != "" {
			cmds = append(cmds, s.personServiceCmd(ctx, pl.Person, pl.Service))
		}
		// Being recorded as involved starts the settings' keep time again.
		cmds = append(cmds, s.settingsExpiry(ctx, pl.Person)...)
		for _, j := range pl.Jobs {
			keys, args, err := s.jobWrite(j)
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, scriptCmd(ctx, jobScript, keys, args...))
			cmds = append(cmds, s.trackCmds(ctx, pl.Person, j.ID, j.At)...)
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
