package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// ConversationRef is how a surface reaches a person or a channel on its own
// (reminders, check-ins, escalations) after any restart: where to post and
// into which conversation. Teams keeps one per person ("teams:<id>") and per
// channel ("teams:19:..."). It holds platform ids only — never message text.
type ConversationRef struct {
	// ServiceURL is the Bot Framework endpoint that serves the conversation.
	ServiceURL string `json:"s"`
	// Conversation is the conversation to post into. It is empty when only
	// the person is known (seen in a channel): a surface can then start a
	// one-to-one conversation with User.
	Conversation string `json:"c,omitempty"`
	// Type is the conversation's type: personal, channel or groupChat.
	Type string `json:"y,omitempty"`
	// Tenant is the Microsoft Entra tenant the conversation lives in.
	Tenant string `json:"t,omitempty"`
	// Bot is the bot's own account id in the conversation (28:...).
	Bot string `json:"b,omitempty"`
	// User is the person's platform account id (29:...), to start a
	// one-to-one conversation when there is none yet.
	User string `json:"u,omitempty"`
	// Team is the team a channel belongs to.
	Team string `json:"m,omitempty"`
	// Name is a channel's display name, when the platform gave one.
	Name string `json:"n,omitempty"`
	// Channel is the Bot Framework channel id, such as "msteams".
	Channel string `json:"h,omitempty"`
}

func (s *Store) refKey(id string) string { return s.prefix + "ref:" + id }

// SaveConversationRef stores the reference for a person or channel id,
// replacing any earlier one.
func (s *Store) SaveConversationRef(ctx context.Context, id string, ref ConversationRef) error {
	if id == "" || ref.ServiceURL == "" {
		return pathway.Errorf(pathway.Internal, "a conversation reference needs an id and a service URL")
	}
	data, err := json.Marshal(ref)
	if err != nil {
		return pathway.Errorf(pathway.Internal, "encoding a conversation reference: %v", err)
	}
	return unavailable(s.rdb.Set(ctx, s.refKey(id), data, 0).Err())
}

// ConversationRef reads the reference for a person or channel id; ok is
// false when none is stored.
func (s *Store) ConversationRef(ctx context.Context, id string) (ref ConversationRef, ok bool, err error) {
	data, err := s.rdb.Get(ctx, s.refKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return ConversationRef{}, false, nil
	}
	if err != nil {
		return ConversationRef{}, false, unavailable(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		return ConversationRef{}, false, pathway.Errorf(pathway.Internal, "decoding the conversation reference for %s: %v", id, err)
	}
	return ref, true, nil
}

// DeleteConversationRef forgets the reference for a person or channel id
// (for example when hppbot is removed from a team).
func (s *Store) DeleteConversationRef(ctx context.Context, id string) error {
	return unavailable(s.rdb.Del(ctx, s.refKey(id)).Err())
}

// A file offered in Teams waits here until the person accepts it (Teams
// then gives an upload address) or declines it. It expires after ttl.

func (s *Store) pendingFileKey(id string) string { return s.prefix + "file:" + id }

// SavePendingFile keeps a file offered to someone, under a random id.
func (s *Store) SavePendingFile(ctx context.Context, id string, data []byte, ttl time.Duration) error {
	if id == "" || ttl <= 0 {
		return pathway.Errorf(pathway.Internal, "a pending file needs an id and a time to live")
	}
	return unavailable(s.rdb.Set(ctx, s.pendingFileKey(id), data, ttl).Err())
}

// TakePendingFile returns a pending file and forgets it; ok is false when
// it has expired or was taken already.
func (s *Store) TakePendingFile(ctx context.Context, id string) (data []byte, ok bool, err error) {
	data, err = s.rdb.GetDel(ctx, s.pendingFileKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	return data, true, nil
}
