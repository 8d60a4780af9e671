package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/handlers"
	"hppbot/pathway"
)

func TestLowAnswerOffersSupportAndBringsTheNextForward(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	r := e.press("sam", e.checkins("sam")[0].reply, "Really struggling")
	text := all(r)
	for _, want := range []string{"Thank you for telling me", "116 123", "999", "NHS 111", "If you need help urgently", "Fri 27 Nov 2026", "[I'd like to talk to someone] checkin talk "} {
		if !strings.Contains(text, want) {
			t.Errorf("low answer reply lacks %q:\n%s", want, text)
		}
	}
	j, ok, _ := e.st.GetJob(ctx, "checkin:console:sam:1:2")
	want := time.Date(2026, 11, 27, 12, 0, 0, 0, london)
	if !ok || !j.At.Equal(want) {
		t.Errorf("next check-in at %v, want brought forward to %v", j.At.In(london), want)
	}
	// The talk button on that reply still reaches the service's contact.
	e.as("admin", "/hpp service maternity wellbeing=@jo")
	ask := e.press("sam", r, "I'd like to talk to someone")
	e.press("sam", ask, "Yes, please let them know")
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("contact got %d", n)
	}
	// A fine answer just thanks them.
	e.runUntil(t, want)
	ok2 := e.press("sam", e.checkins("sam")[1].reply, "Doing OK")
	if !strings.Contains(ok2.Text, "Thank you") || strings.Contains(all(ok2), "116 123") {
		t.Errorf("fine answer: %s", all(ok2))
	}
}

func TestLowAnswerWithNothingPlannedAddsOneFollowUp(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp checkin")
	e.press("sam", r, "Finding it hard")
	j, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:followup")
	if !ok || !j.At.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, london)) {
		t.Fatalf("follow-up = %+v, %v", j, ok)
	}
	e.runUntil(t, time.Date(2026, 11, 26, 18, 0, 0, 0, london))
	ci := e.checkins("sam")
	if len(ci) != 1 || !strings.Contains(ci[0].reply.Text, "as I said I would") {
		t.Fatalf("follow-up check-ins: %d", len(ci))
	}
	// A low answer to the follow-up doesn't start a daily chain.
	e.press("sam", ci[0].reply, "Really struggling")
	if _, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:followup"); ok {
		t.Error("a low answer to a follow-up scheduled another")
	}
	// Self-started and follow-up check-ins are not counted for a case's service.
	if inv, ans := e.participation("none", "2026-11"); inv != 0 || ans != 0 {
		t.Errorf("participation counted outside a case: %d invited, %d answered", inv, ans)
	}
}

func TestNotNowAsksAgainOnce(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 10, 30, 0, 0, london))
	first := e.checkins("sam")[0]
	r := e.press("sam", first.reply, "Not now")
	// Three hours on.
	if !strings.Contains(r.Text, "once more around Thu 26 Nov, 13:30") {
		t.Errorf("not now: %s", r.Text)
	}
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	got := e.checkins("sam")
	if len(got) != 2 || !strings.Contains(got[1].reply.Text, "Asking once more") {
		t.Fatalf("re-ask: %d check-ins", len(got))
	}
	if want := time.Date(2026, 11, 26, 13, 30, 0, 0, london); !got[1].at.Equal(want) {
		t.Errorf("re-ask delivered %v, want %v", got[1].at.In(london), want)
	}
	r = e.press("sam", got[1].reply, "Not now")
	if !strings.Contains(r.Text, "won't ask about this one again") {
		t.Errorf("second not now: %s", r.Text)
	}
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 2 {
		t.Errorf("asked %d times, want twice", n)
	}
	// Answering after "Not now" is still possible, once per message.
	r = e.press("sam", got[1].reply, "Getting by")
	if !strings.Contains(r.Text, "Thank you") {
		t.Errorf("late answer: %s", r.Text)
	}
	r = e.press("sam", got[1].reply, "Doing OK")
	if !strings.Contains(r.Text, "already answered") {
		t.Errorf("second answer to the same check-in: %s", r.Text)
	}
	// "Not now" does not count as an answer for reports; the answer does.
	// (No service: "none".)
	if inv, ans := e.participation("none", "2026-11"); inv != 1 || ans != 1 {
		t.Errorf("participation = %d invited, %d answered; want 1, 1", inv, ans)
	}
}

func TestNotNowIsNotCountedAsAnAnswer(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	e.press("sam", ci, "Not now")
	e.press("sam", e.press("sam", ci, "I'd like to talk to someone"), "No, not now")
	if inv, ans := e.participation("maternity", "2026-11"); inv != 1 || ans != 0 {
		t.Errorf("participation = %d invited, %d answered; want 1, 0", inv, ans)
	}
	rdb := e.st.Client()
	if !rdb.SIsMember(context.Background(), e.st.Prefix()+"wb:part:maternity:2026-11:invited", "console:sam").Val() {
		t.Error("sam is not in the invited set")
	}
}

// TestForgedButtonsWriteNothing: a button command carrying another person's
// token or id never writes their answers — nor anyone's.
func TestForgedButtonsWriteNothing(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	var answer, notNow string
	for _, b := range ci.Buttons {
		switch b.Label {
		case "Really struggling":
			answer = b.Command
		case "Not now":
			notNow = b.Command
		}
	}
	token := strings.Fields(answer)[2]
	for _, forger := range []string{"lead", "admin", "kim"} {
		for _, line := range []string{
			answer,
			"checkin answer " + token + " 4",
			"checkin answer console:sam 1",
			"checkin answer <@console:sam> 1",
			"checkin answer " + token + " 1 console:sam",
			"checkin answer 00000000000000000000 1",
			notNow,
		} {
			r := e.as(forger, line)
			if strings.Contains(r.Text, "Thank you") {
				t.Errorf("%s running %q was thanked: %s", forger, line, r.Text)
			}
		}
		if r := e.as(forger, "/hpp checkin history"); !strings.Contains(r.Text, "no check-in answers") {
			t.Errorf("%s has answers after forging: %s", forger, all(r))
		}
		// A forged talk button speaks only for the presser.
		e.as(forger, "checkin talk-yes "+token)
	}
	for _, s := range e.sent.to("console:jo") {
		if strings.Contains(s.reply.Text, "console:sam") {
			t.Errorf("a forged talk request named sam: %s", s.reply.Text)
		}
	}
	if _, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:again:1:1"); ok {
		t.Error("someone else's Not now scheduled sam a re-ask")
	}
	if r := e.as("sam", "/hpp checkin history"); !strings.Contains(r.Text, "no check-in answers") {
		t.Errorf("sam has answers they never gave: %s", all(r))
	}
	// Sam's own press still works, once.
	if r := e.press("sam", ci, "Getting by"); !strings.Contains(r.Text, "Thank you") {
		t.Errorf("sam's answer: %s", r.Text)
	}
}

// TestNobodyElseCanSeeAnswers: another person, the case's lead, the
// service's pathway lead and an admin see no answer through any command.
func TestNobodyElseCanSeeAnswers(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	e.as("admin", "/hpp service maternity lead=@pat wellbeing=@jo")
	e.as("lead", "/hpp open INC-1 service=maternity harm=moderate involved=@sam,@kim Fall on ward")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	e.press("sam", e.checkins("sam")[0].reply, "Really struggling")
	e.press("kim", e.checkins("kim")[0].reply, "Doing OK")
	mine := all(e.as("sam", "/hpp checkin history"))
	if !strings.Contains(mine, "Really struggling") || strings.Contains(mine, "Doing OK") {
		t.Fatalf("sam's history should hold sam's answer only:\n%s", mine)
	}
	lines := []string{
		"/hpp status HPP-1", "/hpp timeline HPP-1", "/hpp list", "/hpp list all", "/hpp list overdue",
		"/hpp checkin history", "/hpp checkin history @sam", "/hpp checkin history console:sam",
		"/hpp checkin forget", "/hpp wellbeing", "/hpp support", "/hpp service maternity", "/hpp help checkin",
	}
	for _, viewer := range []string{"lead", "pat", "admin", "kim", "jo", "other"} {
		for _, line := range lines {
			out := all(e.as(viewer, line))
			for _, label := range scaleLabels {
				if viewer == "kim" && label == "Doing OK" && line == "/hpp checkin history" {
					continue // kim's own answer
				}
				if strings.Contains(out, label) && !strings.HasPrefix(line, "/hpp help") {
					t.Errorf("%s sees %q through %q:\n%s", viewer, label, line, out)
				}
			}
		}
	}
	// By construction: no key but the answerer's own answers key holds an
	// answer label — not the case, its events, the jobs or any index.
	rdb := e.st.Client()
	keys := rdb.Keys(ctx, e.st.Prefix()+"*").Val()
	for _, k := range keys {
		var dump string
		switch rdb.Type(ctx, k).Val() {
		case "string":
			dump = rdb.Get(ctx, k).Val()
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				dump += f + "=" + v + "\n"
			}
		case "zset":
			dump = strings.Join(rdb.ZRange(ctx, k, 0, -1).Val(), "\n")
		case "set":
			dump = strings.Join(rdb.SMembers(ctx, k).Val(), "\n")
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					dump += f + "=" + v.(string) + "\n"
				}
			}
		}
		own := strings.HasSuffix(k, "{u:console:sam}:checkins") || strings.HasSuffix(k, "{u:console:kim}:checkins")
		for _, label := range scaleLabels {
			if strings.Contains(dump, label) && !own {
				t.Errorf("key %s holds an answer label %q", strings.TrimPrefix(k, e.st.Prefix()), label)
			}
		}
	}
}

// TestLogsHoldNoAnswers runs a full flow with every log line kept and looks
// for answers, tokens and the talk request in them.
func TestLogsHoldNoAnswers(t *testing.T) {
	e := newWB(t, wed)
	e.as("admin", "/hpp service maternity wellbeing=@jo")
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.sent.fail["console:jo"] = true // a failure path logs a warning
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	var secrets []string
	for _, b := range ci.Buttons {
		secrets = append(secrets, strings.Fields(b.Command)[2]) // the token
	}
	e.press("sam", ci, "Finding it hard")
	ask := e.press("sam", ci, "I'd like to talk to someone")
	e.press("sam", ask, "Yes, please let them know")
	e.as("sam", "/hpp checkin history")
	e.press("sam", e.as("sam", "/hpp checkin"), "Not now")
	e.as("sam", "/hpp checkin forget yes")
	e.as("sam", "/hpp checkin answer zzz 9")
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	logs := e.logs.String()
	if !strings.Contains(logs, "could not reach a wellbeing contact") {
		t.Fatalf("the failure path wasn't logged, so this test proves little:\n%s", logs)
	}
	for _, bad := range append(append(secrets, scaleLabels...), "console:sam", "would like a conversation", "answer") {
		if strings.Contains(logs, bad) {
			t.Errorf("logs hold %q:\n%s", bad, logs)
		}
	}
}

func TestAnswersExpireByPolicy(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.CheckinAnswerTTL = pathway.Span{N: 2, Unit: pathway.Hour} })
	r := e.as("sam", "/hpp checkin")
	if !strings.Contains(r.Note, "deleted after 2 hours") {
		t.Errorf("check-in should say how long answers are kept: %s", r.Note)
	}
	e.press("sam", r, "Getting by")
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "Getting by") {
		t.Fatalf("history: %s", h)
	}
	rdb := e.st.Client()
	key := e.st.Prefix() + "{u:console:sam}:checkins"
	if ttl := rdb.PTTL(context.Background(), key).Val(); ttl <= 0 || ttl > 2*time.Hour {
		t.Errorf("answers key PTTL = %v, want within 2 hours", ttl)
	}
	e.clock.Add(3 * time.Hour)
	if h := all(e.as("sam", "/hpp checkin history")); strings.Contains(h, "Getting by") {
		t.Errorf("an answer outlived the policy's keep time: %s", h)
	}
	if n := rdb.ZCard(context.Background(), key).Val(); n != 0 {
		t.Errorf("%d expired answers still stored", n)
	}
}

func TestHistoryAndForget(t *testing.T) {
	e := newWB(t, wed)
	if r := e.as("sam", "/hpp checkin forget"); !strings.Contains(r.Text, "nothing to erase") {
		t.Errorf("forget with nothing: %s", r.Text)
	}
	e.press("sam", e.as("sam", "/hpp checkin"), "Getting by")
	e.clock.Add(24 * time.Hour)
	e.press("sam", e.as("sam", "/hpp checkin"), "Finding it hard")
	h := all(e.as("sam", "/hpp checkin history"))
	for _, want := range []string{"2 answers", "Wed 25 Nov 2026 — Getting by", "Thu 26 Nov 2026 — Finding it hard", "Only you can see these"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
	ask := e.as("sam", "/hpp checkin forget")
	if !strings.Contains(ask.Text, "2 check-in answers") || !hasButton(ask, "Yes, erase them") {
		t.Fatalf("forget should confirm: %s", all(ask))
	}
	if r := e.press("sam", ask, "Keep them"); !strings.Contains(r.Text, "Nothing was erased") {
		t.Errorf("keep: %s", r.Text)
	}
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "2 answers") {
		t.Errorf("answers went after Keep them: %s", h)
	}
	if r := e.press("sam", ask, "Yes, erase them"); !strings.Contains(r.Text, "2 answers erased") {
		t.Errorf("erase: %s", r.Text)
	}
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "no check-in answers") {
		t.Errorf("after erasing: %s", h)
	}
	for _, bad := range []string{"/hpp checkin frobnicate", "/hpp checkin forget maybe", "/hpp checkin answer", "/hpp checkin answer x"} {
		r := e.as("sam", bad)
		if strings.Contains(r.Text, "Thank you") || r.Text == "" {
			t.Errorf("%q: %s", bad, r.Text)
		}
	}
}

// FuzzCheckinCommand: no checkin line, however odd, panics, writes an answer
// for anyone but the person typing, or tells the wellbeing contact anything
// but the one sentence.
func FuzzCheckinCommand(f *testing.F) {
	e := newWB(f, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	ctx := context.Background()
	// Sam has a check-in open; its token is in the corpus for the fuzzer to
	// play with as someone else.
	token := strings.Fields(e.as("sam", "/hpp checkin").Buttons[0].Command)[2]
	for _, s := range []string{"answer 0123456789abcdef0123 1", "answer console:sam 2", "notnow -", "talk -", "talk-yes x", "forget yes", "history", "answer  ", "answer \x00 9", "talk-yes <@console:sam>",
		"answer " + token + " 1", "notnow " + token, "talk-yes " + token, "answer " + token + " 01", "answer " + strings.ToUpper(token) + " 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		r := e.as("mallory", "checkin "+rest)
		_ = r
		if got, _ := e.st.CheckinAnswers(ctx, "console:sam", 24*time.Hour, wed); len(got) != 0 {
			t.Fatalf("%q wrote sam's answers", rest)
		}
		if ci, _, _ := e.st.GetCheckin(ctx, "console:sam", token); ci.Answered || ci.Snoozed {
			t.Fatalf("%q changed sam's check-in: %+v", rest, ci)
		}
		for _, s := range e.sent.to("console:jo") {
			if s.reply.Text != handlers.TalkRequestText("console:mallory") {
				t.Fatalf("%q told the contact %q", rest, s.reply.Text)
			}
		}
	})
}

// TestNotNowLateInTheDayWaitsForMorning: three hours after 16:30 is after
// working hours, so the re-ask comes the next working morning.
func TestNotNowLateInTheDayWaitsForMorning(t *testing.T) {
	e := newWB(t, time.Date(2026, 11, 27, 16, 30, 0, 0, london))
	r := e.press("sam", e.as("sam", "/hpp checkin"), "Not now")
	if !strings.Contains(r.Text, "once more around Mon 30 Nov, 08:00") {
		t.Errorf("not now late on a Friday: %s", r.Text)
	}
}

// TestAnsweringAfterNotNowCancelsTheReask: an answer to the first message
// means the re-ask isn't sent.
func TestAnsweringAfterNotNowCancelsTheReask(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp checkin")
	e.press("sam", r, "Not now")
	e.press("sam", r, "Doing OK")
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 0 {
		t.Errorf("%d re-asks after the check-in was answered", n)
	}
}
