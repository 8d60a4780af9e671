package store

import (
	"context"
	"time"

	"hppbot/pathway"
)

// CasesOpenedPaged is CasesOpened with a chosen page size, so tests can
// exercise paging without thousands of cases.
func CasesOpenedPaged(s *Store, ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, page int) ([]*pathway.Case, error) {
	cases, _, err := s.casesOpened(ctx, from, to, keep, page)
	return cases, err
}

// EachActivePaged is EachActive with a chosen page size.
func EachActivePaged(s *Store, ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, page int, fn func([]*pathway.Case, map[int64][]pathway.Event)) (int, int, error) {
	return s.eachActive(ctx, from, to, keep, page, fn)
}
