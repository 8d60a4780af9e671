package store

import "hppbot/pathway"

// PurgeKeys exposes the keys the purge script names for c, for the test
// that they all share c's partition tag.
func PurgeKeys(s *Store, c *pathway.Case, marks []string) []string {
	keys, _ := s.purgeKeys(c, marks)
	return keys
}
