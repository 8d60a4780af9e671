package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// People's own things: their check-in settings, the check-ins hppbot has
// sent them, and their private check-in answers.
//
// Privacy by construction (SPEC hard rule 2). Everything here lives under
// the person's own hash tag, <prefix>{u:<person>}:..., never under a case
// partition, so no case read, timeline, list, export or scheduler claim can
// reach it. Answers are read by exactly two paths: CheckinAnswers (the
// person's own history) and ForgetCheckinAnswers (their erasure). Reports get
// participation only — who was sent a check-in and who answered, as sets of
// person ids with no answers — through RecordCheckinParticipation. Nothing
// here is logged.
//
// Keys, all with one person's hash tag so each write is atomic on a Cluster:
//
//	{u:P}:checkins  sorted set of answers, scored by Unix time; each answer
//	                older than the keep time is removed on every read and
//	                write, and the key expires when the newest one would
//	{u:P}:prefs     hash: checkins=off|on, service=<the service of the case
//	                they were most recently recorded as involved in>
//	{u:P}:ci:<tok>  hash: one check-in sent, awaiting an answer (no answer)
//	{u:P}:jobs      sorted set of their upcoming check-in job ids, by time
//	{u:P}:day:<d>   a mark: a check-in went to them on local day d
//	{u:P}:talk      a mark: they asked to talk to someone (whom), recently

// participationTTL keeps participation sets long enough for a yearly report.
const participationTTL = 400 * 24 * time.Hour

type wireAnswer struct {
	At    int64  `json:"t"` // Unix milliseconds
	Value int    `json:"v"`
	Label string `json:"l"`
}

func (s *Store) personTag(person string) string { return s.prefix + "{u:" + person + "}:" }
func (s *Store) answersKey(person string) string {
	return s.personTag(person) + "checkins"
}
func (s *Store) prefsKey(person string) string { return s.personTag(person) + "prefs" }
func (s *Store) checkinKey(person, token string) string {
	return s.personTag(person) + "ci:" + token
}
func (s *Store) checkinJobsKey(person string) string { return s.personTag(person) + "jobs" }
func (s *Store) checkinDayKey(person, day string) string {
	return s.personTag(person) + "day:" + day
}
func (s *Store) talkKey(person string) string { return s.personTag(person) + "talk" }

// checkinParticipationKey is the reports' participation key (the reports
// helper reads the same layout; see RecordCheckinParticipation).
func (s *Store) checkinParticipationKey(service, month, what string) string {
	return s.prefix + "wb:part:" + service + ":" + month + ":" + what
}

// answerScript saves an answer once per check-in: only if the check-in exists
// under this person and has not been answered. It trims answers older than
// the keep time and sets the key to expire with the newest.
//
// KEYS: 1 the check-in, 2 the answers. ARGV: 1 answer, 2 score, 3 cutoff
// score, 4 keep in milliseconds.
// Returns 1 saved, 0 no such check-in, 2 already answered.
var answerScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if redis.call('HSETNX', KEYS[1], 'answered', '1') == 0 then
  return 2
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`)

// flagScript sets a field on an existing hash if it is not set yet.
//
// KEYS: 1 the hash. ARGV: 1 field.
// Returns 1 set now, 0 already set, -1 no such hash.
var flagScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
return redis.call('HSETNX', KEYS[1], ARGV[1], '1')
`)

// SaveCheckin records a check-in sent to a person, open for answers for
// openFor.
func (s *Store) SaveCheckin(ctx context.Context, person string, c pathway.Checkin, openFor time.Duration) error {
	if person == "" || c.Token == "" {
		return pathway.Errorf(pathway.Internal, "a check-in needs a person and a token")
	}
	key := s.checkinKey(person, c.Token)
	fields := map[string]any{
		"kind": c.Kind,
		"case": strconv.FormatInt(c.Case, 10),
		"svc":  c.Service,
		"n":    strconv.Itoa(c.N),
		"sent": strconv.FormatInt(unix(c.Sent), 10),
	}
	if c.Snoozed {
		fields["snoozed"] = "1"
	}
	if c.Answered {
		fields["answered"] = "1"
	}
	pipe := s.rdb.TxPipeline()
	pipe.Del(ctx, key)
	pipe.HSet(ctx, key, fields)
	pipe.PExpire(ctx, key, openFor)
	_, err := pipe.Exec(ctx)
	return unavailable(err)
}

// GetCheckin reads a check-in sent to person; ok is false when there is no
// such check-in for this person (another person's token finds nothing).
func (s *Store) GetCheckin(ctx context.Context, person, token string) (pathway.Checkin, bool, error) {
	m, err := s.rdb.HGetAll(ctx, s.checkinKey(person, token)).Result()
	if err != nil {
		return pathway.Checkin{}, false, unavailable(err)
	}
	if len(m) == 0 {
		return pathway.Checkin{}, false, nil
	}
	id, _ := strconv.ParseInt(m["case"], 10, 64)
	n, _ := strconv.Atoi(m["n"])
	sent, _ := strconv.ParseInt(m["sent"], 10, 64)
	return pathway.Checkin{
		Token: token, Kind: m["kind"], Case: id, Service: m["svc"], N: n, Sent: fromUnix(sent),
		Snoozed: m["snoozed"] == "1", Answered: m["answered"] == "1",
	}, true, nil
}

// DeleteCheckin removes a check-in, when it could not be sent after all.
func (s *Store) DeleteCheckin(ctx context.Context, person, token string) error {
	return unavailable(s.rdb.Del(ctx, s.checkinKey(person, token)).Err())
}

// SnoozeCheckin marks that "Not now" was pressed on a check-in. first is true
// only the first time, so it is asked again once; ok is false when there is
// no such check-in for this person.
func (s *Store) SnoozeCheckin(ctx context.Context, person, token string) (first, ok bool, err error) {
	n, err := flagScript.Run(ctx, s.rdb, []string{s.checkinKey(person, token)}, "snoozed").Int()
	if err != nil {
		return false, false, unavailable(err)
	}
	return n == 1, n >= 0, nil
}

// AnswerCheckin saves a person's answer to one of their check-ins, under
// that person alone, once. Answers older than keep are removed and the
// person's answers expire keep after this one.
func (s *Store) AnswerCheckin(ctx context.Context, person, token string, a pathway.CheckinAnswer, keep time.Duration) (pathway.AnswerResult, error) {
	if keep <= 0 {
		return pathway.AnswerUnknown, pathway.Errorf(pathway.Internal, "answers need a keep time")
	}
	member, err := json.Marshal(wireAnswer{At: a.At.UnixMilli(), Value: a.Value, Label: a.Label})
	if err != nil {
		return pathway.AnswerUnknown, pathway.Errorf(pathway.Internal, "encoding an answer: %v", err)
	}
	score := strconv.FormatInt(a.At.Unix(), 10)
	cutoff := strconv.FormatInt(a.At.Add(-keep).Unix(), 10)
	n, err := answerScript.Run(ctx, s.rdb, []string{s.checkinKey(person, token), s.answersKey(person)},
		string(member), score, cutoff, keep.Milliseconds()).Int()
	if err != nil {
		return pathway.AnswerUnknown, unavailable(err)
	}
	switch n {
	case 1:
		return pathway.AnswerRecorded, nil
	case 2:
		return pathway.AnswerAlready, nil
	}
	return pathway.AnswerUnknown, nil
}

// CheckinAnswers returns a person's own answers, oldest first, after
// removing those older than keep. Call it only for the person themselves.
func (s *Store) CheckinAnswers(ctx context.Context, person string, keep time.Duration, now time.Time) ([]pathway.CheckinAnswer, error) {
	key := s.answersKey(person)
	pipe := s.rdb.TxPipeline()
	pipe.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(now.Add(-keep).Unix(), 10))
	list := pipe.ZRange(ctx, key, 0, -1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	out := make([]pathway.CheckinAnswer, 0, len(list.Val()))
	for _, m := range list.Val() {
		var w wireAnswer
		if err := json.Unmarshal([]byte(m), &w); err != nil {
			continue // unreadable: never shown, gone with the key's expiry
		}
		out = append(out, pathway.CheckinAnswer{At: time.UnixMilli(w.At).UTC(), Value: w.Value, Label: w.Label})
	}
	return out, nil
}

// ForgetCheckinAnswers erases all of a person's answers, and any private
// reply held for them (it may show answers), and returns how many answers
// there were (not counting any already past keep).
func (s *Store) ForgetCheckinAnswers(ctx context.Context, person string, keep time.Duration, now time.Time) (int, error) {
	key := s.answersKey(person)
	pipe := s.rdb.TxPipeline()
	pipe.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(now.Add(-keep).Unix(), 10))
	n := pipe.ZCard(ctx, key)
	pipe.Del(ctx, key)
	pipe.Del(ctx, s.heldKey(person)) // held private replies may show answers
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, unavailable(err)
	}
	return int(n.Val()), nil
}

// PersonSettings reads a person's settings; a person never seen has the
// zero settings (check-ins on).
func (s *Store) PersonSettings(ctx context.Context, person string) (pathway.PersonSettings, error) {
	m, err := s.rdb.HGetAll(ctx, s.prefsKey(person)).Result()
	if err != nil {
		return pathway.PersonSettings{}, unavailable(err)
	}
	return pathway.PersonSettings{CheckinsOff: m["checkins"] == "off", Service: m["service"]}, nil
}

// SetCheckinsOff opts a person out of check-ins (off) or back in.
func (s *Store) SetCheckinsOff(ctx context.Context, person string, off bool) error {
	v := "on"
	if off {
		v = "off"
	}
	return unavailable(s.batch.do(ctx, append([]redis.Cmder{redis.NewIntCmd(ctx, "hset", s.prefsKey(person), "checkins", v)}, s.settingsExpiry(ctx, person)...)...))
}

// SetPersonService remembers the service of the case a person was most
// recently recorded as involved in, to route their requests to talk.
func (s *Store) SetPersonService(ctx context.Context, person, service string) error {
	if service == "" {
		return nil
	}
	return unavailable(s.batch.do(ctx, append([]redis.Cmder{s.personServiceCmd(ctx, person, service)}, s.settingsExpiry(ctx, person)...)...))
}

func (s *Store) personServiceCmd(ctx context.Context, person, service string) redis.Cmder {
	return redis.NewIntCmd(ctx, "hset", s.prefsKey(person), "service", service)
}

// TrackCheckinJob notes an upcoming check-in job for a person, so a low
// answer can bring their next one forward.
func (s *Store) TrackCheckinJob(ctx context.Context, person, jobID string, at time.Time) error {
	return unavailable(s.batch.do(ctx, s.trackCmds(ctx, person, jobID, at)...))
}

// trackFor is how long a person's list of upcoming check-in jobs is kept:
// beyond any check-in schedule (jobs are removed from it as they run).
const trackFor = 400 * 24 * time.Hour

func (s *Store) trackCmds(ctx context.Context, person, jobID string, at time.Time) []redis.Cmder {
	key := s.checkinJobsKey(person)
	return []redis.Cmder{
		redis.NewIntCmd(ctx, "zadd", key, at.Unix(), jobID),
		redis.NewBoolCmd(ctx, "pexpire", key, trackFor.Milliseconds()),
	}
}

// UntrackCheckinJob forgets a check-in job that has run.
func (s *Store) UntrackCheckinJob(ctx context.Context, person, jobID string) error {
	return unavailable(s.rdb.ZRem(ctx, s.checkinJobsKey(person), jobID).Err())
}

// NextCheckinJob returns the person's earliest check-in job due after
// after; ok is false when none is.
func (s *Store) NextCheckinJob(ctx context.Context, person string, after time.Time) (jobID string, at time.Time, ok bool, err error) {
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.checkinJobsKey(person), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(after.Unix(), 10), Max: "+inf", Count: 1,
	}).Result()
	if err != nil {
		return "", time.Time{}, false, unavailable(err)
	}
	if len(zs) == 0 {
		return "", time.Time{}, false, nil
	}
	id, _ := zs[0].Member.(string)
	return id, time.Unix(int64(zs[0].Score), 0).UTC(), true, nil
}

// MarkCheckinDay notes that a check-in went to a person on a local day
// ("2026-11-26") and reports whether it is the first that day. Two replicas
// sending at once cannot both be first.
func (s *Store) MarkCheckinDay(ctx context.Context, person, day string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.checkinDayKey(person, day), "1", 48*time.Hour).Result()
	if err != nil {
		return false, unavailable(err)
	}
	return ok, nil
}

// UnmarkCheckinDay removes the mark, when the check-in could not be sent.
func (s *Store) UnmarkCheckinDay(ctx context.Context, person, day string) error {
	return unavailable(s.rdb.Del(ctx, s.checkinDayKey(person, day)).Err())
}

// MarkTalkRequest notes that a person asked for contact to be told they'd
// like a conversation, for window. first is false when they already asked
// within the window; told is then whom that request went to.
func (s *Store) MarkTalkRequest(ctx context.Context, person, contact string, window time.Duration) (first bool, told string, err error) {
	key := s.talkKey(person)
	for attempt := 0; attempt < 3; attempt++ {
		ok, err := s.rdb.SetNX(ctx, key, contact, window).Result()
		if err != nil {
			return false, "", unavailable(err)
		}
		if ok {
			return true, contact, nil
		}
		told, err = s.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			continue // it expired in between: try again
		}
		if err != nil {
			return false, "", unavailable(err)
		}
		return false, told, nil
	}
	return false, "", pathway.ErrUnavailable(errors.New("talk mark kept expiring"))
}

// ForgetTalkRequest removes the mark, when the request could not be passed on.
func (s *Store) ForgetTalkRequest(ctx context.Context, person string) error {
	return unavailable(s.rdb.Del(ctx, s.talkKey(person)).Err())
}

// RecordCheckinParticipation counts a person into a service's check-in
// participation for the month of at (in at's location): as sent a check-in,
// or, with answered, as having answered one. It records no answer. service
// "" counts as "none". The sets expire after 400 days.
func (s *Store) RecordCheckinParticipation(ctx context.Context, service, person string, answered bool, at time.Time) error {
	if person == "" {
		return nil
	}
	if service == "" {
		service = "none"
	}
	what := "invited"
	if answered {
		what = "answered"
	}
	key := s.checkinParticipationKey(service, at.Format("2006-01"), what)
	// Not a transaction: on a Cluster the two sets may live apart, and a
	// lost EXPIRE is put right by the next SADD.
	pipe := s.rdb.Pipeline()
	pipe.SAdd(ctx, key, person)
	pipe.Expire(ctx, key, participationTTL)
	_, err := pipe.Exec(ctx)
	return unavailable(err)
}
