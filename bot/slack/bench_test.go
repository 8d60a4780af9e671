package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSlashCommand sends signed slash commands through the HTTP
// handler, on the real handler and Redis, from several goroutines at once:
// the path a busy workspace exercises. Contacts go round 100 cases, as a
// busy ward's do: all of them on one case would measure people updating
// the same case at the same moment (each retrying the others' changes) and
// a timeline growing without end.
func BenchmarkSlashCommand(b *testing.B) {
	const cases = 100
	for _, bc := range []struct{ name, text string }{
		{"help", "help contact"}, // the floor: everything but the store
		{"open", "open INC-7 harm=moderate lead=<@U0LEAD|syn.lead> Fall on the ward after a delayed escalation"},
		{"contact", "contact HPP-%d via=phone next=7d Spoke with her daughter; agreed weekly calls"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tb := newTestBed(b)
			for i := range cases {
				body := tb.commandBody("U0LEAD", "C0WARD", fmt.Sprintf("open INC-%d Case %d", i+1, i+1))
				if w := tb.serve(signed("/slack/commands", body, testSecret, time.Now())); w.Code != http.StatusOK {
					b.Fatalf("setup: %d", w.Code)
				}
			}
			bodies := []string{tb.commandBody("U0LEAD", "C0WARD", bc.text)}
			if strings.Contains(bc.text, "%d") {
				bodies = bodies[:0]
				for i := range cases {
					bodies = append(bodies, tb.commandBody("U0LEAD", "C0WARD", fmt.Sprintf(bc.text, i+1)))
				}
			}
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// A trigger id of its own, as Slack gives each command:
					// the same body again would be a replay.
					n := next.Add(1)
					body := strings.Replace(bodies[int(n)%len(bodies)], "trigger_id=1337.", "trigger_id=b"+strconv.FormatInt(n, 10)+".1337.", 1)
					w := httptest.NewRecorder()
					tb.mux.ServeHTTP(w, signed("/slack/commands", body, testSecret, time.Now()))
					if w.Code != http.StatusOK || w.Body.Len() == 0 {
						b.Errorf("status %d, %d bytes", w.Code, w.Body.Len())
						return
					}
				}
			})
		})
	}
}

// BenchmarkRender renders and encodes the /hpp open reply, as the answer to
// a command does.
func BenchmarkRender(b *testing.B) {
	s := answerSurface(b)
	r := openedReply()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(s.answer(ctx, r)); err != nil {
			b.Fatal(err)
		}
	}
}
