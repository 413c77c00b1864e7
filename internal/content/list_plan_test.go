package content

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// planArticles is how many articles TestListPlans writes: enough that the
// planners' choices are real ones (the known bug, a list by language sorting
// every article of the language, showed at 5,000).
const planArticles = 6000

// TestListPlans checks that every list, feed and sync statement, with each
// filter and order it accepts, reads an index in its order: no sort of
// articles (SQLite: no "USE TEMP B-TREE FOR ORDER BY", no SCAN of articles
// without an index; PostgreSQL: no Sort node, no sequential scan of
// articles), over an archive of planArticles articles, analysed.
func TestListPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	fillForPlans(t, db, now)
	r := repo{db: db}
	after := &Cursor{PublishedAt: now.Add(-100 * time.Hour), ID: "A00003000"}
	sections := []string{"S1", "S2"} // a section and its subsection

	stmts := map[string]*gorm.DB{}
	for name, f := range map[string]liveQuery{
		"list":                 {},
		"list cursor":          {After: after},
		"list section":         {SectionIDs: sections},
		"list section cursor":  {SectionIDs: sections, After: after},
		"list subsection":      {SectionIDs: []string{"S3"}},
		"list tag":             {TagSlug: "tag-1"},
		"list tag cursor":      {TagSlug: "tag-1", After: after},
		"list author":          {AuthorSlug: "author-2"},
		"list author cursor":   {AuthorSlug: "author-2", After: after},
		"list lang":            {Lang: "de"},
		"list lang cursor":     {Lang: "de", After: after},
		"list lang section":    {Lang: "fr", SectionIDs: sections},
		"list featured":        {Featured: true},
		"list featured cursor": {Featured: true, After: after},
		"list featured lang":   {Featured: true, Lang: "en"},
	} {
		f.Limit = 20
		stmts[name] = r.listLiveQuery(ctx, f, now)
	}
	for name, f := range map[string]liveQuery{
		"feed":         {},
		"feed section": {SectionIDs: sections},
		"feed tag":     {TagSlug: "tag-3"},
		"feed lang":    {Lang: "ru"},
	} {
		f.Limit = 50
		stmts[name] = r.feedQuery(ctx, f, true, now)
	}
	for name, f := range map[string]AdminFilter{
		"admin":         {},
		"admin cursor":  {After: &AdminCursor{CreatedAt: now.Add(-100 * time.Hour), ID: "A00003000"}},
		"admin status":  {Status: StatusDraft},
		"admin lang":    {Lang: "en"},
		"admin section": {},
	} {
		f.Limit = 50
		var ids []string
		if name == "admin section" {
			ids = sections
		}
		stmts[name] = r.adminListQuery(ctx, f, ids)
	}
	stmts["changes"] = changesQuery(db.Read(ctx), 100, 100)

	for name, q := range stmts {
		t.Run(name, func(t *testing.T) {
			stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{}).Statement
			lines := storetest.Explain(t, db, "", stmt.SQL.String(), stmt.Vars...)
			text := strings.Join(lines, "\n")
			for _, bad := range planFaults(db.Dialect, lines) {
				t.Errorf("%s: %s\nplan:\n%s", name, bad, text)
			}
			if testing.Verbose() {
				t.Logf("%s plan:\n%s", db.Dialect, text)
			}
		})
	}
}

// planFaults lists what is wrong in a plan: a sort of articles, or a read
// of all of them.
func planFaults(dialect string, lines []string) []string {
	var out []string
	for _, l := range lines {
		if dialect == store.Postgres {
			switch {
			case strings.Contains(l, "Sort") && !strings.Contains(l, "Sort Key"):
				out = append(out, "sorts: "+l)
			case strings.Contains(l, "Seq Scan on articles"):
				out = append(out, "reads every article: "+l)
			}
			continue
		}
		switch {
		case strings.Contains(l, "USE TEMP B-TREE FOR ORDER BY"):
			out = append(out, "sorts: "+l)
		case l == "SCAN articles":
			out = append(out, "reads every article: "+l)
		}
	}
	return out
}

// fillForPlans writes planArticles articles over four languages and seven
// sections (S2 a subsection of S1), 90% of them published, one hourly, one
// in fifty featured,
// each with two of twenty tags and one of nine authors, the change log's
// rows, and analyses the tables.
func fillForPlans(t *testing.T, db *store.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	w := db.Write(ctx)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 7; i++ {
		var parent *string
		if i == 2 {
			p := "S1"
			parent = &p
		}
		must(w.Create(&sectionRow{ID: fmt.Sprintf("S%d", i), Slug: fmt.Sprintf("section-%d", i), ParentID: parent,
			Names: `{"en":"S"}`, CreatedAt: now, UpdatedAt: now}).Error)
	}
	for i := 1; i <= 20; i++ {
		must(w.Create(&tagRow{ID: fmt.Sprintf("T%d", i), Slug: fmt.Sprintf("tag-%d", i), Name: "T", Kind: TagTopic,
			CreatedAt: now, UpdatedAt: now}).Error)
	}
	for i := 1; i <= 9; i++ {
		must(w.Create(&authorRow{ID: fmt.Sprintf("U%d", i), Slug: fmt.Sprintf("author-%d", i), Name: "U",
			CreatedAt: now, UpdatedAt: now}).Error)
	}
	langs := []string{"fr", "en", "de", "ru"}
	var (
		articles []articleRow
		tags     []articleTagRow
		authors  []articleAuthorRow
		changes  []changeRow
	)
	for i := range planArticles {
		id := fmt.Sprintf("A%08d", i)
		at := now.Add(-time.Duration(planArticles-i) * time.Hour)
		section := fmt.Sprintf("S%d", 1+i%7)
		status := string(StatusPublished)
		if i%10 == 9 {
			status = string(StatusDraft)
		}
		a := articleRow{
			ID: id, Lang: langs[i%4], Slug: fmt.Sprintf("article-%d", i), TranslationKey: fmt.Sprintf("K%d", i/4),
			Title: "Title", SectionID: &section, Access: string(AccessPublic), Status: status,
			BodyBlocks: "[]", PreviewBlocks: "[]", Version: 1, CreatedAt: at, UpdatedAt: at,
			Featured: i%50 == 7,
		}
		if status == string(StatusPublished) {
			a.PublishedAt = &at
			changes = append(changes, changeRow{ArticleID: id, Kind: "published", Lang: a.Lang, Version: 1, CreatedAt: at})
		}
		articles = append(articles, a)
		tags = append(tags, articleTagRow{ArticleID: id, TagID: fmt.Sprintf("T%d", 1+i%20)},
			articleTagRow{ArticleID: id, TagID: fmt.Sprintf("T%d", 1+(i/20)%20), Position: 1})
		if tags[len(tags)-1].TagID == tags[len(tags)-2].TagID {
			tags = tags[:len(tags)-1]
		}
		authors = append(authors, articleAuthorRow{ArticleID: id, AuthorID: fmt.Sprintf("U%d", 1+i%9)})
	}
	must(w.CreateInBatches(articles, 200).Error)
	must(w.CreateInBatches(tags, 500).Error)
	must(w.CreateInBatches(authors, 500).Error)
	must(w.CreateInBatches(changes, 500).Error)
	must(w.Exec("ANALYZE").Error)
}
