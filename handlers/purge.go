package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// purgeStore finds and removes closed cases kept past their retention.
type purgeStore interface {
	DuePurge(ctx context.Context, cutoff time.Time, limit int) ([]*pathway.Case, error)
	Purge(ctx context.Context, cutoff, now time.Time, limit int, auditKeep time.Duration) ([]store.PurgeRecord, error)
}

// purgeShown is the most cases a purge reply lists by name.
const purgeShown = 30

// purgeLimit is the most cases one /hpp purge confirm removes, so a reply
// comes back quickly; the nightly purge takes any left.
const purgeLimit = 200

func (h *Handler) purgeCommand() *command {
	return &command{
		name:    "purge",
		grammar: grammar{positional: 1},
		run:     h.purge,
		noArgs:  h.purgePreview,
		usage:   "purge [confirm]",
		summary: "remove closed cases kept past their time (admins)",
		group:   "setup",
		help: "Admins only. Closed cases are kept for a while after closing (" + h.purgeKeepText() + "), then removed at night: hppbot is a working tool, and your risk system keeps the record.\n" +
			"/hpp purge lists the closed cases past that time and removes nothing; export any you want to keep a copy of first (/hpp export HPP-3).\n" +
			"/hpp purge confirm removes them now: everything of each case goes, and one line is kept (its number, reference and the dates it closed and was purged).",
	}
}

// refusePurge is the refusal for anyone who is not an admin.
func (h *Handler) refusePurge() error {
	return pathway.Errorf(pathway.Forbidden, "Only hppbot admins can purge closed cases. Nothing has been removed. Closed cases are removed on their own %s after closing; if one needs to go sooner, or to be kept, please ask your hppbot administrator (the people listed in HPP_ADMINS).", h.Policy.Retention.ClosedCaseKeep.Human())
}

func (h *Handler) purge(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if !h.isAdmin(req.Person) {
		return bot.Reply{}, h.refusePurge()
	}
	if len(cmd.Args) == 0 {
		return h.purgePreview(ctx, req)
	}
	if !strings.EqualFold(cmd.Args[0], "confirm") {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "I only know /hpp purge, which lists the closed cases due to be removed, and /hpp purge confirm, which removes them. Nothing has been removed.")
	}
	now := h.Clock()
	recs, err := h.Store.Purge(ctx, h.Policy.PurgeCutoff(now), now, purgeLimit, h.Policy.PurgeAuditTTL(now))
	if err != nil {
		if len(recs) == 0 {
			return bot.Reply{}, err
		}
		h.Log.Warn("purge stopped part way", "purged", len(recs), "err", err)
	}
	if len(recs) == 0 {
		return bot.Reply{Text: h.nothingToPurge()}, nil
	}
	h.Log.Info("closed cases purged by an admin", "count", len(recs))
	names := make([]string, 0, len(recs))
	for _, r := range recs {
		names = append(names, pathway.CaseName(r.Case))
	}
	text := fmt.Sprintf("Removed %s: %s. For each, one line is kept — its number, reference and the dates it closed and was removed; nothing else of it remains.",
		plural(len(recs), "closed case", "closed cases"), listNames(names))
	if err != nil || len(recs) == purgeLimit {
		text += " There may be more: /hpp purge lists what is left, and tonight's clean-up takes the rest."
	}
	return bot.Reply{Text: text}, nil
}

func (h *Handler) purgePreview(ctx context.Context, req bot.Request) (bot.Reply, error) {
	if !h.isAdmin(req.Person) {
		return bot.Reply{}, h.refusePurge()
	}
	now := h.Clock()
	due, err := h.Store.DuePurge(ctx, h.Policy.PurgeCutoff(now), purgeLimit)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(due) == 0 {
		return bot.Reply{Text: h.nothingToPurge()}, nil
	}
	var b strings.Builder
	for i, c := range due {
		if i == purgeShown {
			fmt.Fprintf(&b, "…and %d more\n", len(due)-purgeShown)
			break
		}
		fmt.Fprintf(&b, "• %s · %s · closed %s\n", c.Name(), c.Ref, h.day(c.Closed))
	}
	keep := h.Policy.Retention.ClosedCaseKeep.Human()
	first := due[0].Name()
	return bot.Reply{
		Text:     fmt.Sprintf("*Closed cases kept past their time* (%s after closing): %d. Nothing has been removed yet.", keep, len(due)),
		Sections: []bot.Section{{Text: strings.TrimRight(b.String(), "\n")}},
		Note:     fmt.Sprintf("To keep a copy of any of them, export it first, for example /hpp export %s. Then /hpp purge confirm removes them, keeping one line per case (its number, reference and dates). If you do nothing, tonight's clean-up removes them.", first),
		Buttons:  []bot.Button{{Label: "Remove them now", Command: "purge confirm", Style: "danger"}},
	}, nil
}

// purgeKeepText is how long closed cases are kept, for the help.
func (h *Handler) purgeKeepText() string {
	if h.Policy == nil {
		return "the policy's retention.closed_case_keep"
	}
	return h.Policy.Retention.ClosedCaseKeep.Human()
}

func (h *Handler) nothingToPurge() string {
	return fmt.Sprintf("No closed case has been kept past its time (%s after closing), so there is nothing to remove.", h.Policy.Retention.ClosedCaseKeep.Human())
}

// listNames joins case names, shortening a long list.
func listNames(names []string) string {
	if len(names) > purgeShown {
		return strings.Join(names[:purgeShown], ", ") + fmt.Sprintf(" and %d more", len(names)-purgeShown)
	}
	return joinAnd(names)
}
