package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// toldFor is how long the admins are not told again about the same
// unreadable record.
const toldFor = 30 * 24 * time.Hour

// noticeTimeout bounds telling the admins about one record.
const noticeTimeout = 30 * time.Second

// setAside is the store's OnUnreadable: a record that could not be read is
// counted, logged with its key (never its content) and, once per record
// for toldFor, the admins are told by private message. The telling happens
// in the background: the read that met the record carries on at once.
// Notices in flight are counted in telling, so a test can wait for them.
func setAside(st *store.Store, m *Metrics, log *slog.Logger, msg bot.Messenger, admins []string, telling *sync.WaitGroup) func(context.Context, store.Unreadable) {
	return func(ctx context.Context, u store.Unreadable) {
		m.Unreadable(u.Kind)
		log.Warn("record set aside: it could not be read", "kind", u.Kind, "key", u.Key, "entry", u.Entry, "case", u.Case)
		if msg == nil || len(admins) == 0 {
			return
		}
		telling.Go(func() { tellAdmins(context.WithoutCancel(ctx), st, log, msg, admins, u) })
	}
}

// tellAdmins sends the notice about u to each admin, unless they were told
// about it within toldFor. If no admin could be reached, the mark is taken
// back so the next read tries again.
func tellAdmins(ctx context.Context, st *store.Store, log *slog.Logger, msg bot.Messenger, admins []string, u store.Unreadable) {
	ctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	defer cancel()
	first, err := st.MarkOnce(ctx, "unreadable:"+u.Key+"#"+u.Entry, toldFor)
	if err != nil || !first {
		return
	}
	reply := bot.Reply{Text: unreadableNotice(u)}
	told := 0
	for _, a := range admins {
		a = strings.TrimPrefix(strings.TrimSpace(a), "@")
		if a == "" {
			continue
		}
		if err := msg.SendDirect(ctx, a, reply); err != nil {
			log.Warn("could not tell an admin about an unreadable record", "key", u.Key, "err", err)
			continue
		}
		told++
	}
	if told == 0 {
		_ = st.ForgetMark(context.WithoutCancel(ctx), "unreadable:"+u.Key+"#"+u.Entry)
	}
}

// unreadableNotice is what the admins are told about u.
func unreadableNotice(u store.Unreadable) string {
	const after = " Nothing in it has been changed, and nothing of it has been shown to anyone. To mend it, restore that key from your Redis backup, or remove it if the case is no longer needed — docs/operations.md (\"Unreadable records\") says how. I won't tell you about this record again for 30 days."
	switch u.Kind {
	case "event":
		return fmt.Sprintf("I couldn't read one entry of %s's timeline in Redis (key %s, entry %s), so I've left it out: the timeline, export and reports show the rest of the case, and its reminders carry on.", pathway.CaseName(u.Case), u.Key, u.Entry) + after
	case "job":
		return fmt.Sprintf("I couldn't read a scheduled job in Redis (key %s, field %s), so I've set it aside: it won't run until it is mended, and everything else carries on.", u.Key, u.Entry) + after
	}
	return fmt.Sprintf("I couldn't read the record of %s in Redis (key %s), so I've set it aside: its reminders wait, and lists and reports leave it out and say so. Every other case carries on as usual.", pathway.CaseName(u.Case), u.Key) + after
}
