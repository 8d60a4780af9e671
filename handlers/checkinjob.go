package handlers

import (
	"context"
	"crypto/rand"
	"strconv"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// CheckinJob is the scheduler job kind for check-ins: register
// (*Handler).RunCheckinJob for it with scheduler.HandleJob.
const CheckinJob = "checkin"

// RunCheckinJob runs a check-in job for the scheduler (kind CheckinJob). It
// sends nothing while the person has opted out, and skips a check-in due on
// a day the person has already had one — from another case, or one they
// started — because that one covers it: at most one check-in a day, so
// someone involved in several cases isn't asked again and again. A "Not now"
// re-ask is the same check-in asked again, so it is not skipped. A nil
// return finishes the job; an error leaves it to be tried again.
func (h *Handler) RunCheckinJob(ctx context.Context, j store.Job, now time.Time) error {
	person := j.Person
	if person == "" {
		return nil
	}
	settings, err := h.Store.PersonSettings(ctx, person)
	if err != nil {
		return err
	}
	if j.Data["again"] == "1" {
		return h.reask(ctx, j, settings, now)
	}
	if settings.CheckinsOff || !h.stillInvolved(ctx, j) {
		return h.Store.UntrackCheckinJob(ctx, person, j.ID)
	}
	day := h.Policy.CheckinDay(now)
	first, err := h.Store.MarkCheckinDay(ctx, person, day)
	if err != nil {
		return err
	}
	if !first {
		return h.Store.UntrackCheckinJob(ctx, person, j.ID)
	}
	token, err := pathway.NewCheckinToken(rand.Reader)
	if err != nil {
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		return err
	}
	n, _ := strconv.Atoi(j.Data["n"])
	ci := pathway.Checkin{Token: token, Kind: pathway.CheckinForCase, Case: j.Case, Service: j.Data["svc"], N: n, Sent: now}
	if j.Case == 0 || j.Data["kind"] == pathway.CheckinFollowUp {
		ci.Kind = pathway.CheckinFollowUp
	} else if ci.Service == "" {
		ci.Service = "none"
	}
	if err := h.Store.SaveCheckin(ctx, person, ci, pathway.CheckinOpenFor); err != nil {
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		return err
	}
	if err := h.Store.UntrackCheckinJob(ctx, person, j.ID); err != nil {
		h.Log.Warn("could not untrack a check-in job", "job", j.ID, "err", err)
	}
	next, hasNext := h.nextCheckin(ctx, person, now)
	if err := h.sendOwn(ctx, checkinKey(j), person, h.checkinMessage(ci, false, next, hasNext)); err != nil {
		_ = h.Store.DeleteCheckin(ctx, person, token)
		_ = h.Store.UnmarkCheckinDay(ctx, person, day)
		_ = h.Store.TrackCheckinJob(ctx, person, j.ID, j.At)
		return err
	}
	if ci.Kind == pathway.CheckinForCase {
		if err := h.Store.RecordCheckinParticipation(ctx, ci.Service, person, false, now.In(h.Policy.Location())); err != nil {
			h.Log.Warn("could not count a check-in for reports", "err", err)
		}
	}
	return nil
}

// reask asks a check-in again after "Not now", as a fresh check-in that
// remembers it was put off (so "Not now" on it doesn't ask a third time).
// Answering the first one cancels this job, so it only runs if unanswered.
func (h *Handler) reask(ctx context.Context, j store.Job, settings pathway.PersonSettings, now time.Time) error {
	if settings.CheckinsOff {
		return nil
	}
	token, err := pathway.NewCheckinToken(rand.Reader)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(j.Data["n"])
	ci := pathway.Checkin{Token: token, Kind: j.Data["kind"], Case: j.Case, Service: j.Data["svc"], N: n, Sent: now, Snoozed: true}
	if err := h.Store.SaveCheckin(ctx, j.Person, ci, pathway.CheckinOpenFor); err != nil {
		return err
	}
	next, hasNext := h.nextCheckin(ctx, j.Person, now)
	if err := h.sendOwn(ctx, checkinKey(j), j.Person, h.checkinMessage(ci, true, next, hasNext)); err != nil {
		_ = h.Store.DeleteCheckin(ctx, j.Person, token)
		return err
	}
	return nil
}
