package api

import (
	"sync"
	"time"
)

// repCache holds encoded representations (bytes, compressed forms, ETag)
// of public reads, so that a breaking story read by everyone at once costs a
// map lookup and the entitlement decision, not queries and encoding.
//
// Keys include the caller's entitlement class (see classOf), never the
// caller: an anonymous reader can only ever hit a preview. An entry is stale
// when the content service's write generation has moved (any write in this
// process) or when it is older than the TTL, which bounds what another
// process's writes and the passing of scheduled times can leave stale.
//
// Its memory is bounded in bytes, in two generations: entries go into the
// current one; when it holds half the budget it becomes the previous one
// and the one before is dropped. An entry found in the previous generation
// moves back into the current one, so what is read often stays, while a
// crawler walking the archive only ever fills the budget.
type repCache struct {
	mu        sync.Mutex
	cur, prev map[string]cachedRep
	curBytes  int64
	ttl       time.Duration
	half      int64 // bytes a generation may hold
	now       func() time.Time
	// observe counts the lookups when metrics are on (api/metrics.go).
	observe func(key string, hit bool)
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

func newRepCache(ttl time.Duration, maxBytes int64, now func() time.Time) *repCache {
	return &repCache{cur: make(map[string]cachedRep), prev: map[string]cachedRep{}, ttl: ttl, half: maxBytes / 2, now: now}
}

// cost is what an entry may come to hold: its key, body, compressed forms
// (a third of the body each, about, for the two a client mix asks for) and
// the bookkeeping.
func cost(key string, e cachedRep) int64 {
	return int64(len(key) + len(e.body) + 2*len(e.body)/3 + len(e.etag) + len(e.lastModText) + 256)
}

func (rc *repCache) get(key string, gen uint64) (cachedRep, bool) {
	if rc == nil {
		return cachedRep{}, false
	}
	rc.mu.Lock()
	e, ok := rc.cur[key]
	if !ok {
		if e, ok = rc.prev[key]; ok {
			delete(rc.prev, key)
			rc.addLocked(key, e)
		}
	}
	rc.mu.Unlock()
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
	delete(rc.prev, key)
	rc.addLocked(key, e)
	rc.mu.Unlock()
}

func (rc *repCache) addLocked(key string, e cachedRep) {
	if old, ok := rc.cur[key]; ok {
		rc.curBytes -= cost(key, old)
	}
	c := cost(key, e)
	if rc.curBytes+c > rc.half && len(rc.cur) > 0 {
		rc.prev, rc.cur, rc.curBytes = rc.cur, make(map[string]cachedRep, len(rc.cur)), 0
	}
	rc.cur[key] = e
	rc.curBytes += c
}

// size is the bytes the current generation holds, and how many entries both
// generations hold.
func (rc *repCache) size() (bytes int64, entries int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.curBytes, len(rc.cur) + len(rc.prev)
}
