package api

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

func TestRepCacheBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	const budget = 1 << 20
	rc := newRepCache(time.Minute, budget, func() time.Time { return now })
	body := bytes.Repeat([]byte("x"), 4000)
	hot := "article\x00hot"
	rc.put(hot, newRep(body, now))

	// A crawler walks 10,000 entries (60 MB of bodies); the hot entry is
	// read between every ten of them.
	var total int64
	for i := range 10_000 {
		key := "article\x00" + strconv.Itoa(i)
		e := newRep(body, now)
		rc.put(key, e)
		total += cost(key, e)
		if i%10 == 0 {
			if _, ok := rc.get(hot, 0); !ok {
				t.Fatalf("after %d entries the hot entry is gone", i)
			}
		}
		rc.mu.Lock()
		held := int64(0)
		for k, e := range rc.cur {
			held += cost(k, e)
		}
		for k, e := range rc.prev {
			held += cost(k, e)
		}
		rc.mu.Unlock()
		if held > budget {
			t.Fatalf("after %d entries the cache holds %d bytes, budget %d", i, held, budget)
		}
	}
	if _, n := rc.size(); n < budget/int(cost("article\x00"+"9999", newRep(body, now)))/2 {
		t.Errorf("only %d entries kept of a %d-byte budget", n, budget)
	}

	// Staleness: another generation, or past the TTL.
	rc.put("k", cachedRep{body: body, gen: 7})
	if _, ok := rc.get("k", 7); !ok {
		t.Fatal("fresh entry missed")
	}
	if _, ok := rc.get("k", 8); ok {
		t.Fatal("entry of an older generation served")
	}
	now = now.Add(time.Minute)
	if _, ok := rc.get("k", 7); ok {
		t.Fatal("entry past its TTL served")
	}
	var nilCache *repCache
	nilCache.put("k", cachedRep{})
	if _, ok := nilCache.get("k", 0); ok {
		t.Fatal("the nil cache (cache-ttl 0) served an entry")
	}
}
