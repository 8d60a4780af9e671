package delivery

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"hppbot/bot"
)

// A message with live cases tells OnSent where it went, once, whether it
// went at once or after a retry in the background; a message without
// them tells nothing.
func TestOnSentHearsWhereALiveMessageWent(t *testing.T) {
	p := newPlatform(true)
	p.answer = func(call int, to, key string) error {
		if key == "remind:2:x" && call <= 2 {
			return &bot.RetryLater{Status: http.StatusServiceUnavailable}
		}
		return nil
	}
	var mu sync.Mutex
	heard := map[string][]bot.MessageRef{}
	q, _ := newQueue(t, p, Config{OnSent: func(_ context.Context, m Message, ref bot.MessageRef) {
		mu.Lock()
		defer mu.Unlock()
		heard[m.Key] = append(heard[m.Key], ref)
	}})
	ctx := context.Background()
	msgs := []Message{
		{Key: "remind:1:x", To: "slack:U1", Reply: bot.Reply{Text: "hi"}, Live: []int64{1}},
		{Key: "remind:2:x", To: "teams:aad-2", Reply: bot.Reply{Text: "hi"}, Live: []int64{2}},
		{Key: "digest:x", To: "slack:C1", Channel: true, Reply: bot.Reply{Text: "hi"}},
		{Key: "remind:1:x", To: "slack:U1", Reply: bot.Reply{Text: "hi"}, Live: []int64{1}}, // queued twice
	}
	for _, m := range msgs {
		if err := q.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	drainAll(t, q)
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bot.MessageRef{
		"remind:1:x": {To: "slack:U1", Conv: "conv-slack:U1", ID: "id-remind:1:x"},
		"remind:2:x": {To: "teams:aad-2", Conv: "conv-teams:aad-2", ID: "id-remind:2:x"},
	}
	if len(heard) != len(want) {
		t.Fatalf("heard %v; want %v", heard, want)
	}
	for k, w := range want {
		if got := heard[k]; len(got) != 1 || got[0] != w {
			t.Errorf("%s: heard %+v; want once, %+v", k, got, w)
		}
	}
}
