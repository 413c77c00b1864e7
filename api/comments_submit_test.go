package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
	"masthead/internal/content"
)

func commentApp(t *testing.T, mode string, guests bool) *apitest.App {
	t.Helper()
	return apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.CommentsModeration = mode
		c.GuestComments = guests
		c.CommentsRateIP = 1000
		c.CommentsRateAccount = 1000
	}})
}

func postComment(a *apitest.App, ref, token, body string) apitest.Response {
	return a.Do(http.MethodPost, "/v1/articles/"+ref+"/comments", token, strings.NewReader(body), "Content-Type", "application/json")
}

func commentRows(t *testing.T, a *apitest.App) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Read(context.Background()).Raw("SELECT count(*) FROM comments").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSubmitCommentHTTP(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "trusted", true)
	art := a.Article("summit-fr")
	ref := art.ID
	before := commentRows(t, a)
	for _, tc := range []struct {
		name, token, body string
		status            int
		code              string
	}{
		{"malformed", "", `{"body":`, 400, "bad_request"},
		{"unknown field", "", `{"body":"hello","x":1}`, 400, "bad_request"},
		{"empty body", "", `{"author_name":"Zed","email":"z@example.org","body":"  "}`, 422, "validation_failed"},
		// Characters XML forbids are stripped (TestCommentForbiddenCharacters);
		// other control characters are refused.
		{"control", "", `{"author_name":"Zed","email":"z@example.org","body":"a\u0085b"}`, 422, "validation_failed"},
		{"guest no email", "", `{"author_name":"Zed","body":"hello"}`, 422, "validation_failed"},
		{"reserved", "", `{"author_name":"Admin","email":"z@example.org","body":"hello"}`, 422, "validation_failed"},
		{"member sends name", a.Token(access.RoleReader), `{"author_name":"Zed","body":"hello"}`, 422, "validation_failed"},
		{"bad parent", "", `{"author_name":"Zed","email":"z@example.org","body":"hello","parent_id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}`, 422, "validation_failed"},
	} {
		if r := postComment(a, ref, tc.token, tc.body); r.Status != tc.status || problemCode(t, r) != tc.code {
			t.Errorf("%s: %d, want %d %s\n%s", tc.name, r.Status, tc.status, tc.code, r.Body)
		}
	}
	if r := postComment(a, "no-such-article", "", `{"author_name":"Zed","email":"z@example.org","body":"hello"}`); r.Status != 404 || problemCode(t, r) != "not_found" {
		t.Errorf("unknown article: %d %s", r.Status, r.Body)
	}
	if n := commentRows(t, a); n != before {
		t.Errorf("rejected requests stored %d comments", n-before)
	}

	// A new guest is held; the XSS payload comes back as a JSON string.
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	r := postComment(a, ref, "", fmt.Sprintf(`{"author_name":"Zed","email":"z@example.org","body":%q}`, xss))
	if r.Status != 202 {
		t.Fatalf("guest: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	if m["status"] != "pending" || m["message"] != "Your comment is held for moderation." {
		t.Errorf("guest: %v", m)
	}
	if bytes.Contains(r.Body, []byte("<script")) || bytes.Contains(r.Body, []byte("z@example.org")) {
		t.Errorf("raw markup or email in the response: %s", r.Body)
	}
	// A subscriber is published, and can reply; the XSS reply stays inert.
	sub := a.Token(access.RoleSubscriber)
	r = postComment(a, ref, sub, `{"body":"First!"}`)
	if r.Status != 202 || r.Map(t)["status"] != "approved" {
		t.Fatalf("subscriber: %d %s", r.Status, r.Body)
	}
	var got struct {
		Comment struct{ ID string } `json:"comment"`
	}
	r.JSON(t, &got)
	r = postComment(a, ref, sub, fmt.Sprintf(`{"body":%q,"parent_id":%q}`, xss, got.Comment.ID))
	if r.Status != 202 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	list := a.Get("/v1/articles/"+ref+"/comments?view=flat", "")
	if list.Status != 200 || bytes.Contains(list.Body, []byte("<script")) || !strings.Contains(string(list.Body), `\u003cscript`) {
		t.Errorf("thread: %d %s", list.Status, list.Body)
	}
	// A reply into another article's thread is refused.
	other := a.Article("summit-fr")
	for k, v := range a.Demo.Refs {
		if v.ID != ref && v.CommentsEnabled && v.Status == content.StatusPublished && v.PublishedAt != nil && v.PublishedAt.Before(a.Clock.Now()) {
			other = a.Article(k)
			break
		}
	}
	if other.ID == ref {
		t.Fatal("no other live article with comments in the demo")
	}
	{
		r = postComment(a, other.ID, sub, fmt.Sprintf(`{"body":"cross","parent_id":%q}`, got.Comment.ID))
		if r.Status != 422 {
			t.Errorf("cross-article reply: %d %s", r.Status, r.Body)
		}
	}
	// The article says which mode applies.
	am := a.Get("/v1/articles/"+ref, "").Map(t)
	if c, _ := am["comments"].(map[string]any); c["moderation"] != "trusted" {
		t.Errorf("article comments: %v", am["comments"])
	}
}

func TestSubmitCommentGuestsOffAndClosed(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "post", false)
	ref := a.Article("summit-fr").ID
	r := postComment(a, ref, "", `{"author_name":"Zed","email":"z@example.org","body":"hello"}`)
	if r.Status != 401 || r.Map(t)["code"] != "unauthenticated" {
		t.Errorf("guest with guests off: %d %s", r.Status, r.Body)
	}
	if err := a.DB.Write(context.Background()).Exec("UPDATE articles SET comments_enabled = ? WHERE id = ?", false, ref).Error; err != nil {
		t.Fatal(err)
	}
	r = postComment(a, ref, a.Token(access.RoleReader), `{"body":"hello"}`)
	if r.Status != 403 || r.Map(t)["code"] != "comments_closed" {
		t.Errorf("closed: %d %s", r.Status, r.Body)
	}
}

func TestOwnHeldCommentsAndHoneypot(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "pre", true)
	ref := a.Article("summit-fr").ID
	me := a.Token(access.RoleReader)
	if r := postComment(a, ref, me, `{"body":"my held words"}`); r.Status != 202 || r.Map(t)["status"] != "pending" {
		t.Fatalf("pre: %d %s", r.Status, r.Body)
	}
	r := postComment(a, ref, "", `{"author_name":"Bot","email":"bot@example.org","body":"cheap pills","website":"http://x.example"}`)
	if r.Status != 202 || r.Map(t)["status"] != "pending" {
		t.Errorf("honeypot: %d %s", r.Status, r.Body)
	}
	var spam int64
	a.DB.Read(context.Background()).Raw("SELECT count(*) FROM comments WHERE status = 'spam' AND body = 'cheap pills'").Scan(&spam)
	if spam != 1 {
		t.Errorf("honeypot comment stored as spam: %d", spam)
	}
	mine := a.Get("/v1/articles/"+ref+"/comments", me)
	if !strings.Contains(string(mine.Body), "my held words") || !strings.Contains(string(mine.Body), `"held":true`) ||
		!strings.Contains(mine.Header.Get("Cache-Control"), "private") {
		t.Errorf("author's view: %s %s", mine.Header.Get("Cache-Control"), mine.Body)
	}
	for _, tok := range []string{"", a.Token(access.RoleSubscriber), a.Token(access.RoleEditor)} {
		if b := a.Get("/v1/articles/"+ref+"/comments", tok).Body; strings.Contains(string(b), "my held words") || strings.Contains(string(b), "cheap pills") {
			t.Errorf("someone else sees held comments: %s", b)
		}
	}
	for _, q := range []string{"view=tree", "sort=best"} {
		if r := a.Get("/v1/articles/"+ref+"/comments?"+q, ""); r.Status != 400 || problemCode(t, r) != "bad_request" {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
}

func TestCommentRateLimit(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.CommentsModeration = "post"; c.CommentsRateAccount = 2 }})
	ref := a.Article("summit-fr").ID
	tok := a.Token(access.RoleSubscriber)
	for i := range 2 {
		if r := postComment(a, ref, tok, fmt.Sprintf(`{"body":"note %d"}`, i)); r.Status != 202 {
			t.Fatalf("%d: %d %s", i, r.Status, r.Body)
		}
	}
	r := postComment(a, ref, tok, `{"body":"one more"}`)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("third: %d %v", r.Status, r.Header)
	}
}

func TestCommentCounts(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "post", false)
	ref := a.Article("summit-fr").ID
	if r := postComment(a, ref, a.Token(access.RoleReader), `{"body":"counted"}`); r.Status != 202 {
		t.Fatal(r.Status)
	}
	var want int64
	a.DB.Read(context.Background()).Raw("SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'", ref).Scan(&want)
	r := a.Get("/v1/comments/counts?articles="+ref+",01ARZ3NDEKTSV4RRFFQ69G5FAV", "")
	var got struct{ Data map[string]int }
	r.JSON(t, &got)
	if r.Status != 200 || int64(got.Data[ref]) != want || want == 0 || len(got.Data) != 1 {
		t.Errorf("counts: %d %s (want %d)", r.Status, r.Body, want)
	}
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("01ARZ3NDEKTSV4RRFFQ69G5F%02d", i)
	}
	for _, q := range []string{"", "?articles=", "?articles=nope", "?articles=" + strings.Join(ids, ",")} {
		if r := a.Get("/v1/comments/counts"+q, ""); r.Status != 400 || problemCode(t, r) != "bad_request" {
			t.Errorf("%q: %d %s", q, r.Status, r.Body)
		}
	}
}

// TestPartnersCannotComment: a partner token is a machine's, whatever its
// scope: it may not post a comment (403 partner_cannot_comment, nothing
// stored, nothing spent), while readers, subscribers and guests still can.
func TestPartnersCannotComment(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "trusted", true)
	ref := a.Article("summit-fr").ID
	thread := func() string {
		r := a.Get("/v1/articles/"+ref+"/comments?view=flat", "")
		if r.Status != http.StatusOK {
			t.Fatalf("thread: %d %s", r.Status, r.Body)
		}
		return string(r.Body)
	}
	before, rows := thread(), commentRows(t, a)
	for _, scopes := range [][]string{{access.ScopeHeadlines}, {access.ScopeHeadlines, access.ScopeFullText}, nil} {
		tok := a.Token(access.RolePartner, scopes...)
		for _, body := range []string{`{"body":"Syndicated remark."}`, `{"body":`, `{"author_name":"Bot","email":"b@example.org","body":"hi"}`} {
			r := postComment(a, ref, tok, body)
			if r.Status != http.StatusForbidden || problemCode(t, r) != "partner_cannot_comment" {
				t.Errorf("partner %v, body %s: %d %s", scopes, body, r.Status, r.Body)
			}
		}
	}
	if n := commentRows(t, a); n != rows {
		t.Errorf("partners stored %d comments", n-rows)
	}
	if after := thread(); after != before {
		t.Errorf("the thread changed:\nbefore %s\nafter  %s", before, after)
	}
	for name, tok := range map[string]string{
		"reader": a.Token(access.RoleReader), "subscriber": a.Token(access.RoleSubscriber), "guest": "",
	} {
		body := `{"body":"Still open to people."}`
		if tok == "" {
			body = `{"author_name":"Zed","email":"z@example.org","body":"Still open to people."}`
		}
		if r := postComment(a, ref, tok, body); r.Status != http.StatusAccepted {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if n := commentRows(t, a); n != rows+3 {
		t.Errorf("%d comments stored by people, want 3", n-rows)
	}
}
