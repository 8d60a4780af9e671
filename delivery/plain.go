package delivery

import (
	"context"
	"time"

	"hppbot/bot"
)

// AsSender is m as the queue's Sender: m itself when it has keyed sends and
// delivery checks (bot.Router), else a plain send that can't be asked
// whether a message arrived (the console, a test's messenger). With none,
// every send has nowhere to go (bot.ErrNoRoute) and waits in the queue.
func AsSender(m bot.Messenger) Sender {
	if m == nil {
		m = bot.Router{}
	}
	if s, ok := m.(Sender); ok {
		return s
	}
	return plain{m}
}

type plain struct{ m bot.Messenger }

func (p plain) SendKeyed(ctx context.Context, to string, channel bool, key string, r bot.Reply) error {
	if k, ok := p.m.(bot.KeyedMessenger); ok {
		return k.SendKeyed(ctx, to, channel, key, r)
	}
	if channel {
		return p.m.PostChannel(ctx, to, r)
	}
	return p.m.SendDirect(ctx, to, r)
}

func (p plain) Delivered(ctx context.Context, to string, channel bool, key string, since time.Time) (bool, error) {
	if d, ok := p.m.(bot.DeliveryChecker); ok {
		return d.Delivered(ctx, to, channel, key, since)
	}
	return false, bot.ErrCannotAsk
}
