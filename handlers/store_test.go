package handlers

import "hppbot/store"

// The Redis store must keep meeting every small interface handlers declares.
var _ Store = (*store.Store)(nil)
