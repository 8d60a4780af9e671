package store

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// AddRawEntry adds data to case id's timeline as an event entry, exactly as
// given: what a timeline holding an entry that is not an event looks like.
func AddRawEntry(s *Store, ctx context.Context, id int64, data string) (string, error) {
	pt := partition(id)
	eid, err := s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.streamKey(pt), Values: []any{"c", strconv.FormatInt(id, 10), "e", data}}).Result()
	if err != nil {
		return "", err
	}
	ids, _ := s.rdb.HGet(ctx, s.timelineKey(pt), strconv.FormatInt(id, 10)).Result()
	return eid, s.rdb.HSet(ctx, s.timelineKey(pt), strconv.FormatInt(id, 10), ids+eid+" ").Err()
}

// StreamKey is the key of the stream holding case id's timeline entries.
func StreamKey(s *Store, id int64) string { return s.streamKey(partition(id)) }

// JobsKey is the key of the hash holding job id's record.
func JobsKey(s *Store, id string) string { return s.jobsKey(jobPartition(id)) }
