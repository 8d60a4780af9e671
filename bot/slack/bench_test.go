package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkSlashCommand sends signed slash commands through the HTTP
// handler, on the real handler and Redis, from several goroutines at once:
// the path a busy workspace exercises.
func BenchmarkSlashCommand(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"help", "help contact"}, // the floor: everything but the store
		{"open", "open INC-7 harm=moderate lead=<@U0LEAD|syn.lead> Fall on the ward after a delayed escalation"},
		{"contact", "contact HPP-1 via=phone next=7d Spoke with her daughter; agreed weekly calls"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tb := newTestBed(b)
			body := tb.commandBody("U0LEAD", "C0WARD", "open INC-1 First case")
			if w := tb.serve(signed("/slack/commands", body, testSecret, time.Now())); w.Code != http.StatusOK {
				b.Fatalf("setup: %d", w.Code)
			}
			body = tb.commandBody("U0LEAD", "C0WARD", bc.text)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
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

// BenchmarkAnswerJSON encodes what /hpp open answers (a title, three
// sections of bullets, a note and three buttons) with json.Marshal and with
// appendAnswer into a reused buffer, as writeAnswer does.
func BenchmarkAnswerJSON(b *testing.B) {
	s := answerSurface(b)
	msg := s.answer(context.Background(), openedReply())
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendAnswer", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var ok bool
			if buf, ok = appendAnswer(buf[:0], msg); !ok {
				b.Fatal("not encoded")
			}
		}
	})
}

// BenchmarkRender renders and encodes the /hpp open reply, as the answer to
// a command does.
func BenchmarkRender(b *testing.B) {
	s := answerSurface(b)
	r := openedReply()
	ctx := context.Background()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = appendAnswer(buf[:0], s.answer(ctx, r))
	}
}
