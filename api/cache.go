package api

import (
	"sync"
	"time"
)

// repCache holds encoded representations (bytes and ETag) of public reads, so
// that a breaking story read by everyone at once costs a map lookup and the
// entitlement decision, not queries and encoding.
//
// Keys include the caller's entitlement class (see classOf), never the
// caller: an anonymous reader can only ever hit a preview. An entry is stale
// when the content service's write generation has moved (any write in this
// process) or when it is older than the TTL, which bounds what another
// process's writes and the passing of scheduled times can leave stale.
type repCache struct {
	mu      sync.RWMutex
	entries map[string]cachedRep
	ttl     time.Duration
	max     int
	now     func() time.Time
	// observe counts the lookups when metrics are on (api/metrics.go).
	observe func(key string, hit bool)
}

type cachedRep struct {
	body    []byte
	etag    string
	lastMod time.Time
	gen     uint64
	at      time.Time
}

func newRepCache(ttl time.Duration, max int, now func() time.Time) *repCache {
	return &repCache{entries: make(map[string]cachedRep), ttl: ttl, max: max, now: now}
}

func (rc *repCache) get(key string, gen uint64) (cachedRep, bool) {
	if rc == nil {
		return cachedRep{}, false
	}
	rc.mu.RLock()
	e, ok := rc.entries[key]
	rc.mu.RUnlock()
	hit := ok && e.gen == gen && rc.now().Sub(e.at) < rc.ttl
	if rc.observe != nil {
		rc.observe(key, hit)
	}
	if !hit {
		return cachedRep{}, false
	}
	return e, true
}

func (rc *repCache) put(key string, e cachedRep) {
	if rc == nil {
		return
	}
	e.at = rc.now()
	rc.mu.Lock()
	if len(rc.entries) >= rc.max {
		// Simple and bounded: start afresh. Hot keys come back at once.
		clear(rc.entries)
	}
	rc.entries[key] = e
	rc.mu.Unlock()
}
