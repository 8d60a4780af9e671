package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// KeepSettings sets how long a person's settings ({u:P}:prefs: check-ins
// on or off, the service they were last involved in) are kept after they
// last changed; each change starts the time again. Zero keeps them until
// changed. main sets it from the policy's retention.settings_keep.
func (s *Store) KeepSettings(d time.Duration) { s.settingsTTL = d }

// settingsExpiry is the command that starts the person's settings' keep
// time again, if one is set.
func (s *Store) settingsExpiry(ctx context.Context, person string) []redis.Cmder {
	if s.settingsTTL <= 0 {
		return nil
	}
	return []redis.Cmder{redis.NewBoolCmd(ctx, "pexpire", s.prefsKey(person), s.settingsTTL.Milliseconds())}
}
