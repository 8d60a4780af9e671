package main

// purgecmd.go is `hppbot purge`, the operator's form of the nightly purge:
// with --dry-run it lists the closed cases kept past the policy's
// retention.closed_case_keep and removes nothing; without, it removes them
// (every key of each case, one audit line kept) and lists what went.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/scheduler"
)

const purgeUsage = `Usage: hppbot purge [--dry-run]

Removes the closed cases kept past the policy's retention.closed_case_keep
(every key of each case; one audit line per case is kept: its number,
reference and the dates it closed and was purged). The scheduler does the
same every night at 02:30; this is for operators.

  --dry-run  list what would be removed, and remove nothing
`

// purgeListMax is the most cases --dry-run lists.
const purgeListMax = 10000

func runPurge(args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("hppbot purge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dry := fs.Bool("dry-run", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, purgeUsage)
			return 0
		}
		fmt.Fprintf(stderr, "hppbot purge: %v (hppbot purge --help lists the flags)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hppbot purge: unexpected %q: it takes only --dry-run (hppbot purge --help)\n", fs.Arg(0))
		return 2
	}
	cfg, err := readConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: %v\n", err)
		return 2
	}
	if cfg.RedisURL == "" {
		fmt.Fprintln(stderr, "hppbot purge: REDIS_URL is not set, so there is no stored case to purge (the embedded store keeps nothing once hppbot stops). Set REDIS_URL to the Redis hppbot uses.")
		return 2
	}
	redis.SetLogger(redisLogger{slog.New(slog.DiscardHandler)})
	st, err := connectRedisWith(cfg, func(o *redis.UniversalOptions) { o.DialTimeout, o.ReadTimeout = 3*time.Second, 3*time.Second })
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: REDIS_URL: %v\n", err)
		return 2
	}
	defer st.Close()
	p := cfg.Policy
	t := now()
	keep := p.Retention.ClosedCaseKeep
	ctx, cancel := context.WithTimeout(context.Background(), scheduler.PurgeBudget)
	defer cancel()
	if *dry {
		due, err := st.DuePurge(ctx, p.PurgeCutoff(t), purgeListMax)
		if err != nil {
			fmt.Fprintf(stderr, "hppbot purge: could not read the cases: %v\n", pathway.ErrorMessage(err))
			return 1
		}
		if len(due) == 0 {
			fmt.Fprintf(stdout, "No closed case has been kept past %s after closing (retention.closed_case_keep %s). Nothing to purge.\n", keep.Human(), keep)
			return 0
		}
		fmt.Fprintf(stdout, "Closed cases kept past %s after closing (retention.closed_case_keep %s):\n", keep.Human(), keep)
		for _, c := range due {
			fmt.Fprintf(stdout, "  %s\t%s\tclosed %s\tdue for purge since %s\n", c.Name(), c.Ref, c.Closed.In(p.Location()).Format(time.DateOnly), p.PurgeDue(c.Closed).Format(time.DateOnly))
		}
		fmt.Fprintf(stdout, "%s would be purged. Nothing was removed. To keep a copy of one first, an admin can export it in chat (/hpp export %s); then run hppbot purge without --dry-run.\n", count(len(due), "case", "cases"), due[0].Name())
		return 0
	}
	sched := scheduler.New(scheduler.Config{Store: st, Policy: p, Clock: now})
	recs, err := sched.Purge(ctx, t)
	for _, r := range recs {
		fmt.Fprintf(stdout, "purged %s\t%s\tclosed %s\n", pathway.CaseName(r.Case), r.Ref, r.Closed.In(p.Location()).Format(time.DateOnly))
	}
	if err != nil {
		fmt.Fprintf(stderr, "hppbot purge: stopped after %s: %v. Run it again to carry on.\n", count(len(recs), "case", "cases"), pathway.ErrorMessage(err))
		return 1
	}
	if len(recs) == 0 {
		fmt.Fprintf(stdout, "No closed case has been kept past %s after closing (retention.closed_case_keep %s). Nothing to purge.\n", keep.Human(), keep)
		return 0
	}
	fmt.Fprintf(stdout, "%s purged. One audit line is kept for each (case, reference, closed and purged dates).\n", count(len(recs), "case", "cases"))
	return 0
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
