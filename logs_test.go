package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// notes are synthetic free text, one per place a person can type some.
// None may ever reach a log line.
var notes = map[string]string{
	"SUMMARY":   "Synthetic-summary-Heron-7301",
	"CONTACT":   "Synthetic-note-Otter-7302",
	"PLAN":      "Synthetic-note-Badger-7303",
	"NOTIFIED":  "Synthetic-note-Kestrel-7304",
	"WRITTEN":   "Synthetic-note-Wren-7305",
	"UPDATE":    "Synthetic-note-Plover-7306",
	"FAMILY":    "Synthetic-note-Marten-7307",
	"PARALLEL":  "Synthetic-note-Curlew-7308",
	"BADOPTION": "Synthetic-note-Shrew-7309",
	"IDENT":     "Synthetic-note-Vole-7310",
	"UNKNOWN":   "Synthetic-note-Stoat-7311",
	"OUTSIDER":  "Synthetic-note-Lapwing-7312",
	"CLOSE":     "Synthetic-note-Dunlin-7313",
	"NASUMMARY": "Synthetic-summary-Avocet-7314",
	"NAREASON":  "Synthetic-note-Godwit-7315",
	"LONG":      "Synthetic-note-Merlin-7316",
	"REF":       "INC-Synthetic-7317",
}

// script exercises every command of the console, with a note wherever one
// can be typed (and some that are refused).
var script = `/hpp service maternity lead=@pat channel=#maternity wellbeing=@jo
/hpp open INC-1042 service=maternity harm=moderate involved=@sam SUMMARY
/hpp contact HPP-1 via=phone next=2d CONTACT
/hpp plan HPP-1 every=1w via=phone PLAN
/hpp candour HPP-1 notified NOTIFIED
/hpp candour HPP-1 written WRITTEN
/hpp candour HPP-1 update UPDATE
/hpp family HPP-1 support FAMILY
/hpp family HPP-1 parallel=complaint PARALLEL
/hpp lead HPP-1 @alex
/hpp involve HPP-1 @jo
/hpp snooze HPP-1 1d
/hpp status HPP-1
/hpp list
/hpp list all
/hpp list overdue service=maternity
/hpp timeline HPP-1
/hpp prompt
/hpp prompt HPP-1
/hpp prompt listen
/hpp lens
/hpp commitments
/hpp service
/hpp service maternity
/hpp help
/hpp help contact
/hpp open INC-1043 harm=awful BADOPTION
/hpp open INC-1044 IDENT 999 000 0018
/hpp open REF harm=low
/hpp frobnicate UNKNOWN
:as @robin
/hpp status HPP-1
/hpp timeline HPP-1
/hpp contact HPP-1 OUTSIDER
:as @you
:advance 3d
:press 1
/hpp close HPP-1 CLOSE
/hpp reopen HPP-1
/hpp open INC-2000 harm=none NASUMMARY
/hpp candour HPP-2 na NAREASON
/hpp open
/hpp contact HPP-2 LONG
:quit
`

func scriptText() string {
	s := script
	for k, v := range notes {
		if k == "LONG" {
			v += " " + strings.Repeat("x", pathway.MaxNoteLen)
		}
		s = strings.ReplaceAll(s, " "+k+"\n", " "+v+"\n")
		s = strings.ReplaceAll(s, " "+k+" ", " "+v+" ")
	}
	return s
}

// assertNoNotes fails if any synthetic note, or the NHS number typed, is
// in logs.
func assertNoNotes(t *testing.T, logs string) {
	t.Helper()
	for _, v := range notes {
		if strings.Contains(logs, v) {
			t.Errorf("a log line holds typed text %q:\n%s", v, logs)
		}
	}
	for _, v := range []string{"999 000 0018", "9990000018", "Synthetic"} {
		if strings.Contains(logs, v) {
			t.Errorf("a log line holds %q:\n%s", v, logs)
		}
	}
}

// consoleEnv is the environment for a console run on a Redis of the test's
// own (a prefix on the shared one), at debug level.
func consoleEnv(t *testing.T) map[string]string {
	t.Helper()
	if !redisAnswers() {
		if storetest.Required() {
			t.Fatalf("HPP_TEST_REDIS=require but %s does not answer", storetest.URL())
		}
		t.Skip("no Redis answering")
	}
	prefix := storetest.Prefix()
	t.Cleanup(func() {
		st, err := store.Connect(storetest.URL(), prefix)
		if err != nil {
			return
		}
		defer st.Close()
		_ = storetest.Clean(context.Background(), st)
	})
	return map[string]string{"REDIS_URL": storetest.URL(), "HPP_REDIS_PREFIX": prefix, "HPP_LOG_LEVEL": "debug", "HPP_ADMINS": "you"}
}

func TestAFullConsoleRunLogsNoNotes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(nil, env(consoleEnv(t)), strings.NewReader(scriptText()), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out, logs := stdout.String(), stderr.String()
	// The notes were taken (the timeline shows them to the people on the case) ...
	for _, want := range []string{notes["CONTACT"], notes["PLAN"], "HPP-1 is open", "Nothing was saved", "I don't know the command",
		"only open to the people on it", "[DM @alex]", "please keep it under 1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q — the script did not do what it should:\n%s", want, out)
		}
	}
	// ... and every command was logged, by name and outcome only.
	for _, want := range []string{"command=open outcome=ok", "command=contact outcome=ok", "command=open outcome=identifiable",
		"command=status outcome=forbidden", "command=unknown outcome=unknown", "command=contact outcome=invalid", "command=timeline outcome=ok"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	assertNoNotes(t, logs)
}

func TestAConsoleRunWithRedisDownLogsNoNotes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	dead := "redis://" + addr(storetest.FreePort(t)) + "/0"
	start := time.Now()
	code := run(nil, env(map[string]string{"REDIS_URL": dead, "HPP_LOG_LEVEL": "debug"}), strings.NewReader(scriptText()), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out, logs := stdout.String(), stderr.String()
	if n := strings.Count(out, pathway.NothingSaved); n < 15 {
		t.Errorf("%q %d times; want every command that needs Redis to say so:\n%s", pathway.NothingSaved, n, out)
	}
	if !strings.Contains(logs, "store unavailable") || !strings.Contains(logs, "redis: connection refused") {
		t.Errorf("logs do not say Redis was unavailable:\n%s", logs)
	}
	assertNoNotes(t, logs)
	t.Logf("%d commands against a stopped Redis took %v", strings.Count(script, "/hpp"), time.Since(start))
}

func TestAnHTTPRunLogsNoNotes(t *testing.T) {
	vars := consoleEnv(t)
	vars["HPP_ADDR"] = addr(storetest.FreePort(t))
	base := "http://" + vars["HPP_ADDR"]
	in, feed := io.Pipe()
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(nil, env(vars), in, &stdout, stderr) }()
	waitHTTP(t, base+"/healthz")
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if _, err := io.WriteString(feed, scriptText()); err != nil {
		t.Fatal(err)
	}
	feed.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	assertNoNotes(t, stderr.String())
	if !strings.Contains(stderr.String(), "health and metrics endpoints listening") {
		t.Errorf("logs:\n%s", stderr.String())
	}
}

func TestServeWithoutAChatPlatform(t *testing.T) {
	vars := consoleEnv(t)
	vars["HPP_ADDR"] = addr(storetest.FreePort(t))
	base := "http://" + vars["HPP_ADDR"]
	p := startProcess(t, "--serve", vars)
	waitHTTP(t, base+"/healthz")
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d", code)
	}
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, "hpp_reminders_total") || !strings.Contains(body, "hpp_redis_up 1") {
		t.Errorf("/metrics = %d\n%s", code, body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM; want 0\n%s", code, p.stderr.String())
	}
	logs := p.stderr.String()
	// In production the logs are JSON, one object a line.
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON log line: %q", line)
			continue
		}
		msgs = append(msgs, fmt.Sprint(rec["msg"]))
	}
	got := strings.Join(msgs, " | ")
	listening, stopping := strings.Index(got, "hppbot listening"), strings.Index(got, "hppbot shutting down")
	if listening < 0 || stopping < listening {
		t.Errorf("log messages: %s", got)
	}
}

// slackText turns a console line of the script into what Slack sends: the
// text after /hpp, with @name and #channel as Slack mentions.
func slackText(line string) string {
	words := strings.Fields(strings.TrimPrefix(line, "/hpp"))
	for i, w := range words {
		var parts []string
		for _, p := range strings.Split(w, ",") {
			key, val, isOpt := strings.Cut(p, "=")
			target := p
			if isOpt {
				target = val
			}
			switch {
			case strings.HasPrefix(target, "@") && len(target) > 1:
				target = fmt.Sprintf("<@U0%s|%s>", strings.ToUpper(target[1:]), target[1:])
			case strings.HasPrefix(target, "#") && len(target) > 1:
				target = fmt.Sprintf("<#C0%s|%s>", strings.ToUpper(target[1:]), target[1:])
			}
			if isOpt {
				target = key + "=" + target
			}
			parts = append(parts, target)
		}
		words[i] = strings.Join(parts, ",")
	}
	return strings.Join(words, " ")
}

func TestASlackHTTPRunLogsNoNotes(t *testing.T) {
	const secret = "synthetic-signing-secret"
	api := newRecordingSlack(t)
	vars := consoleEnv(t)
	vars["HPP_ADDR"] = freeAddr(t)
	vars["SLACK_BOT_TOKEN"] = "xoxb-synthetic"
	vars["SLACK_SIGNING_SECRET"] = secret
	vars["SLACK_API_URL"] = api.URL + "/api"
	vars["HPP_ADMINS"] = "U0YOU"
	base := "http://" + vars["HPP_ADDR"]
	p := startProcess(t, "", vars)
	waitHealthy(t, base)

	user, n := "U0YOU", 0
	for _, line := range strings.Split(scriptText(), "\n") {
		switch {
		case strings.HasPrefix(line, ":as @"):
			user = "U0" + strings.ToUpper(strings.TrimPrefix(line, ":as @"))
			continue
		case !strings.HasPrefix(line, "/hpp"):
			continue
		}
		n++
		body := url.Values{
			"team_id": {"T0SYN"}, "channel_id": {"C0WARD"}, "channel_name": {"ward"}, "user_id": {user}, "user_name": {strings.ToLower(user[2:])},
			"command": {"/hpp"}, "text": {slackText(line)}, "response_url": {fmt.Sprintf("%s/response/%d", api.URL, n)}, "trigger_id": {fmt.Sprintf("1.%d", n)},
		}.Encode()
		if res := post(t, base+"/slack/commands", body, secret, time.Now()); res.code != http.StatusOK {
			t.Errorf("%q: %d %s", line, res.code, res.body)
		}
	}
	// A forged request carrying a note is refused, and its note is not logged either.
	forged := url.Values{"user_id": {"U0YOU"}, "command": {"/hpp"}, "text": {"contact HPP-1 " + notes["OUTSIDER"]}}.Encode()
	if res := post(t, base+"/slack/commands", forged, "not-the-secret", time.Now()); res.code != http.StatusUnauthorized {
		t.Errorf("forged request: %d", res.code)
	}
	// Let replies sent through response_url finish.
	for last, i := -1, 0; i < 50; i++ {
		if c := len(api.calls()); c == last {
			break
		} else {
			last = c
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr.String())
	}
	logs := p.stderr.String()
	for _, want := range []string{`"msg":"command answered","command":"open","outcome":"ok"`, `"command":"contact","outcome":"ok"`, `"outcome":"identifiable"`, `"outcome":"forbidden"`, "request refused"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	assertNoNotes(t, logs)
	if testing.Verbose() {
		t.Log(logs)
	}
	t.Logf("%d signed slash commands and a forged one; %d calls to the Slack Web API; %d log lines, none with a note", n, len(api.calls()), strings.Count(logs, "\n"))
}
