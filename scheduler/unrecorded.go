package scheduler

import "context"

// While Redis does not answer, a send that went out can't be recorded. It is
// kept here, in memory, and recorded before anything else is claimed, so the
// mark that stops a second send is in place before the item can be claimed
// again.

// keep holds a send that could not be recorded until the store answers.
func (s *Scheduler) keep(r sendRecord) {
	s.unrecMu.Lock()
	defer s.unrecMu.Unlock()
	s.unrecorded = append(s.unrecorded, r)
}

// unrecordedCount is how many sends are waiting to be recorded.
func (s *Scheduler) unrecordedCount() int {
	s.unrecMu.Lock()
	defer s.unrecMu.Unlock()
	return len(s.unrecorded)
}

// recordUnrecorded records the sends kept while Redis was not answering. It
// stops at the first that still can't be recorded and keeps the rest.
func (s *Scheduler) recordUnrecorded(ctx context.Context) error {
	s.unrecMu.Lock()
	list := s.unrecorded
	s.unrecorded = nil
	s.unrecMu.Unlock()
	for i, r := range list {
		if err := s.ack(ctx, r); isUnavailable(err) {
			s.unrecMu.Lock()
			s.unrecorded = append(list[i:], s.unrecorded...)
			s.unrecMu.Unlock()
			return err
		}
	}
	if len(list) > 0 {
		s.cfg.Log.Info("recorded sends kept while the store was not answering", "count", len(list))
	}
	return nil
}
