package comments_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const wpSource = "wordpress:https://courrier.example"

func TestImportID(t *testing.T) {
	t.Parallel()
	a, b := comments.ImportID(wpSource, "101"), comments.ImportID(wpSource, "101")
	if a != b || !content.IsID(a) {
		t.Errorf("ImportID: %q then %q (an ID: %v)", a, b, content.IsID(a))
	}
	for _, other := range []string{comments.ImportID(wpSource, "102"), comments.ImportID("wordpress:https://other.example", "101")} {
		if other == a {
			t.Errorf("two records share the id %s", a)
		}
	}
}

// wpComment is a WordPress comment as the importer hands it over.
func wpComment(article, id, parent string, st comments.Status, body string, minute int) comments.Imported {
	c := comments.Imported{Comment: comments.Comment{
		ID: comments.ImportID(wpSource, id), ArticleID: article, AuthorName: "Ann", Email: "ann@example.org",
		Body: body, Status: st, CreatedAt: t0.Add(-time.Duration(100-minute) * time.Minute),
	}}
	if parent != "" {
		c.ParentID = comments.ImportID(wpSource, parent)
	}
	return c
}

type importFixture struct {
	db       *store.DB
	content  *content.Service
	comments *comments.Service
	watched  *watchedArticles
}

func importSetup(t *testing.T) importFixture {
	t.Helper()
	db := storetest.Open(t)
	cs := content.NewService(db, content.Options{Now: func() time.Time { return t0 }})
	w := &watchedArticles{Service: cs}
	return importFixture{db: db, content: cs, comments: newService(t, db, w), watched: w}
}

// importPost imports WordPress post 8 with list as its comments, in the
// post's transaction, and tells the articles after the commit.
func (f importFixture) importPost(t *testing.T, digest string, list func(articleID string) []comments.Imported) (content.ImportOutcome, []string, error) {
	t.Helper()
	published := t0.Add(-24 * time.Hour)
	var touched []string
	out, err := f.content.ImportArticle(context.Background(), content.ImportedArticle{
		Source: wpSource, ExternalID: "8", Digest: digest,
		Input: content.ArticleInput{
			Lang: "fr", Slug: "sommet", Title: "Sommet", Access: content.AccessPublic, Status: content.StatusPublished,
			PublishAt: &published, CommentsEnabled: true, Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Corps."}},
		},
		Within: func(tx *gorm.DB, id string) error {
			var err error
			touched, err = f.comments.ImportTx(tx, list(id))
			return err
		},
	})
	if err == nil {
		f.comments.Touched(touched)
	}
	return out, touched, err
}

func (f importFixture) versions(t *testing.T, ids ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, id := range ids {
		c, err := f.comments.Get(context.Background(), comments.ImportID(wpSource, id))
		if err != nil {
			t.Fatalf("comment %s: %v", id, err)
		}
		out[id] = c.Version
	}
	return out
}

// checkCount: the stored count, the live article's and a recount agree
// with want.
func (f importFixture) checkCount(t *testing.T, article string, want int) {
	t.Helper()
	ctx := context.Background()
	n, err := f.comments.CountApproved(ctx, article)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := f.content.LiveArticle(ctx, content.Lookup{IDOrSlug: article})
	if err != nil {
		t.Fatal(err)
	}
	if n != want || a.CommentCount != want {
		t.Errorf("approved comments %d, article says %d; want %d", n, a.CommentCount, want)
	}
}

func TestImportTxRunsAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := importSetup(t)

	first := func(a string) []comments.Imported {
		return []comments.Imported{
			wpComment(a, "101", "", comments.StatusApproved, "Premier.", 1),
			wpComment(a, "102", "", comments.StatusPending, "En attente.", 2),
			wpComment(a, "103", "101", comments.StatusApproved, "Réponse.", 3),
			wpComment(a, "104", "102", comments.StatusSpam, "Achetez.", 4),
		}
	}
	out, touched, err := f.importPost(t, "d1", first)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(touched, []string{out.ID}) {
		t.Errorf("touched %v", touched)
	}
	f.checkCount(t, out.ID, 2)
	if seen, calls := f.watched.last(); seen != 2 || calls != 1 {
		t.Errorf("after the commit the article read %d comments (%d calls)", seen, calls)
	}
	reply, err := f.comments.Get(ctx, comments.ImportID(wpSource, "103"))
	if err != nil || reply.Depth != 1 || reply.ParentID != comments.ImportID(wpSource, "101") {
		t.Errorf("reply: depth %d parent %s, %v", reply.Depth, reply.ParentID, err)
	}

	// The export changed: a comment approved, one spammed, one edited,
	// one added; one left as it was.
	second := func(a string) []comments.Imported {
		list := first(a)
		list[0].Body = "Premier, corrigé."
		list[1].Status = comments.StatusApproved
		list[2].Status = comments.StatusSpam
		return append(list, wpComment(a, "105", "103", comments.StatusApproved, "Réponse à la réponse.", 5))
	}
	_, touched, err = f.importPost(t, "d2", second)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(touched, []string{out.ID}) {
		t.Errorf("touched %v", touched)
	}
	f.checkCount(t, out.ID, 3)
	if v := f.versions(t, "101", "102", "103", "104", "105"); v["101"] != 2 || v["102"] != 2 || v["103"] != 2 || v["104"] != 1 || v["105"] != 1 {
		t.Errorf("versions %v: only the changed comments move", v)
	}
	c, _ := f.comments.Get(ctx, comments.ImportID(wpSource, "101"))
	if c.Body != "Premier, corrigé." {
		t.Errorf("body %q", c.Body)
	}
	hist, err := f.comments.History(ctx, comments.ImportID(wpSource, "102"))
	if err != nil || len(hist) != 1 || hist[0].Moderator != comments.ImportModerator ||
		hist[0].From != comments.StatusPending || hist[0].To != comments.StatusApproved {
		t.Errorf("history of the approved comment: %+v, %v", hist, err)
	}
	if deep, _ := f.comments.Get(ctx, comments.ImportID(wpSource, "105")); deep.Depth != 2 {
		t.Errorf("depth of a reply to a stored reply: %d", deep.Depth)
	}

	// The same comments again, in a transaction of the caller's: nothing
	// changes, nothing is touched.
	err = f.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		touched, err = f.comments.ImportTx(tx, second(out.ID))
		return err
	})
	if err != nil || len(touched) != 0 {
		t.Errorf("identical run: touched %v, %v", touched, err)
	}
	f.checkCount(t, out.ID, 3)
	if v := f.versions(t, "101", "102", "103", "104", "105"); v["101"] != 2 || v["104"] != 1 || v["105"] != 1 {
		t.Errorf("versions after an identical run: %v", v)
	}
	// A count wrong in the table (whatever made it so) comes out exact.
	if err := f.db.Write(ctx).Exec("UPDATE articles SET comment_count = 40 WHERE id = ?", out.ID).Error; err != nil {
		t.Fatal(err)
	}
	err = f.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		touched, err = f.comments.ImportTx(tx, second(out.ID))
		return err
	})
	if err != nil || !slices.Equal(touched, []string{out.ID}) {
		t.Errorf("recount: touched %v, %v", touched, err)
	}
	f.comments.Touched(touched)
	f.checkCount(t, out.ID, 3)
}

func TestImportTxRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := importSetup(t)
	out, _, err := f.importPost(t, "d1", func(a string) []comments.Imported {
		return []comments.Imported{wpComment(a, "101", "", comments.StatusApproved, "Premier.", 1)}
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string][]comments.Imported{
		"missing parent": {wpComment(out.ID, "201", "999", comments.StatusApproved, "Orphelin.", 1)},
		"twice":          {wpComment(out.ID, "202", "", comments.StatusApproved, "A.", 1), wpComment(out.ID, "202", "", comments.StatusApproved, "B.", 2)},
		"other article":  {wpComment(content.NewID(), "101", "", comments.StatusApproved, "Déplacé.", 1)},
	} {
		err := f.db.Tx(ctx, func(tx *gorm.DB) error {
			_, err := f.comments.ImportTx(tx, list)
			return err
		})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := f.comments.Get(ctx, comments.ImportID(wpSource, "201")); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("the orphan was stored: %v", err)
	}
	f.checkCount(t, out.ID, 1)
}

// TestImportRollsBackComments: when the post's transaction fails after
// its comments were written, neither the post nor its comments remain, and
// nothing was told.
func TestImportRollsBackComments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := importSetup(t)
	boom := errors.New("photo missing")
	_, err := f.content.ImportArticle(ctx, content.ImportedArticle{
		Source: wpSource, ExternalID: "9", Digest: "d1",
		Input: content.ArticleInput{
			Lang: "fr", Slug: "perdu", Title: "Perdu", Access: content.AccessPublic, Status: content.StatusPublished,
			Body: []blocks.Block{{Type: blocks.TypeParagraph, Text: "Corps."}},
		},
		Within: func(tx *gorm.DB, id string) error {
			if _, err := f.comments.ImportTx(tx, []comments.Imported{wpComment(id, "301", "", comments.StatusApproved, "Là.", 1)}); err != nil {
				return err
			}
			return boom
		},
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := f.comments.Get(ctx, comments.ImportID(wpSource, "301")); !errors.Is(err, comments.ErrNotFound) {
		t.Errorf("comment of a rolled back post: %v", err)
	}
	if n, _ := f.content.CountArticles(ctx); n != 0 {
		t.Errorf("%d articles", n)
	}
	if _, calls := f.watched.last(); calls != 0 {
		t.Errorf("the articles were told %d times", calls)
	}
}
