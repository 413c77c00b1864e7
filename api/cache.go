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
}

type cachedRep struct {
	body    []byte
	etag    string
	lastMod time.Time
	// lastModText is lastMod as an HTTP date, formatted once.
	lastModText string
	gen         uint64
	at          time.Time
	// coded holds the body's compressed forms, made on first demand and
	// shared by every copy of the entry (encoding.go).
	coded *forms
}

// newRep is the representation of body, with its ETag and no compressed
// form yet.
func newRep(body []byte, lastMod time.Time) cachedRep {
	rep := cachedRep{body: body, etag: etagOf(body), lastMod: lastMod, coded: new(forms)}
	if !lastMod.IsZero() {
		rep.lastModText = httpTime(lastMod)
	}
	return rep
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
	if !ok || e.gen != gen || rc.now().Sub(e.at) >= rc.ttl {
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
