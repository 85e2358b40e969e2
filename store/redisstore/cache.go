package redisstore

import (
	"container/list"
	"slices"
	"sync"
)

// locations remembers where things were: which account owned an identity
// and which account ids a user had, the last time this Store looked. It is
// a hint that lets a read fetch the index and the data in one round trip;
// every hint is checked against Redis in that round trip (an account is
// returned for an identity only when its record carries the identity, a
// user's list is the index read in the same pipeline), so a stale hint
// costs a second round trip, never a wrong answer. Least recently used
// entries go first. A nil *locations remembers nothing.
type locations struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *location, most recent first
	byKey map[string]*list.Element
}

// location is one cache entry: the ids a key pointed to.
type location struct {
	key string
	ids []string
}

// newLocations returns a cache of at most max entries.
func newLocations(max int) *locations {
	return &locations{max: max, order: list.New(), byKey: make(map[string]*list.Element)}
}

// get returns a copy of the ids cached for key, nil when none.
func (c *locations) get(key string) []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return slices.Clone(e.Value.(*location).ids)
}

// put caches a copy of ids for key, evicting the least recently used
// entry when full.
func (c *locations) put(key string, ids []string) {
	if c == nil {
		return
	}
	ids = slices.Clone(ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		e.Value.(*location).ids = ids
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(&location{key: key, ids: ids})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*location).key)
	}
}

// forget drops key.
func (c *locations) forget(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.Remove(e)
		delete(c.byKey, key)
	}
}

// Keys of the two kinds of location.

func identityLoc(identity string) string { return "i" + identity }
func userLoc(userID string) string       { return "u" + userID }

// owner returns the account id cached for identity, "" when none.
func (c *locations) owner(identity string) string {
	if ids := c.get(identityLoc(identity)); len(ids) == 1 {
		return ids[0]
	}
	return ""
}

// setOwner caches id as the owner of identity (nothing for "").
func (c *locations) setOwner(identity, id string) {
	if identity != "" {
		c.put(identityLoc(identity), []string{id})
	}
}
