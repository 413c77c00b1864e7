package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/content"
)

// syncEntry is the part of a /v1/changes entry the tests read.
type syncEntry struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	At        string `json:"at"`
	ArticleID string `json:"article_id"`
	Lang      string `json:"lang"`
	Version   int    `json:"version"`
	Note      string `json:"note"`
	Article   *struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		Standfirst string `json:"standfirst"`
		Access     struct {
			Level   string `json:"level"`
			Granted bool   `json:"granted"`
		} `json:"access"`
		Body *struct {
			HTML string `json:"html"`
			Text string `json:"text"`
		} `json:"body"`
	} `json:"article"`
}

type syncPage struct {
	Data       []syncEntry `json:"data"`
	NextCursor string      `json:"next_cursor"`
	HasMore    bool        `json:"has_more"`
}

// syncSeq is an entry's place in the log.
func syncSeq(t testing.TB, e syncEntry) int64 {
	t.Helper()
	n, err := strconv.ParseInt(e.ID, 10, 64)
	if err != nil {
		t.Fatalf("entry id %q is not a seq", e.ID)
	}
	return n
}

// syncPath is the changes URL from since (a cursor, "now" or "").
func syncPath(since string, limit int) string {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if since != "" {
		q.Set("since", since)
	}
	return "/v1/changes?" + q.Encode()
}

// syncGet reads one page; it fails the test unless the answer is a 200.
func syncGet(t testing.TB, a *apitest.App, token, since string, limit int) (syncPage, apitest.Response) {
	t.Helper()
	r := a.Get(syncPath(since, limit), token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%.1500s", syncPath(since, limit), r.Status, r.Body)
	}
	var p syncPage
	r.JSON(t, &p)
	if p.NextCursor == "" {
		t.Fatalf("no next_cursor:\n%.500s", r.Body)
	}
	return p, r
}

// syncFollow follows the log from since until has_more is false, and
// returns every entry seen, the cursor to go on from and the raw pages.
func syncFollow(t testing.TB, a *apitest.App, token, since string, limit int) ([]syncEntry, string, [][]byte) {
	t.Helper()
	var all []syncEntry
	var raw [][]byte
	for range 100_000 {
		p, r := syncGet(t, a, token, since, limit)
		if len(p.Data) > limit {
			t.Fatalf("%d entries for limit %d", len(p.Data), limit)
		}
		if p.HasMore && len(p.Data) < limit {
			t.Fatalf("has_more with a short page (%d of %d)", len(p.Data), limit)
		}
		all, raw, since = append(all, p.Data...), append(raw, r.Body), p.NextCursor
		if !p.HasMore {
			return all, since, raw
		}
	}
	t.Fatal("the log never ends")
	return nil, "", nil
}

// syncCheck compares what a follower saw with the log itself: every seq
// once, in increasing order, none missing, same kind and article.
func syncCheck(t testing.TB, seen []syncEntry, log []content.Change) error {
	t.Helper()
	var prev int64
	for i, e := range seen {
		s := syncSeq(t, e)
		if s <= prev {
			return fmt.Errorf("entry %d: seq %d after %d (a repeat or out of order)", i, s, prev)
		}
		prev = s
	}
	byLog := make(map[int64]content.Change, len(log))
	for _, c := range log {
		byLog[c.Seq] = c
	}
	seenSeq := map[int64]bool{}
	for _, e := range seen {
		s := syncSeq(t, e)
		seenSeq[s] = true
		c, ok := byLog[s]
		if !ok {
			return fmt.Errorf("seq %d seen but not in the log", s)
		}
		if string(c.Kind) != e.Kind || c.ArticleID != e.ArticleID || c.Version != e.Version || c.Lang != e.Lang {
			return fmt.Errorf("seq %d: saw %s %s v%d, the log says %s %s v%d", s, e.Kind, e.ArticleID, e.Version, c.Kind, c.ArticleID, c.Version)
		}
	}
	for _, c := range log {
		if !seenSeq[c.Seq] {
			return fmt.Errorf("seq %d (%s of %s) is in the log but the follower never saw it", c.Seq, c.Kind, c.ArticleID)
		}
	}
	return nil
}

// syncLog is the whole change log, read from the database.
func syncLog(t testing.TB, a *apitest.App) []content.Change {
	t.Helper()
	log, err := a.Content.ChangesAfter(context.Background(), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// syncDo sends an admin request with a JSON body (or none) and returns the
// article's version after it, failing the test unless the status is want.
func syncDo(t testing.TB, a *apitest.App, method, path, token, body string, want int, headers ...string) (aaArticle, bool) {
	t.Helper()
	var r apitest.Response
	if body == "" {
		r = a.Do(method, path, token, nil, headers...)
	} else {
		r = aaSend(a, method, path, token, body, headers...)
	}
	if r.Status != want {
		t.Errorf("%s %s: status %d, want %d\n%.800s", method, path, r.Status, want, r.Body)
		return aaArticle{}, false
	}
	var art aaArticle
	if len(r.Body) > 0 {
		r.JSON(t, &art)
	}
	return art, true
}

func TestChangesFollow(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := aaToken(t, a, access.RoleEditor, "editor-sync")
	adm := a.Token(access.RoleAdmin)
	partner := a.Token(access.RolePartner, access.ScopeHeadlines)

	// From the beginning, in small pages: the demo's published articles,
	// each once, as published, with its summary; nothing of the draft or
	// of the scheduled article.
	seen, cur, raw := syncFollow(t, a, partner, "", 3)
	if err := syncCheck(t, seen, syncLog(t, a)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range seen {
		if e.Kind != "published" || e.Article == nil || e.Article.ID != e.ArticleID || e.Article.Title == "" {
			t.Errorf("demo entry %+v: want published with its summary", e)
		}
		got = append(got, e.ArticleID)
	}
	var want []string
	for _, ref := range liveRefs {
		want = append(want, a.Article(ref).ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the log opens with %v, want the live demo articles %v", got, want)
	}
	for _, b := range raw {
		text := readableText(b)
		for _, secret := range []string{draftTitle, scheduledTitle} {
			if strings.Contains(text, secret) {
				t.Errorf("the changes show %q", secret)
			}
		}
	}

	// Caught up: an empty page, the same position, nothing more.
	p, _ := syncGet(t, a, partner, cur, 3)
	if len(p.Data) != 0 || p.HasMore || p.NextCursor != cur {
		t.Fatalf("caught up: %d entries, has_more %v, cursor moved %v", len(p.Data), p.HasMore, p.NextCursor != cur)
	}

	// The newsroom works: every change appears, in order, with its kind.
	art, _ := aaCreate(t, a, ed, `{"title":"Crue de la Lanne : alerte levée","lang":"fr","access":"public","status":"published",
		"standfirst":"Le niveau baisse.","blocks":[{"type":"paragraph","text":"La vigilance orange est levée ce matin."}]}`)
	path := "/v1/admin/articles/" + art.ID
	draft, _ := aaCreate(t, a, ed, aaMinimal) // a draft: not in the log
	v := []int{art.Version}
	upd, _ := syncDo(t, a, http.MethodPatch, path, ed, `{"title":"Crue de la Lanne : l’alerte est levée"}`, http.StatusOK, "If-Match", aaETag(art.ID, art.Version))
	v = append(v, upd.Version)
	corr, _ := syncDo(t, a, http.MethodPatch, path, ed, `{"standfirst":"Le niveau baisse de 40 cm.","correction":"Nous avions écrit 4 cm."}`,
		http.StatusOK, "If-Match", aaETag(art.ID, upd.Version))
	v = append(v, corr.Version)

	p, r := syncGet(t, a, partner, cur, 10)
	if len(p.Data) != 3 || p.HasMore {
		t.Fatalf("after create, update, correct: %d entries (has_more %v), want 3\n%s", len(p.Data), p.HasMore, r.Body)
	}
	for i, kind := range []string{"published", "updated", "corrected"} {
		e := p.Data[i]
		if e.Kind != kind || e.ArticleID != art.ID || e.Version != v[i] || e.Lang != "fr" {
			t.Errorf("entry %d: %s %s v%d, want %s %s v%d", i, e.Kind, e.ArticleID, e.Version, kind, art.ID, v[i])
		}
		// Live now: each entry carries the article as it is now.
		if e.Article == nil || e.Article.Title != "Crue de la Lanne : l’alerte est levée" || e.Article.Standfirst != "Le niveau baisse de 40 cm." {
			t.Errorf("entry %d: article %+v, want the current summary", i, e.Article)
		}
		if e.Article != nil && e.Article.Body != nil {
			t.Errorf("entry %d: a headlines partner got a body", i)
		}
	}
	if p.Data[2].Note != "Nous avions écrit 4 cm." || p.Data[0].Note != "" || p.Data[1].Note != "" {
		t.Errorf("notes %q %q %q: the correction's note belongs to the corrected entry only", p.Data[0].Note, p.Data[1].Note, p.Data[2].Note)
	}
	mid := p.NextCursor

	// Withdrawn, back, deleted; a PATCH of the draft changes nothing public.
	un, _ := syncDo(t, a, http.MethodPost, path+"/unpublish", ed, "", http.StatusOK)
	re, _ := syncDo(t, a, http.MethodPost, path+"/publish", ed, "", http.StatusOK)
	syncDo(t, a, http.MethodPatch, "/v1/admin/articles/"+draft.ID, ed, `{"title":"Toujours un brouillon"}`, http.StatusOK, "If-Match", aaETag(draft.ID, draft.Version))
	syncDo(t, a, http.MethodDelete, path, adm, "", http.StatusNoContent)

	p, r = syncGet(t, a, partner, mid, 10)
	if len(p.Data) != 3 {
		t.Fatalf("after unpublish, publish, delete: %d entries, want 3\n%s", len(p.Data), r.Body)
	}
	for i, w := range []struct {
		kind    string
		version int
	}{{"unpublished", un.Version}, {"published", re.Version}, {"unpublished", re.Version}} {
		e := p.Data[i]
		if e.Kind != w.kind || e.ArticleID != art.ID || e.Version != w.version {
			t.Errorf("entry %d: %s v%d, want %s v%d", i, e.Kind, e.Version, w.kind, w.version)
		}
		// Deleted: no entry carries the article any more, tombstones never.
		if e.Article != nil {
			t.Errorf("entry %d (%s) of a deleted article carries it: %+v", i, e.Kind, e.Article)
		}
	}
	if strings.Contains(string(r.Body), "Crue") || strings.Contains(string(r.Body), `"title"`) {
		t.Errorf("tombstones carry content:\n%s", r.Body)
	}
	for _, e := range p.Data {
		if e.ArticleID == draft.ID {
			t.Error("a draft's edit is in the log")
		}
	}
	// The whole log, read by a second follower in pages of one, agrees.
	all, _, _ := syncFollow(t, a, a.Token(access.RoleEditor), "", 1)
	if err := syncCheck(t, all, syncLog(t, a)); err != nil {
		t.Fatal(err)
	}

	// A scheduled article is published in the log when its time comes, as
	// is the demo's embargoed one (two days ahead), without a scheduler.
	at := a.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	sch, _ := aaCreate(t, a, ed, `{"title":"Ouverture du pont","lang":"fr","access":"public","status":"scheduled","publish_at":"`+at+`",
		"blocks":[{"type":"paragraph","text":"Le pont ouvre."}]}`)
	cur = p.NextCursor
	p, _ = syncGet(t, a, partner, cur, 10)
	if len(p.Data) != 0 {
		t.Fatalf("a scheduled article is in the log before its time: %+v", p.Data)
	}
	a.Clock.Advance(72 * time.Hour)
	partner = a.Token(access.RolePartner, access.ScopeHeadlines) // tokens live an hour on the app's clock
	p, r = syncGet(t, a, partner, cur, 10)
	census := a.Article(scheduledRef).ID
	var ids []string
	for _, e := range p.Data {
		if e.Kind != "published" || e.Article == nil {
			t.Errorf("due article: %+v, want published with its summary", e)
		}
		ids = append(ids, e.ArticleID)
	}
	slices.Sort(ids)
	wantIDs := []string{sch.ID, census}
	slices.Sort(wantIDs)
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("after the clock passed their time: %v, want %v\n%s", ids, wantIDs, r.Body)
	}
	// Once only: asking again from the same position gives the same
	// entries, not a second promotion.
	p2, _ := syncGet(t, a, partner, cur, 10)
	if len(p2.Data) != 2 || p2.NextCursor != p.NextCursor {
		t.Errorf("second read: %d entries", len(p2.Data))
	}
}

func TestChangesSinceNow(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	partner := a.Token(access.RolePartner, access.ScopeFullText)
	p, _ := syncGet(t, a, partner, "now", 20)
	if len(p.Data) != 0 || p.HasMore {
		t.Fatalf("since=now: %d entries, has_more %v", len(p.Data), p.HasMore)
	}
	art, _ := aaCreate(t, a, ed, `{"title":"Nouveau","lang":"en","access":"public","status":"published","blocks":[{"type":"paragraph","text":"New."}]}`)
	p, _ = syncGet(t, a, partner, p.NextCursor, 20)
	if len(p.Data) != 1 || p.Data[0].ArticleID != art.ID || p.Data[0].Kind != "published" {
		t.Fatalf("from now: %+v, want the one new article", p.Data)
	}
}

// TestChangesBodies: whole bodies for full_text partners and staff only;
// nobody else gets any of the body, so never a word past the preview.
func TestChangesBodies(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	for _, c := range callers {
		if c.name == "anonymous" || c.name == "reader" || c.name == "subscriber" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			full := c.name == "partner-full_text" || c.name == "editor" || c.name == "admin"
			seen, _, raw := syncFollow(t, a, c.token(a), "", 4)
			if len(seen) != len(liveRefs) {
				t.Fatalf("%d entries, want %d", len(seen), len(liveRefs))
			}
			byID := map[string]syncEntry{}
			for _, e := range seen {
				byID[e.ArticleID] = e
			}
			text := readableText(bytesJoin(raw))
			for _, ref := range liveRefs {
				stored := a.Article(ref)
				e := byID[stored.ID]
				if e.Article == nil {
					t.Fatalf("%s: no article", ref)
				}
				if want := entitled[string(stored.Access)][c.name]; e.Article.Access.Granted != want {
					t.Errorf("%s: access.granted %v, want %v", ref, e.Article.Access.Granted, want)
				}
				if !full {
					if e.Article.Body != nil {
						t.Errorf("%s: %s got a body", ref, c.name)
					}
					// Not a word of the body beyond what the summary says
					// itself (title, standfirst): check the text past the
					// preview, and the body's last sentence.
					if stored.Truncated {
						for _, f := range secretFragments(t, stored.Body.Text, stored.Preview.Text, 6) {
							if strings.Contains(text, normalize(f)) {
								t.Fatalf("%s: %s sees text past the preview: %q", ref, c.name, f)
							}
						}
					}
					if last := lastSentence(stored.Body.Text); strings.Contains(text, normalize(last)) {
						t.Errorf("%s: %s sees the body's last sentence %q", ref, c.name, last)
					}
					continue
				}
				if e.Article.Body == nil || e.Article.Body.HTML != stored.Body.HTML || e.Article.Body.Text != stored.Body.Text {
					t.Errorf("%s: %s did not get the whole body", ref, c.name)
				}
			}
		})
	}
}

// lastSentence is the last sentence of a text, for leak checks.
func lastSentence(s string) string {
	s = strings.TrimSpace(s)
	cut := strings.LastIndexAny(strings.TrimRight(s, ".!?»\u00a0 "), ".!?")
	if cut < 0 {
		return s
	}
	return strings.TrimSpace(s[cut+1:])
}

func bytesJoin(bs [][]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
		out = append(out, '\n')
	}
	return out
}

func TestChangesRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	partner := a.Token(access.RolePartner, access.ScopeHeadlines)
	p, _ := syncGet(t, a, partner, "", 2)
	good := p.NextCursor
	tampered := good[:len(good)-2] + "AA"
	if tampered == good {
		tampered = good[:len(good)-2] + "BB"
	}
	list := a.Get("/v1/articles?limit=1", "")
	var page summaryPage
	list.JSON(t, &page)
	if page.NextCursor == nil {
		t.Fatal("no articles cursor")
	}
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "anonymous", Path: "/v1/changes", WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Path: "/v1/changes", Token: apitest.As("reader"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "subscriber", Path: "/v1/changes", Token: apitest.As("subscriber"), WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "bad token", Path: "/v1/changes", Token: func(*apitest.App) string { return "nope" }, WantStatus: http.StatusUnauthorized, WantCode: "token_invalid"},
		{Name: "tampered cursor", Path: "/v1/changes?since=" + tampered, Token: apitest.As("partner", "headlines"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request", WantContains: []string{`"field":"since"`}},
		{Name: "foreign cursor", Path: "/v1/changes?since=" + url.QueryEscape(*page.NextCursor), Token: apitest.As("partner", "headlines"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "garbage since", Path: "/v1/changes?since=12", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "cursor instead of since", Path: "/v1/changes?cursor=" + good, Token: apitest.As("editor"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request", WantContains: []string{`"field":"cursor"`}},
		{Name: "limit zero", Path: "/v1/changes?limit=0", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "limit too big", Path: "/v1/changes?limit=101", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "limit not a number", Path: "/v1/changes?limit=ten", Token: apitest.As("editor"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "partner without scope", Path: "/v1/changes?limit=100", Token: apitest.As("partner"), WantStatus: http.StatusOK,
			WantNotContains: []string{`"body"`}},
		{Name: "admin", Path: "/v1/changes?limit=1", Token: apitest.As("admin"), WantStatus: http.StatusOK,
			WantHeaders: map[string]string{"Cache-Control": "private", "Vary": "Authorization"}},
	})

	// The other lists' cursors are refused the other way round too.
	r := a.Get("/v1/articles?cursor="+url.QueryEscape(good), "")
	mustStatus(t, r, http.StatusBadRequest, "a changes cursor on /v1/articles")

	// An unchanged page answers 304 to its ETag.
	r = a.Get(syncPath(good, 5), partner)
	mustStatus(t, r, http.StatusOK, "page")
	etag := r.Header.Get("ETag")
	mustStatus(t, a.Get(syncPath(good, 5), partner, "If-None-Match", etag), http.StatusNotModified, "same page")
}

// TestChangesConcurrentWriters is the claim: while editors write at
// once through the API, a partner following the cursor in small pages sees
// every change exactly once, in order, and nothing is missed.
func TestChangesConcurrentWriters(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	adm := a.Token(access.RoleAdmin)
	partner := a.Token(access.RolePartner, access.ScopeHeadlines)
	initial, start, _ := syncFollow(t, a, partner, "", 100)
	startSeq := syncSeq(t, initial[len(initial)-1])

	const writers, rounds = 5, 3
	var (
		mu       sync.Mutex
		expected = map[string][]string{} // article → kinds, as the writers did them
		wg       sync.WaitGroup
		wrote    = make(chan struct{}, 1) // a writer's change is committed
	)
	record := func(id, kind string) {
		mu.Lock()
		expected[id] = append(expected[id], kind)
		mu.Unlock()
		select {
		case wrote <- struct{}{}:
		default: // the follower has a wake-up pending already
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ed := aaToken(t, a, access.RoleEditor, fmt.Sprintf("writer-%d", w))
			for i := range rounds {
				body := fmt.Sprintf(`{"title":"Article %d-%d","lang":"fr","access":"subscribers","status":"published","blocks":[{"type":"paragraph","text":"Texte %d %d."}]}`, w, i, w, i)
				r := aaSend(a, http.MethodPost, "/v1/admin/articles", ed, body)
				if r.Status != http.StatusCreated {
					t.Errorf("create: %d %s", r.Status, r.Body)
					continue
				}
				var art aaArticle
				r.JSON(t, &art)
				record(art.ID, "published")
				path := "/v1/admin/articles/" + art.ID
				steps := []struct {
					method, path, token, body, kind string
					status                          int
				}{
					{http.MethodPatch, path, ed, `{"title":"Mis à jour"}`, "updated", http.StatusOK},
					{http.MethodPatch, path, ed, `{"title":"Corrigé","correction":"Le titre était faux."}`, "corrected", http.StatusOK},
					{http.MethodPost, path + "/unpublish", ed, "", "unpublished", http.StatusOK},
					{http.MethodPatch, path, ed, `{"title":"Retiré, retouché"}`, "", http.StatusOK}, // not public: no change
					{http.MethodPost, path + "/publish", ed, "", "published", http.StatusOK},
					{http.MethodDelete, path, adm, "", "unpublished", http.StatusNoContent},
				}
				version := art.Version
				for _, st := range steps {
					var headers []string
					if st.method == http.MethodPatch {
						headers = []string{"If-Match", aaETag(art.ID, version)}
					}
					got, ok := syncDo(t, a, st.method, st.path, st.token, st.body, st.status, headers...)
					if !ok {
						break // the rest of this article's story did not happen
					}
					version = got.Version
					if st.kind != "" {
						record(art.ID, st.kind)
					}
				}
			}
		}()
	}

	// The partner follows in pages of three while they write.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var seen []syncEntry
	cur, polls, during := start, 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		p, _ := syncGet(t, a, partner, cur, 3)
		seen, cur = append(seen, p.Data...), p.NextCursor
		polls++
		if running {
			during += len(p.Data)
		}
		if len(p.Data) == 0 && running {
			// Caught up: wait for the next change, or the end.
			select {
			case <-wrote:
			case <-done:
			}
		}
	}
	rest, _, _ := syncFollow(t, a, partner, cur, 3)
	seen = append(seen, rest...)
	t.Logf("%d polls, %d entries seen while the writers ran, %d in all", polls, during, len(seen))

	log := syncLog(t, a)
	first := 0
	for first < len(log) && log[first].Seq <= startSeq {
		first++
	}
	if err := syncCheck(t, seen, log[first:]); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range seen {
		got[e.ArticleID] = append(got[e.ArticleID], e.Kind)
	}
	if len(got) != len(expected) {
		t.Errorf("changes of %d articles, the writers touched %d", len(got), len(expected))
	}
	for id, kinds := range expected {
		if !slices.Equal(got[id], kinds) {
			t.Errorf("article %s: saw %v, the writers did %v", id, got[id], kinds)
		}
	}
	if len(expected) != writers*rounds {
		t.Errorf("%d articles created, want %d", len(expected), writers*rounds)
	}
}

// TestChangesCheckerCatchesGap shows that the concurrent test would notice
// a change committed late below a follower's cursor: the failure the
// change log's ordering (PostgreSQL: the advisory lock) prevents. A row is
// written with a seq under the cursor, as a transaction that took its seq
// early and committed after a later one would; the follower never sees it,
// and syncCheck says so.
func TestChangesCheckerCatchesGap(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	partner := a.Token(access.RolePartner, access.ScopeHeadlines)
	seen, cur, _ := syncFollow(t, a, partner, "", 5)
	last := syncSeq(t, seen[len(seen)-1])
	id := a.Article("summit-fr").ID
	insert := func(seq int64) {
		t.Helper()
		err := a.DB.Write(context.Background()).Exec(
			`INSERT INTO article_changes (seq, article_id, kind, lang, version, note, created_at) VALUES (?, ?, 'updated', 'fr', 1, '', ?)`,
			seq, id, a.Clock.Now().UTC()).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(last + 10) // committed first
	more, cur, _ := syncFollow(t, a, partner, cur, 5)
	if len(more) != 1 {
		t.Fatalf("%d entries after the first insert, want 1", len(more))
	}
	insert(last + 5) // took its seq earlier, committed later
	late, _, _ := syncFollow(t, a, partner, cur, 5)
	if len(late) != 0 {
		t.Fatalf("a follower sees a seq below its cursor: %+v", late)
	}
	err := syncCheck(t, append(seen, more...), syncLog(t, a))
	if err == nil || !strings.Contains(err.Error(), strconv.FormatInt(last+5, 10)) {
		t.Fatalf("the checker did not report the missed seq %d: %v", last+5, err)
	}
	// And the checker reports a repeat.
	if err := syncCheck(t, append(seen, seen[len(seen)-1]), syncLog(t, a)); err == nil {
		t.Fatal("the checker accepted an entry seen twice")
	}
}

// A correction the newsroom sends wrong is refused with a problem naming the
// field, and neither the article nor the change log moves.
func TestCorrectionRefused(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := aaToken(t, a, access.RoleEditor, "editor-corr")
	partner := a.Token(access.RolePartner, access.ScopeHeadlines)
	pub, _ := aaCreate(t, a, ed, `{"title":"Crue de la Vive","lang":"fr","access":"public","status":"published",
		"blocks":[{"type":"paragraph","text":"La digue tient."}]}`)
	draft, _ := aaCreate(t, a, ed, aaMinimal)
	start, _ := syncGet(t, a, partner, "now", 1)

	for _, c := range []struct {
		name, id, body string
		version        int
		status         int
		code           string
	}{
		{"empty", pub.ID, `{"correction":""}`, pub.Version, http.StatusUnprocessableEntity, "validation_failed"},
		{"blank", pub.ID, `{"correction":"  \n "}`, pub.Version, http.StatusUnprocessableEntity, "validation_failed"},
		{"too long", pub.ID, `{"correction":"` + strings.Repeat("é", content.MaxCorrectionRunes+1) + `"}`, pub.Version, http.StatusUnprocessableEntity, "validation_failed"},
		{"wrong type", pub.ID, `{"correction":42}`, pub.Version, http.StatusBadRequest, "bad_request"},
		{"of a draft", draft.ID, `{"title":"Autre titre","correction":"Le titre était faux."}`, draft.Version, http.StatusUnprocessableEntity, "validation_failed"},
		{"while withdrawing", pub.ID, `{"status":"unpublished","correction":"Retiré."}`, pub.Version, http.StatusUnprocessableEntity, "validation_failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := "/v1/admin/articles/" + c.id
			r := aaSend(a, http.MethodPatch, path, ed, c.body, "If-Match", aaETag(c.id, c.version))
			if r.Status != c.status {
				t.Fatalf("status %d, want %d\n%.500s", r.Status, c.status, r.Body)
			}
			m := r.Map(t)
			if m["code"] != c.code {
				t.Errorf("problem %s: want code %s", r.Body, c.code)
			}
			if c.code == "validation_failed" && !strings.Contains(string(r.Body), `"field":"correction"`) {
				t.Errorf("problem %s: want an error naming correction", r.Body)
			}
			var got aaArticle
			a.Get(path, ed).JSON(t, &got)
			if got.Version != c.version {
				t.Errorf("the article moved to version %d", got.Version)
			}
		})
	}
	if p, _ := syncGet(t, a, partner, start.NextCursor, 10); len(p.Data) != 0 {
		t.Errorf("refused corrections logged %d changes", len(p.Data))
	}
}
