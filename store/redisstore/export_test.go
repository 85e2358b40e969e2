package redisstore

import "context"

// LoadScripts loads every script, so that tests counting round trips see no
// EVALSHA fall back to EVAL.
func LoadScripts(ctx context.Context, s *Store) error { return s.loadScripts(ctx) }
