package store

import "context"

// NotStrings exposes how Load sorts the cases MGET found no record for:
// the ids to read again, and those set aside as unreadable.
func NotStrings(s *Store, ctx context.Context, ids []int64) (again []int64, unreadable map[string]bool, err error) {
	out := Claimed{Unreadable: map[string]bool{}}
	reads, err := s.notStrings(ctx, ids, out)
	for _, r := range reads {
		again = append(again, r.id)
	}
	return again, out.Unreadable, err
}
