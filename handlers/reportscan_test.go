package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/report"
	"hppbot/store/storetest"
)

// TestReportPagedMatchesFullRead holds the report, which reads cases a page
// at a time and keeps only its counts, to the figures worked out from every
// case and timeline read at once (report.Compute over store.CasesActive and
// store.Timelines, as the report did before), on a random synthetic trust:
// cases opened over five months in three services, with contacts, candour
// steps, nudges and escalations, closures and reopenings, corrections of
// harm and service, struck entries, and closed cases purged. Every scope
// (each service, two together, all) and several windows are compared, and
// the full read's figures do not depend on the order cases come in.
func TestReportPagedMatchesFullRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(2026, 21))
	services := []string{"maternity", "surgery", "renal"}
	harms := []pathway.Harm{pathway.HarmNone, pathway.HarmLow, pathway.HarmModerate, pathway.HarmSevere, pathway.HarmDeath}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	const n = 400
	purged := 0
	for i := 0; i < n; i++ {
		opened := now.Add(-time.Duration(rng.IntN(150*24)+1) * time.Hour)
		in := pathway.OpenInput{Ref: fmt.Sprintf("INC-S%d", i), Service: services[rng.IntN(len(services))], Harm: harms[rng.IntN(len(harms))]}
		c, ev, err := pathway.Open(in, fmt.Sprintf("console:p%d", i%11), p, opened)
		must(err, "open")
		id, err := st.CreateCase(ctx, c, p, ev)
		must(err, "create")
		at := opened
		step := func(change func(c *pathway.Case, at time.Time) ([]pathway.Event, error)) {
			at = at.Add(time.Duration(rng.IntN(96)+1) * time.Hour)
			if !at.Before(now) {
				return
			}
			old, err := st.GetCase(ctx, id)
			must(err, "get")
			c := old.Clone()
			evs, err := change(c, at)
			if err != nil || len(evs) == 0 {
				return // a step the case does not allow now (closed, already done)
			}
			must(st.SaveCase(ctx, old, c, p, evs...), "save")
		}
		one := func(f func(c *pathway.Case, at time.Time) (pathway.Event, error)) func(c *pathway.Case, at time.Time) ([]pathway.Event, error) {
			return func(c *pathway.Case, at time.Time) ([]pathway.Event, error) {
				e, err := f(c, at)
				return []pathway.Event{e}, err
			}
		}
		for k := rng.IntN(8); k > 0; k-- {
			switch rng.IntN(10) {
			case 0, 1, 2:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					return c.LogContact(pathway.ContactInput{Via: "phone", Note: "Spoke with the family"}, c.Lead, p, at)
				}))
			case 3:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					return c.RecordCandour(pathway.CandourNotified, "", time.Time{}, c.Lead, p, at)
				}))
			case 4:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					return c.RecordCandour(pathway.CandourWritten, "", time.Time{}, c.Lead, p, at)
				}))
			case 5:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					kind := pathway.EventReminder
					if rng.IntN(3) == 0 {
						kind = pathway.EventEscalation
					}
					return pathway.Event{At: at, Actor: pathway.Bot, Kind: kind, People: []string{c.Lead}}, nil
				}))
			case 6:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					if c.IsOpen() {
						return c.Close("", c.Lead, at)
					}
					return c.Reopen(c.Lead, p, at)
				}))
			case 7:
				step(func(c *pathway.Case, at time.Time) ([]pathway.Event, error) {
					svc := services[rng.IntN(len(services))]
					h := harms[rng.IntN(len(harms))]
					return c.Correct(pathway.CorrectInput{Service: &svc, Harm: &h, Reason: "recorded against the wrong service"}, c.Lead, p, at)
				})
			case 8:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					timeline, err := st.Timeline(ctx, c.ID)
					if err != nil {
						return pathway.Event{}, err
					}
					no := 0
					for _, e := range timeline {
						if e.CountsAsContact() {
							no = e.No
						}
					}
					return c.Strike(timeline, no, "logged on the wrong case", c.Lead, p, at)
				}))
			case 9:
				step(one(func(c *pathway.Case, at time.Time) (pathway.Event, error) {
					return c.Snooze(pathway.Span{N: 2, Unit: pathway.WorkingDay}, c.Lead, p, at)
				}))
			}
		}
		if i%13 == 0 {
			c, err := st.GetCase(ctx, id)
			must(err, "get")
			if !c.IsOpen() {
				ok, err := st.PurgeCase(ctx, c, now, time.Hour)
				must(err, "purge")
				if ok {
					purged++
				}
			}
		}
	}
	if purged == 0 {
		t.Fatal("no case was purged: the data set does not test purges")
	}

	h := New(Config{Store: st, Policy: p, Clock: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)})
	full := func(scope reportScope, from time.Time, shuffle bool) report.Figures {
		cases, err := st.CasesActive(ctx, from, now, scope.keep)
		must(err, "CasesActive")
		ids := make([]int64, len(cases))
		for i, c := range cases {
			ids[i] = c.ID
		}
		timelines, err := st.Timelines(ctx, ids)
		must(err, "Timelines")
		for id, events := range timelines {
			timelines[id] = pathway.Rejudge(events, p)
		}
		if shuffle {
			rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		}
		return report.Compute(report.Input{Cases: cases, Timelines: timelines, From: from, To: now, Now: now, Loc: loc})
	}
	scopes := []reportScope{{all: true}, {services: []string{"maternity"}}, {services: []string{"renal", "surgery"}}, {services: []string{"nowhere"}}}
	for _, scope := range scopes {
		for _, days := range []int{7, 30, 90, 365} {
			from := pathway.Midnight(now, loc).AddDate(0, 0, -days)
			got, _, _, _, _, err := h.windowFigures(ctx, scope, from, now)
			must(err, "windowFigures")
			want := full(scope, from, false)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %d days: paged figures differ from the full read:\n got %+v\nwant %+v", scope.label(), days, got, want)
			}
			if shuffled := full(scope, from, true); !reflect.DeepEqual(shuffled, want) {
				t.Errorf("%s, %d days: the figures depend on the order of the cases", scope.label(), days)
			}
			if days == 365 {
				year := report.FinancialYearOf(now, loc)
				yf, yt := report.FinancialYear(year, loc)
				got, _, err := h.yearlyRows(ctx, scope, yf, yt)
				must(err, "yearlyRows")
				all, err := st.CasesOpened(ctx, time.Time{}, time.Time{}, scope.keep)
				must(err, "CasesOpened")
				want := report.Yearly(all, yf, yt, loc)
				if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("%s, yearly %d: paged rows %+v, want %+v", scope.label(), year, got, want)
				}
				if scope.all && len(want) < 3 {
					t.Errorf("the data set gives %d yearly rows, want one a service", len(want))
				}
			}
			if scope.all && days == 90 && (want.Opened == 0 || want.Contacts.Den == 0 || want.Nudges == 0 || want.Closed == 0 || len(want.FirstContacts) == 0) {
				t.Errorf("the data set leaves figures at zero: %+v", want)
			}
		}
	}
}
