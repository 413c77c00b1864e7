package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/api/apitest"
)

// Comment texts from internal/demo/content.go.
var (
	// The approved thread under summit-fr: c1 → c2 → c3, and c5 on its own.
	c1Body = "Enfin ! Quarante mètres cubes, c’est peu, mais c’est écrit noir sur blanc."
	c2Body = "Écrit, oui. Mais qui vérifiera les débits ? La station commune n’existe pas encore."
	c3Body = "L’article dit qu’elle sera financée par la Vallée. Rendez-vous dans un an pour voir si elle est construite."
	c5Body = "Très bon résumé, merci pour le lien vers la vidéo de la signature."
	// m2 on municipales: approved, with markup that must stay inert text.
	xssAuthor = "test<b>"
	xssBody   = "Super article <script>alert(1)</script> vraiment."
	// Bodies of comments that are not approved, by ref and status.
	hiddenComments = map[string]string{
		"c4 pending":  "Et les pêcheurs de Pontvieux",
		"e3 pending":  "Will the joint gauging station publish",
		"w2 spam":     "Forage garanti en 48 h",
		"f2 rejected": "Sack them all and build a second bridge",
		"f3 pending":  "how much a fare rise would actually be",
		"m3 rejected": "Encore des amateurs qui vont ruiner la ville",
		"m4 spam":     "Meilleurs prix en ligne",
		"l3 pending":  "nous ajouterons des navettes",
	}
)

type commentNode struct {
	ID         string        `json:"id"`
	ArticleID  string        `json:"article_id"`
	ParentID   *string       `json:"parent_id"`
	Depth      int           `json:"depth"`
	AuthorName string        `json:"author_name"`
	Member     bool          `json:"member"`
	Body       string        `json:"body"`
	ReplyCount int           `json:"reply_count"`
	Replies    []commentNode `json:"replies"`
}

type commentPage struct {
	Data       []commentNode `json:"data"`
	NextCursor *string       `json:"next_cursor"`
}

func countNodes(ns []commentNode) int {
	n := 0
	for _, c := range ns {
		n += 1 + countNodes(c.Replies)
	}
	return n
}

func TestComments(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	fr := a.Article("summit-fr")

	t.Run("thread", func(t *testing.T) {
		r := a.Get("/v1/articles/"+fr.ID+"/comments", "")
		mustStatus(t, r, http.StatusOK, "comments")
		var p commentPage
		r.JSON(t, &p)
		if len(p.Data) != 2 || p.NextCursor != nil {
			t.Fatalf("%d top-level comments (next %v), want c1 and c5", len(p.Data), p.NextCursor)
		}
		c1, c5 := p.Data[0], p.Data[1]
		if c1.Body != c1Body || c5.Body != c5Body {
			t.Errorf("top level, oldest first: %q, %q", c1.Body, c5.Body)
		}
		if c1.Depth != 0 || c1.ParentID != nil || c1.ReplyCount != 1 || len(c1.Replies) != 1 {
			t.Fatalf("c1: depth %d parent %v reply_count %d replies %d (the pending c4 must not count)", c1.Depth, c1.ParentID, c1.ReplyCount, len(c1.Replies))
		}
		c2 := c1.Replies[0]
		if c2.Body != c2Body || c2.Depth != 1 || c2.ParentID == nil || *c2.ParentID != c1.ID || c2.ReplyCount != 1 || !c2.Member || len(c2.Replies) != 1 {
			t.Fatalf("c2: %+v", c2)
		}
		c3 := c2.Replies[0]
		if c3.Body != c3Body || c3.Depth != 2 || c3.ParentID == nil || *c3.ParentID != c2.ID || c3.ReplyCount != 0 || len(c3.Replies) != 0 {
			t.Errorf("c3: %+v", c3)
		}
		if c5.Depth != 0 || c5.ReplyCount != 0 || !c5.Member || c1.Member {
			t.Errorf("c5 %+v / c1 member %v", c5, c1.Member)
		}
		for _, c := range []commentNode{c1, c2, c3, c5} {
			if c.ArticleID != fr.ID || c.ID == "" {
				t.Errorf("comment %+v", c)
			}
		}
		art := a.Get("/v1/articles/"+fr.ID, "")
		var got article
		art.JSON(t, &got)
		if got.CommentCount != countNodes(p.Data) || got.CommentCount != 4 {
			t.Errorf("comment_count %d, thread has %d approved", got.CommentCount, countNodes(p.Data))
		}
	})

	t.Run("only approved, no emails, inert markup", func(t *testing.T) {
		for _, ref := range liveRefs {
			art := a.Article(ref)
			for _, tok := range []string{"", a.Token("admin")} {
				r := a.Get("/v1/articles/"+art.Slug+"/comments?lang="+art.Lang+"&limit=100", tok)
				mustStatus(t, r, http.StatusOK, ref)
				body := string(r.Body)
				for what, s := range hiddenComments {
					if strings.Contains(readableText(r.Body), normalize(s)) {
						t.Errorf("%s: comment %s is shown", ref, what)
					}
				}
				for _, s := range []string{"@example.", "email", "<script", "<b>"} {
					if strings.Contains(strings.ToLower(body), s) {
						t.Errorf("%s: comments response contains %q", ref, s)
					}
				}
				var p commentPage
				r.JSON(t, &p)
				if countNodes(p.Data) != art.CommentCount {
					t.Errorf("%s: %d comments served, comment_count %d", ref, countNodes(p.Data), art.CommentCount)
				}
			}
		}
		r := a.Get("/v1/articles/"+a.Article("municipales").ID+"/comments", "")
		var p commentPage
		r.JSON(t, &p)
		found := false
		for _, c := range p.Data {
			if c.Body == xssBody && c.AuthorName == xssAuthor {
				found = true
			}
		}
		if !found {
			t.Errorf("the comment with markup is not served as its exact text")
		}
	})

	t.Run("pagination", func(t *testing.T) {
		r := a.Get("/v1/articles/"+fr.ID+"/comments?limit=1", "")
		var p1 commentPage
		r.JSON(t, &p1)
		if len(p1.Data) != 1 || p1.Data[0].Body != c1Body || p1.NextCursor == nil {
			t.Fatalf("page 1: %+v", p1)
		}
		if countNodes(p1.Data) != 3 {
			t.Errorf("page 1 carries %d comments, want c1 with its 2 replies", countNodes(p1.Data))
		}
		r = a.Get("/v1/articles/"+fr.ID+"/comments?limit=1&cursor="+url.QueryEscape(*p1.NextCursor), "")
		mustStatus(t, r, 200, "page 2")
		var p2 commentPage
		r.JSON(t, &p2)
		if len(p2.Data) != 1 || p2.Data[0].Body != c5Body || p2.NextCursor != nil {
			t.Errorf("page 2: %+v", p2)
		}
		// The cursor belongs to the article, however the URL names it.
		r = a.Get("/v1/articles/"+fr.Slug+"/comments?lang="+fr.Lang+"&limit=1&cursor="+url.QueryEscape(*p1.NextCursor), "")
		var p2s commentPage
		r.JSON(t, &p2s)
		if r.Status != 200 || len(p2s.Data) != 1 || p2s.Data[0].Body != c5Body {
			t.Errorf("page 2 by slug: %d %+v", r.Status, p2s)
		}
		// And to this article's comments only.
		other := a.Article("municipales")
		r = a.Get("/v1/articles/"+other.ID+"/comments?limit=1&cursor="+url.QueryEscape(*p1.NextCursor), "")
		if r.Status != 400 || problemCode(t, r) != "bad_request" {
			t.Errorf("another article's comment cursor: %d", r.Status)
		}
		list := a.Get("/v1/articles?limit=1", "")
		var lp summaryPage
		list.JSON(t, &lp)
		r = a.Get("/v1/articles/"+fr.ID+"/comments?cursor="+url.QueryEscape(*lp.NextCursor), "")
		if r.Status != 400 {
			t.Errorf("an articles cursor on comments: %d", r.Status)
		}
	})

	draft, sched := a.Article(draftRef), a.Article(scheduledRef)
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "draft by id", Path: "/v1/articles/" + draft.ID + "/comments", WantStatus: 404, WantCode: "not_found"},
		{Name: "draft by slug", Path: "/v1/articles/" + draft.Slug + "/comments", WantStatus: 404, WantCode: "not_found"},
		{Name: "scheduled", Path: "/v1/articles/" + sched.ID + "/comments", WantStatus: 404, WantCode: "not_found"},
		{Name: "unknown", Path: "/v1/articles/no-such-story/comments", WantStatus: 404, WantCode: "not_found"},
		{Name: "bad slug", Path: "/v1/articles/Bad_Slug/comments", WantStatus: 404, WantCode: "not_found"},
		{Name: "limit 0", Path: "/v1/articles/" + fr.ID + "/comments?limit=0", WantStatus: 400, WantCode: "bad_request"},
		{Name: "limit 101", Path: "/v1/articles/" + fr.ID + "/comments?limit=101", WantStatus: 400, WantCode: "bad_request"},
		{Name: "limit abc", Path: "/v1/articles/" + fr.ID + "/comments?limit=abc", WantStatus: 400, WantCode: "bad_request"},
		{Name: "garbage cursor", Path: "/v1/articles/" + fr.ID + "/comments?cursor=abc", WantStatus: 400, WantCode: "bad_request"},
		{Name: "lang bogus", Path: "/v1/articles/" + fr.Slug + "/comments?lang=xyz", WantStatus: 400, WantCode: "bad_request"},
		{Name: "empty thread", Path: "/v1/articles/" + a.Article("budget").ID + "/comments", WantStatus: 200,
			WantContains: []string{`"data":[]`, `"next_cursor":null`}},
	})
}
