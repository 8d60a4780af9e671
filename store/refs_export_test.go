package store

import "context"

// IndexRefsChunked is IndexRefs with a chosen chunk size, so tests can
// exercise a backfill of several chunks without thousands of cases.
func IndexRefsChunked(s *Store, ctx context.Context, chunk int) error {
	for pt := 0; pt < Partitions; pt++ {
		if err := s.indexRefs(ctx, pt, chunk); err != nil {
			return err
		}
	}
	return nil
}
