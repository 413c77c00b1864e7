package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
)

// TestCommentWritesRefreshCachedArticle: the public article and the public
// list are served from the representation cache, and every comment write
// that changes an article's count (a published submission, a decision, a
// report that holds a comment, a bulk decision, a deletion) shows in the
// very next read. The cache lives ten minutes here: only the content service's
// generation, moved by the comment write, can refresh it.
func TestCommentWritesRefreshCachedArticle(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.CommentsModeration = "post"
		c.CommentsRateIP, c.CommentsRateAccount = 1000, 1000
		c.CommentReportThreshold = 1
		c.CacheTTL = 10 * time.Minute
	}})
	ctx := context.Background()
	const ref = "summit-fr"
	id := a.Article(ref).ID
	listed := func() int {
		t.Helper()
		r := a.Get("/v1/articles?limit=100", "")
		var page struct {
			Data []article `json:"data"`
		}
		r.JSON(t, &page)
		for _, s := range page.Data {
			if s.ID == id {
				return s.CommentCount
			}
		}
		t.Fatalf("%s not in the list: %d %s", ref, r.Status, r.Body)
		return 0
	}
	check := func(step string, want int) {
		t.Helper()
		if got := publicCount(t, a, ref); got != want {
			t.Errorf("%s: article comment_count %d, want %d", step, got, want)
		}
		if got := listed(); got != want {
			t.Errorf("%s: listed comment_count %d, want %d", step, got, want)
		}
	}

	// The reads are cached: a count changed behind the services' back
	// is not seen until something moves the generation.
	n := publicCount(t, a, ref)
	if n != 4 || listed() != n {
		t.Fatalf("%s starts with %d comments, listed %d; want 4", ref, n, listed())
	}
	if err := a.DB.Write(ctx).Exec("UPDATE articles SET comment_count = comment_count + 100 WHERE id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
	if publicCount(t, a, ref) != n || listed() != n {
		t.Fatal("the article is not served from the cache: this test would prove nothing")
	}
	if err := a.DB.Write(ctx).Exec("UPDATE articles SET comment_count = comment_count - 100 WHERE id = ?", id).Error; err != nil {
		t.Fatal(err)
	}

	// A reader's comment, published at once.
	r := postComment(a, id, a.Token(access.RoleReader), `{"body":"Published at once, counted at once."}`)
	if r.Status != http.StatusAccepted || !strings.Contains(string(r.Body), `"approved"`) {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	var submitted struct {
		Comment struct {
			ID string `json:"id"`
		} `json:"comment"`
	}
	r.JSON(t, &submitted)
	check("published submission", n+1)

	// A moderator approves a held comment.
	held, st, _ := commentByBody(t, a, "Et les pêcheurs")
	if st != "pending" {
		t.Fatalf("demo comment is %s, want pending", st)
	}
	if r := patchStatus(a, a.Token(access.RoleEditor), held, "approved"); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	check("approval", n+2)

	// A reader's report holds an approved comment (the threshold is 1).
	reported, st, _ := commentByBody(t, a, "Très bon résumé")
	if st != "approved" {
		t.Fatalf("demo comment is %s, want approved", st)
	}
	if r := a.Do(http.MethodPost, "/v1/comments/"+reported+"/reports", a.Token(access.RoleReader),
		strings.NewReader(`{"reason":"spam"}`), "Content-Type", "application/json"); r.Status != http.StatusAccepted {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	check("report that holds", n+1)

	// A bulk decision publishes it again.
	if r := a.Do(http.MethodPost, "/v1/admin/comments/bulk", a.Token(access.RoleEditor),
		strings.NewReader(`{"ids":["`+reported+`"],"status":"approved"}`), "Content-Type", "application/json"); r.Status != http.StatusOK {
		t.Fatalf("bulk: %d %s", r.Status, r.Body)
	}
	check("bulk approval", n+2)

	// An admin deletes the published submission.
	if r := a.Do(http.MethodDelete, "/v1/admin/comments/"+submitted.Comment.ID, a.Token(access.RoleAdmin), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	check("deletion", n+1)
	checkCounts(t, a)
}

// TestCachedThread: an anonymous reader's page of a thread is cached and
// shared; a member's page is their own (their held comment shows to them
// only), and a moderator's decision shows in the very next anonymous read.
// The cache lives ten minutes: only the generation can refresh it.
func TestCachedThread(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.CommentsModeration = "pre"
		c.CacheTTL = 10 * time.Minute
	}})
	id := a.Article("summit-fr").ID
	path := "/v1/articles/" + id + "/comments?limit=100"
	const body = "Held for the moderators, shown to its author alone."
	anon := a.Get(path, "")
	mustStatus(t, anon, http.StatusOK, "anonymous thread")
	if again := a.Get(path, ""); again.Header.Get("ETag") != anon.Header.Get("ETag") {
		t.Fatal("two anonymous reads of an unchanged thread differ")
	}

	reader := a.Token(access.RoleReader)
	r := postComment(a, id, reader, `{"body":"`+body+`"}`)
	if r.Status != http.StatusAccepted || !strings.Contains(string(r.Body), `"pending"`) {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if mine := a.Get(path, reader); !strings.Contains(string(mine.Body), body) || mine.Header.Get("Cache-Control") == cachePublicForTest {
		t.Fatalf("the author does not see their held comment, or it is public: %s %.300s", mine.Header.Get("Cache-Control"), mine.Body)
	}
	if other := a.Get(path, ""); strings.Contains(string(other.Body), body) {
		t.Fatal("a held comment reached the anonymous thread")
	}
	if other := a.Get(path, a.Token(access.RoleSubscriber)); strings.Contains(string(other.Body), body) {
		t.Fatal("a held comment reached another member")
	}

	held, st, _ := commentByBody(t, a, body)
	if st != "pending" {
		t.Fatalf("the comment is %s, want pending", st)
	}
	if r := patchStatus(a, a.Token(access.RoleEditor), held, "approved"); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if after := a.Get(path, ""); !strings.Contains(string(after.Body), body) {
		t.Fatal("the approved comment is not in the next anonymous read: a stale cached thread")
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/comments/"+held, a.Token(access.RoleAdmin), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if after := a.Get(path, ""); strings.Contains(string(after.Body), body) {
		t.Fatal("a deleted comment is still in the anonymous thread")
	}
}

const cachePublicForTest = "public, max-age=60"
