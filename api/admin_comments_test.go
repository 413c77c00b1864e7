package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
)

type adminComment struct {
	ID          string   `json:"id"`
	ArticleID   string   `json:"article_id"`
	Email       string   `json:"email"`
	IP          string   `json:"ip"`
	Body        string   `json:"body"`
	Status      string   `json:"status"`
	HoldReasons []string `json:"hold_reasons"`
	ReportCount int      `json:"report_count"`
	Version     int      `json:"version"`
	ETag        string   `json:"etag"`
}

type adminCommentPage struct {
	Data       []adminComment `json:"data"`
	NextCursor *string        `json:"next_cursor"`
}

type moderationEntry struct {
	Moderator  string `json:"moderator"`
	FromStatus string `json:"from_status"`
	ToStatus   string `json:"to_status"`
	Note       string `json:"note"`
}

// commentByBody finds a demo comment's row by the start of its body.
func commentByBody(t *testing.T, a *apitest.App, prefix string) (id, status string, version int) {
	t.Helper()
	var row struct {
		ID      string
		Status  string
		Version int
	}
	err := a.DB.Read(context.Background()).Raw("SELECT id, status, version FROM comments WHERE body LIKE ?", prefix+"%").Scan(&row).Error
	if err != nil || row.ID == "" {
		t.Fatalf("no comment starts with %q: %v", prefix, err)
	}
	return row.ID, row.Status, row.Version
}

func moderationRows(t *testing.T, a *apitest.App, commentID string) int {
	t.Helper()
	var n int64
	if err := a.DB.Read(context.Background()).Table("comment_moderations").Where("comment_id = ?", commentID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// checkCounts asserts that every article's comment_count is its number of
// approved comments.
func checkCounts(t *testing.T, a *apitest.App) {
	t.Helper()
	var bad []struct {
		ID           string
		CommentCount int
		Approved     int
	}
	err := a.DB.Read(context.Background()).Raw(`SELECT a.id, a.comment_count,
		(SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'approved') AS approved
		FROM articles a`).Scan(&bad).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range bad {
		if r.CommentCount != r.Approved {
			t.Errorf("article %s: comment_count %d, approved comments %d", r.ID, r.CommentCount, r.Approved)
		}
	}
}

// publicCount reads the article's comment_count as the public sees it.
func publicCount(t *testing.T, a *apitest.App, ref string) int {
	t.Helper()
	r := a.Get("/v1/articles/"+a.Article(ref).ID, "")
	if r.Status != http.StatusOK {
		t.Fatalf("article %s: %d %s", ref, r.Status, r.Body)
	}
	var art struct {
		CommentCount int `json:"comment_count"`
	}
	r.JSON(t, &art)
	return art.CommentCount
}

func patchStatus(a *apitest.App, token, id, status string, headers ...string) apitest.Response {
	return a.Do(http.MethodPatch, "/v1/admin/comments/"+id, token,
		strings.NewReader(`{"status":"`+status+`"}`), append([]string{"Content-Type", "application/json"}, headers...)...)
}

func history(t *testing.T, a *apitest.App, id string) []moderationEntry {
	t.Helper()
	r := a.Get("/v1/admin/comments/"+id+"/history", a.Token(access.RoleEditor))
	if r.Status != http.StatusOK {
		t.Fatalf("history: %d %s", r.Status, r.Body)
	}
	var out struct {
		Data []moderationEntry `json:"data"`
	}
	r.JSON(t, &out)
	return out.Data
}

func TestAdminCommentsList(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token(access.RoleEditor)
	get := func(q string) adminCommentPage {
		t.Helper()
		r := a.Get("/v1/admin/comments"+q, editor)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", q, r.Status, r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		var p adminCommentPage
		r.JSON(t, &p)
		return p
	}
	want := map[string]int{"pending": 4, "rejected": 2, "spam": 2}
	for st, n := range want {
		p := get("?status=" + st)
		if len(p.Data) != n {
			t.Errorf("status=%s: %d comments, want %d", st, len(p.Data), n)
		}
		for _, c := range p.Data {
			if c.Status != st || c.Email == "" || !strings.Contains(c.Email, "@") || c.ETag != fmt.Sprintf(`"%s.v%d"`, c.ID, c.Version) {
				t.Errorf("status=%s: %+v", st, c)
			}
		}
	}
	pending := get("?status=pending")
	if !strings.Contains(fmt.Sprint(pending.Data), "marc.oudin@example.com") {
		t.Errorf("pending list lacks c4's author email: %+v", pending.Data)
	}
	// The public thread of the same article never shows an email.
	if r := a.Get("/v1/articles/"+a.Article("summit-fr").ID+"/comments", ""); strings.Contains(string(r.Body), "@example") {
		t.Errorf("public thread shows an email: %s", r.Body)
	}
	// Newest first, keyset pages that cover everything once.
	all := get("?limit=100")
	seen := map[string]bool{}
	var q = "?limit=3"
	for pages := 0; ; pages++ {
		p := get(q)
		for _, c := range p.Data {
			if seen[c.ID] {
				t.Fatalf("comment %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if p.NextCursor == nil {
			break
		}
		q = "?limit=3&cursor=" + *p.NextCursor
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != len(all.Data) || len(all.Data) < 20 {
		t.Errorf("pages cover %d comments, the whole list has %d", len(seen), len(all.Data))
	}
	// Filters combine: one article.
	summit := a.Article("summit-fr").ID
	p := get("?article=" + summit + "&status=approved")
	if len(p.Data) != 4 {
		t.Errorf("summit-fr approved: %d, want 4", len(p.Data))
	}
	if p := get("?reported=true"); len(p.Data) != 0 {
		t.Errorf("reported before any report: %d", len(p.Data))
	}

	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "anonymous", Path: "/v1/admin/comments", WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "reader", Path: "/v1/admin/comments", Token: tok(access.RoleReader), WantStatus: 403, WantCode: "forbidden"},
		{Name: "partner", Path: "/v1/admin/comments", Token: tok(access.RolePartner), WantStatus: 403, WantCode: "forbidden"},
		{Name: "admin", Path: "/v1/admin/comments?status=spam", Token: tok(access.RoleAdmin), WantStatus: 200, WantContains: []string{"promo@example.com"}},
		{Name: "bad status", Path: "/v1/admin/comments?status=hidden", Token: tok(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "bad reported", Path: "/v1/admin/comments?reported=yes", Token: tok(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "bad article", Path: "/v1/admin/comments?article=summit", Token: tok(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "bad limit", Path: "/v1/admin/comments?limit=0", Token: tok(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "forged cursor", Path: "/v1/admin/comments?cursor=abc", Token: tok(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "unknown id", Path: "/v1/admin/comments/" + ulid.Make().String(), Token: tok(access.RoleEditor), WantStatus: 404, WantCode: "not_found"},
		{Name: "history of unknown id", Path: "/v1/admin/comments/" + ulid.Make().String() + "/history", Token: tok(access.RoleEditor), WantStatus: 404, WantCode: "not_found"},
	})
}

func tok(role access.Role) func(a *apitest.App) string {
	return func(a *apitest.App) string { return a.Token(role) }
}

func TestModerateComment(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token(access.RoleEditor)
	c4, st, v := commentByBody(t, a, "Et les pêcheurs")
	if st != "pending" {
		t.Fatalf("c4 is %s", st)
	}
	thread := "/v1/articles/" + a.Article("summit-fr").ID + "/comments"
	before := publicCount(t, a, "summit-fr") // also fills the public cache
	if before != 4 {
		t.Fatalf("summit-fr comment_count %d, want 4", before)
	}
	if r := a.Get(thread, ""); strings.Contains(string(r.Body), "Et les pêcheurs") {
		t.Fatal("pending comment in the public thread")
	}

	// Bad input changes nothing.
	for _, bad := range []struct {
		name, body string
		status     int
		code       string
		headers    []string
	}{
		{"bad status", `{"status":"hidden"}`, 422, "validation_failed", nil},
		{"empty status", `{}`, 422, "validation_failed", nil},
		{"malformed", `{"status":`, 400, "bad_request", nil},
		{"unknown field", `{"status":"approved","pin":true}`, 400, "bad_request", nil},
		{"long note", `{"status":"approved","note":"` + strings.Repeat("x", 1001) + `"}`, 422, "validation_failed", nil},
		{"stale If-Match", `{"status":"approved"}`, 412, "precondition_failed", []string{"If-Match", fmt.Sprintf(`"%s.v%d"`, c4, v+7)}},
		{"foreign If-Match", `{"status":"approved"}`, 412, "precondition_failed", []string{"If-Match", `"other"`}},
	} {
		r := a.Do(http.MethodPatch, "/v1/admin/comments/"+c4, editor, strings.NewReader(bad.body),
			append([]string{"Content-Type", "application/json"}, bad.headers...)...)
		if r.Status != bad.status || problemCode(t, r) != bad.code {
			t.Errorf("%s: %d %s, want %d %s", bad.name, r.Status, r.Body, bad.status, bad.code)
		}
	}
	if r := patchStatus(a, a.Token(access.RoleReader), c4, "approved"); r.Status != 403 {
		t.Errorf("reader: %d", r.Status)
	}
	if r := patchStatus(a, "", c4, "approved"); r.Status != 401 {
		t.Errorf("anonymous: %d", r.Status)
	}
	if r := patchStatus(a, editor, ulid.Make().String(), "approved"); r.Status != 404 {
		t.Errorf("unknown id: %d", r.Status)
	}
	if _, st2, v2 := commentByBody(t, a, "Et les pêcheurs"); st2 != "pending" || v2 != v || moderationRows(t, a, c4) != 0 {
		t.Fatalf("bad input changed the comment: %s v%d", st2, v2)
	}

	// Approve with If-Match: the public thread and count follow at once.
	r := patchStatus(a, editor, c4, "approved", "If-Match", fmt.Sprintf(`"%s.v%d"`, c4, v))
	if r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if et := r.Header.Get("ETag"); et != fmt.Sprintf(`"%s.v%d"`, c4, v+1) {
		t.Errorf("ETag %q", et)
	}
	if got := publicCount(t, a, "summit-fr"); got != before+1 {
		t.Errorf("comment_count after approval %d, want %d", got, before+1)
	}
	if r := a.Get(thread, ""); !strings.Contains(string(r.Body), "Et les pêcheurs") {
		t.Error("approved comment missing from the public thread")
	}
	// Same status again: nothing changes, nothing is logged.
	if r := patchStatus(a, editor, c4, "approved"); r.Status != 200 || moderationRows(t, a, c4) != 1 {
		t.Errorf("repeat approve: %d, %d log rows", r.Status, moderationRows(t, a, c4))
	}
	// Reject an approved one: count down.
	c5, _, _ := commentByBody(t, a, "Très bon résumé")
	if r := a.Do(http.MethodPatch, "/v1/admin/comments/"+c5, a.Token(access.RoleAdmin),
		strings.NewReader(`{"status":"rejected","note":"off-topic"}`), "Content-Type", "application/json"); r.Status != 200 {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	if got := publicCount(t, a, "summit-fr"); got != before {
		t.Errorf("comment_count after rejection %d, want %d", got, before)
	}
	h := history(t, a, c5)
	if len(h) != 1 || h[0] != (moderationEntry{Moderator: "test-admin", FromStatus: "approved", ToStatus: "rejected", Note: "off-topic"}) {
		t.Errorf("history of c5: %+v", h)
	}
	h = history(t, a, c4)
	if len(h) != 1 || h[0].Moderator != "test-editor" || h[0].FromStatus != "pending" || h[0].ToStatus != "approved" {
		t.Errorf("history of c4: %+v", h)
	}
	// The single view carries the ETag and answers If-None-Match.
	r = a.Get("/v1/admin/comments/"+c4, editor)
	if r.Status != 200 || r.Header.Get("ETag") != fmt.Sprintf(`"%s.v%d"`, c4, v+1) {
		t.Errorf("get: %d %q", r.Status, r.Header.Get("ETag"))
	}
	if r := a.Get("/v1/admin/comments/"+c4, editor, "If-None-Match", r.Header.Get("ETag")); r.Status != 304 {
		t.Errorf("If-None-Match: %d", r.Status)
	}
	checkCounts(t, a)
}

func TestBulkModerateAndDelete(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor, admin := a.Token(access.RoleEditor), a.Token(access.RoleAdmin)
	c4, _, _ := commentByBody(t, a, "Et les pêcheurs")
	e3, _, _ := commentByBody(t, a, "Will the joint gauging")
	unknown := ulid.Make().String()
	post := func(token, body string) apitest.Response {
		return a.Do(http.MethodPost, "/v1/admin/comments/bulk", token, strings.NewReader(body), "Content-Type", "application/json")
	}
	for _, bad := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"ids":[],"status":"approved"}`, 422, "validation_failed"},
		{`{"ids":["` + c4 + `"],"status":"gone"}`, 422, "validation_failed"},
		{`{"ids":["` + strings.Repeat(c4+`","`, 100) + c4 + `"],"status":"approved"}`, 422, "validation_failed"},
		{`{"ids":"` + c4 + `","status":"approved"}`, 400, "bad_request"},
		{`{"ids":["` + c4 + `"],"status":"approved","x":1}`, 400, "bad_request"},
	} {
		if r := post(editor, bad.body); r.Status != bad.status || problemCode(t, r) != bad.code {
			t.Errorf("%s: %d %s, want %d %s", bad.body[:20], r.Status, r.Body, bad.status, bad.code)
		}
	}
	if r := post(a.Token(access.RoleReader), `{"ids":["`+c4+`"],"status":"approved"}`); r.Status != 403 {
		t.Errorf("reader: %d", r.Status)
	}
	if n := moderationRows(t, a, c4); n != 0 {
		t.Fatalf("bad bulk input logged %d decisions", n)
	}
	r := post(editor, `{"ids":["`+c4+`","`+e3+`","`+unknown+`","nope","`+c4+`"],"status":"approved"}`)
	if r.Status != 200 {
		t.Fatalf("bulk: %d %s", r.Status, r.Body)
	}
	var out struct {
		Updated  []adminComment `json:"updated"`
		NotFound []string       `json:"not_found"`
	}
	r.JSON(t, &out)
	if len(out.Updated) != 2 || len(out.NotFound) != 2 || out.NotFound[0] != unknown || out.NotFound[1] != "nope" {
		t.Errorf("bulk answer: %s", r.Body)
	}
	if moderationRows(t, a, c4) != 1 || moderationRows(t, a, e3) != 1 {
		t.Error("each bulk change must be logged once")
	}
	if got := publicCount(t, a, "summit-fr"); got != 5 {
		t.Errorf("summit-fr count %d, want 5", got)
	}
	if got := publicCount(t, a, "summit-en"); got != 3 {
		t.Errorf("summit-en count %d, want 3", got)
	}
	checkCounts(t, a)

	// Delete: admins only; replies go with their parent.
	c1, _, _ := commentByBody(t, a, "Enfin ! Quarante")
	del := func(token, id string) int {
		return a.Do(http.MethodDelete, "/v1/admin/comments/"+id, token, nil).Status
	}
	if s := del(editor, c1); s != 403 {
		t.Errorf("editor delete: %d", s)
	}
	if s := del("", c1); s != 401 {
		t.Errorf("anonymous delete: %d", s)
	}
	if s := del(admin, "not-an-id"); s != 404 {
		t.Errorf("bad id: %d", s)
	}
	if got := publicCount(t, a, "summit-fr"); got != 5 {
		t.Fatalf("a refused delete changed the count: %d", got)
	}
	if s := del(admin, c1); s != 204 {
		t.Fatalf("admin delete: %d", s)
	}
	if s := del(admin, c1); s != 404 {
		t.Errorf("second delete: %d", s)
	}
	// c1 took c2, c3 and c4 with it; c5 is left.
	if got := publicCount(t, a, "summit-fr"); got != 1 {
		t.Errorf("count after delete %d, want 1", got)
	}
	var left int64
	a.DB.Read(context.Background()).Table("comments").Where("article_id = ?", a.Article("summit-fr").ID).Count(&left)
	if left != 1 {
		t.Errorf("%d comments left under summit-fr, want 1", left)
	}
	checkCounts(t, a)
}

func TestTwoModeratorsAtOnce(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed1, ed2 := a.Token(access.RoleEditor), a.Token(access.RoleAdmin)
	c4, _, v := commentByBody(t, a, "Et les pêcheurs")
	etag := fmt.Sprintf(`"%s.v%d"`, c4, v)

	// Same If-Match: one wins, the other is told.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, tk := range []string{ed1, ed2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := []string{"approved", "rejected"}[i]
			statuses[i] = patchStatus(a, tk, c4, to, "If-Match", etag).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 412 || statuses[0] == 412 && statuses[1] == 200) {
		t.Fatalf("statuses %v, want one 200 and one 412", statuses)
	}
	h := history(t, a, c4)
	if len(h) != 1 {
		t.Fatalf("%d log rows, want 1: %+v", len(h), h)
	}
	_, st, _ := commentByBody(t, a, "Et les pêcheurs")
	if st != h[0].ToStatus {
		t.Errorf("status %s, log says %s", st, h[0].ToStatus)
	}

	// Without If-Match: both apply in sequence, each logged from the state
	// it found.
	for round := 0; round < 5; round++ {
		e3, _, _ := commentByBody(t, a, "Will the joint gauging")
		// Start each round from a third status, so that both decisions
		// change something whichever lands first.
		if r := patchStatus(a, ed1, e3, "rejected"); r.Status != 200 {
			t.Fatalf("reset: %d", r.Status)
		}
		before := len(history(t, a, e3))
		var wg sync.WaitGroup
		for i, tk := range []string{ed1, ed2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := []string{"approved", "spam"}[(i+round)%2]
				if r := patchStatus(a, tk, e3, to); r.Status != 200 {
					t.Errorf("%s: %d %s", to, r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		h := history(t, a, e3)[before:]
		_, st, _ := commentByBody(t, a, "Will the joint gauging")
		if len(h) == 0 || h[len(h)-1].ToStatus != st {
			t.Fatalf("round %d: status %s, log %+v", round, st, h)
		}
		for i := 1; i < len(h); i++ {
			if h[i].FromStatus != h[i-1].ToStatus {
				t.Errorf("round %d: log is not a sequence: %+v", round, h)
			}
		}
		if len(h) != 2 {
			t.Errorf("round %d: %d log rows, want 2: %+v", round, len(h), h)
		}
		checkCounts(t, a)
	}
}

func TestModerationCountsStayExact(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	editor := a.Token(access.RoleEditor)
	var ids []string
	if err := a.DB.Read(context.Background()).Table("comments").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) < 20 {
		t.Fatalf("only %d demo comments", len(ids))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type action struct{ id, to string }
	var actions []action
	for range 50 {
		actions = append(actions, action{ids[rng.IntN(len(ids))], []string{"approved", "rejected", "pending", "spam"}[rng.IntN(4)]})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for _, ac := range actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if r := patchStatus(a, editor, ac.id, ac.to); r.Status != 200 {
				t.Errorf("%s → %s: %d %s", ac.id, ac.to, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	checkCounts(t, a)
	// Every logged change chains from the one before it.
	for _, id := range ids {
		h := history(t, a, id)
		for i := 1; i < len(h); i++ {
			if h[i].FromStatus != h[i-1].ToStatus {
				t.Errorf("%s: broken log %+v", id, h)
			}
		}
	}
	// And the public article agrees with the database after the writes.
	var n int64
	a.DB.Read(context.Background()).Table("comments").Where("article_id = ? AND status = 'approved'", a.Article("summit-fr").ID).Count(&n)
	if got := publicCount(t, a, "summit-fr"); got != int(n) {
		t.Errorf("public count %d, approved rows %d", got, n)
	}
}

func reporterToken(t *testing.T, a *apitest.App, sub string, role access.Role) string {
	t.Helper()
	tk, err := a.Tokens.Mint(access.MintRequest{Subject: sub, Role: role, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestReportComment(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	c5, _, _ := commentByBody(t, a, "Très bon résumé")
	c4, _, _ := commentByBody(t, a, "Et les pêcheurs")
	report := func(token, id, body string) apitest.Response {
		return a.Do(http.MethodPost, "/v1/comments/"+id+"/reports", token, strings.NewReader(body), "Content-Type", "application/json")
	}
	r1 := reporterToken(t, a, "reader-1", access.RoleReader)
	thread := "/v1/articles/" + a.Article("summit-fr").ID + "/comments"
	if r := a.Get(thread, ""); !strings.Contains(string(r.Body), "Très bon résumé") {
		t.Fatal("c5 not public to begin with")
	}
	before := publicCount(t, a, "summit-fr")

	for _, bad := range []struct {
		name, token, id, body string
		status                int
		code                  string
	}{
		{"anonymous", "", c5, `{"reason":"spam"}`, 401, "unauthenticated"},
		{"partner", reporterToken(t, a, "p", access.RolePartner), c5, `{"reason":"spam"}`, 403, "forbidden"},
		{"bad reason", r1, c5, `{"reason":"boring"}`, 422, "validation_failed"},
		{"no reason", r1, c5, `{}`, 422, "validation_failed"},
		{"malformed", r1, c5, `{"reason":`, 400, "bad_request"},
		{"unknown field", r1, c5, `{"reason":"spam","count":9}`, 400, "bad_request"},
		{"long note", r1, c5, `{"reason":"other","note":"` + strings.Repeat("é", 1001) + `"}`, 422, "validation_failed"},
		{"pending comment", r1, c4, `{"reason":"spam"}`, 404, "not_found"},
		{"unknown comment", r1, ulid.Make().String(), `{"reason":"spam"}`, 404, "not_found"},
		{"bad id", r1, "x", `{"reason":"spam"}`, 404, "not_found"},
	} {
		if r := report(bad.token, bad.id, bad.body); r.Status != bad.status || problemCode(t, r) != bad.code {
			t.Errorf("%s: %d %s, want %d %s", bad.name, r.Status, r.Body, bad.status, bad.code)
		}
	}
	var n int64
	a.DB.Read(context.Background()).Table("comment_reports").Count(&n)
	if n != 0 {
		t.Fatalf("bad reports stored %d rows", n)
	}

	r := report(r1, c5, `{"reason":"offensive","note":"rude"}`)
	if r.Status != 202 || strings.Contains(string(r.Body), "count") {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	if r := report(r1, c5, `{"reason":"spam"}`); r.Status != 409 || !strings.Contains(string(r.Body), `"conflict"`) {
		t.Errorf("second report by the same reader: %d %s", r.Status, r.Body)
	}
	if r := report(reporterToken(t, a, "sub-2", access.RoleSubscriber), c5, `{"reason":"abuse"}`); r.Status != 202 {
		t.Fatalf("second reporter: %d %s", r.Status, r.Body)
	}
	// Below the threshold (3): still public, listed as reported.
	if r := a.Get(thread, ""); !strings.Contains(string(r.Body), "Très bon résumé") {
		t.Error("c5 hidden before the threshold")
	}
	var page adminCommentPage
	a.Get("/v1/admin/comments?reported=true", a.Token(access.RoleEditor)).JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != c5 || page.Data[0].ReportCount != 2 {
		t.Errorf("reported list: %+v", page.Data)
	}
	// The third report holds it again.
	if r := report(reporterToken(t, a, "ed-3", access.RoleEditor), c5, `{"reason":"other"}`); r.Status != 202 {
		t.Fatalf("third report: %d %s", r.Status, r.Body)
	}
	if r := a.Get(thread, ""); strings.Contains(string(r.Body), "Très bon résumé") {
		t.Error("c5 still public after the threshold")
	}
	if got := publicCount(t, a, "summit-fr"); got != before-1 {
		t.Errorf("count %d, want %d", got, before-1)
	}
	h := history(t, a, c5)
	if len(h) != 1 || h[0].Moderator != "system" || h[0].FromStatus != "approved" || h[0].ToStatus != "pending" {
		t.Errorf("history: %+v", h)
	}
	a.Get("/v1/admin/comments?reported=true&status=pending", a.Token(access.RoleEditor)).JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].HoldReasons[0] != "reported" || page.Data[0].ReportCount != 3 {
		t.Errorf("held comment: %+v", page.Data)
	}
	// A held comment cannot be reported.
	if r := report(reporterToken(t, a, "reader-4", access.RoleReader), c5, `{"reason":"spam"}`); r.Status != 404 {
		t.Errorf("report of a held comment: %d", r.Status)
	}
	// A moderator approves it again: the reports count as reviewed.
	if r := patchStatus(a, a.Token(access.RoleEditor), c5, "approved"); r.Status != 200 {
		t.Fatalf("approve again: %d", r.Status)
	}
	a.Get("/v1/admin/comments?reported=true", a.Token(access.RoleEditor)).JSON(t, &page)
	if len(page.Data) != 0 {
		t.Errorf("reviewed reports still listed: %+v", page.Data)
	}
	if got := publicCount(t, a, "summit-fr"); got != before {
		t.Errorf("count %d, want %d", got, before)
	}
	checkCounts(t, a)
}

func TestReportThresholdConfigured(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.CommentReportThreshold = 1 }})
	c5, _, _ := commentByBody(t, a, "Très bon résumé")
	r := a.Do(http.MethodPost, "/v1/comments/"+c5+"/reports", a.Token(access.RoleReader),
		strings.NewReader(`{"reason":"spam"}`), "Content-Type", "application/json")
	if r.Status != 202 {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	if _, st, _ := commentByBody(t, a, "Très bon résumé"); st != "pending" {
		t.Errorf("status %s after one report with threshold 1", st)
	}
	checkCounts(t, a)
}
