package content_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const source = "wordpress:https://courrier.example"

func newServiceDB(t *testing.T) (*content.Service, *clock, *store.DB) {
	t.Helper()
	clk := &clock{t: t0}
	db := storetest.Open(t)
	return content.NewService(db, content.Options{Now: clk.Now, PreviewWords: 30, PublicURL: "https://publisher.example"}), clk, db
}

// post is a published WordPress post as the importer hands it over.
func post(id, slug, title string) content.ImportedArticle {
	published := t0.Add(-30 * 24 * time.Hour)
	return content.ImportedArticle{
		Source: source, ExternalID: id, Digest: "d1",
		Input: content.ArticleInput{
			Lang: "fr", Slug: slug, Title: title, Access: content.AccessPublic,
			Status: content.StatusPublished, PublishAt: &published, CommentsEnabled: true,
			Body: []blocks.Block{para("Un paragraphe importé.")},
		},
		CreatedAt: published.Add(-time.Hour), UpdatedAt: published.Add(time.Hour),
	}
}

func importOK(t *testing.T, svc *content.Service, im content.ImportedArticle) content.ImportOutcome {
	t.Helper()
	out, err := svc.ImportArticle(context.Background(), im)
	if err != nil {
		t.Fatalf("import %s: %v", im.ExternalID, err)
	}
	return out
}

func TestImportArticleOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, _ := newServiceDB(t)

	// Never imported: created as the newsroom creates, with the original
	// dates, logged as published at the time of the import.
	within := 0
	im := post("8", "sommet-de-la-vallée", "Un sommet régional")
	im.Input.Featured = true
	im.Within = func(tx *gorm.DB, id string) error {
		within++
		var n int64
		// The article row is already written in the transaction.
		if err := tx.Table("articles").Where("id = ?", id).Count(&n).Error; err != nil || n != 1 {
			t.Errorf("Within: article row %d, %v", n, err)
		}
		return nil
	}
	gen := svc.Generation()
	out := importOK(t, svc, im)
	if out.Action != content.ImportCreated || out.Recreated || !content.IsID(out.ID) {
		t.Fatalf("first import: %+v", out)
	}
	if out.Slug != "sommet-de-la-vallee" || !out.SlugChanged {
		t.Errorf("slug %q changed=%v: want the UTF-8 slug transliterated, and said so", out.Slug, out.SlugChanged)
	}
	if within != 1 || svc.Generation() == gen {
		t.Errorf("Within ran %d times; generation moved: %v", within, svc.Generation() != gen)
	}
	a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: out.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Featured || !a.CreatedAt.Equal(im.CreatedAt) || !a.UpdatedAt.Equal(im.UpdatedAt) || !a.PublishedAt.Equal(*im.Input.PublishAt) {
		t.Errorf("article: featured %v created %v updated %v published %v", a.Featured, a.CreatedAt, a.UpdatedAt, a.PublishedAt)
	}
	revs := revisions(t, svc, out.ID)
	if len(revs) != 1 || revs[0].Editor != content.ImportEditor || revs[0].Action != content.ActionCreate || !revs[0].CreatedAt.Equal(t0) {
		t.Errorf("revisions: %+v", revs)
	}
	log := logOf(t, svc)
	if len(log) != 1 || log[0].ArticleID != out.ID || log[0].Kind != content.ChangePublished || !log[0].At.Equal(t0) {
		t.Errorf("change log: %+v", log)
	}
	target, digest, err := svc.ExternalRef(ctx, source, content.KindArticle, "8")
	if err != nil || target != out.ID || digest != "d1" {
		t.Errorf("reference: %q %q %v", target, digest, err)
	}

	// The same digest: nothing written, Within not run.
	clk.Set(t0.Add(time.Hour))
	again := importOK(t, svc, im)
	if again.Action != content.ImportUnchanged || again.ID != out.ID || again.Slug != out.Slug {
		t.Errorf("second import: %+v", again)
	}
	if within != 1 || len(revisions(t, svc, out.ID)) != 1 || len(logOf(t, svc)) != 1 {
		t.Errorf("an unchanged import wrote: Within %d, %d revisions, %d changes", within, len(revisions(t, svc, out.ID)), len(logOf(t, svc)))
	}

	// Another digest: a newsroom update (version, revision, change log,
	// the old slug kept redirecting); updated_at takes the later original
	// date.
	im.Digest = "d2"
	im.Input.Title = "Un sommet régional, suite"
	im.Input.Slug = "sommet-suite"
	im.Input.Featured = false
	im.UpdatedAt = t0.Add(30 * time.Minute)
	upd := importOK(t, svc, im)
	if upd.Action != content.ImportUpdated || upd.ID != out.ID || upd.Slug != "sommet-suite" || upd.SlugChanged {
		t.Fatalf("update: %+v", upd)
	}
	a, _, err = svc.LiveArticle(ctx, content.Lookup{IDOrSlug: out.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 || a.Title != im.Input.Title || a.Featured || !a.UpdatedAt.Equal(im.UpdatedAt) || !a.CreatedAt.Equal(im.CreatedAt) {
		t.Errorf("updated article: v%d %q featured %v updated %v created %v", a.Version, a.Title, a.Featured, a.UpdatedAt, a.CreatedAt)
	}
	if old, moved, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "sommet-de-la-vallee", Lang: "fr"}); err != nil || !moved || old.ID != out.ID {
		t.Errorf("old slug: %s moved=%v %v", old.ID, moved, err)
	}
	if revs := revisions(t, svc, out.ID); len(revs) != 2 || revs[0].Action != content.ActionUpdate || revs[0].Editor != content.ImportEditor {
		t.Errorf("revisions after the update: %+v", revs)
	}
	if kinds := kindsOf(logOf(t, svc), out.ID); !slices.Equal(kinds, []content.ChangeKind{content.ChangePublished, content.ChangeUpdated}) {
		t.Errorf("change log: %v", kinds)
	}
	if within != 2 {
		t.Errorf("Within ran %d times, want 2", within)
	}
	if _, digest, _ := svc.ExternalRef(ctx, source, content.KindArticle, "8"); digest != "d2" {
		t.Errorf("digest %q after the update", digest)
	}

	// A mapping change alone (an original date no later than the stored
	// one): updated_at moves to now, never backwards.
	clk.Set(t0.Add(2 * time.Hour))
	im.Digest = "d3"
	im.Input.Access = content.AccessRegistered
	importOK(t, svc, im)
	a, _, _ = svc.LiveArticle(ctx, content.Lookup{IDOrSlug: out.ID})
	if !a.UpdatedAt.Equal(t0.Add(2*time.Hour)) || a.Access != content.AccessRegistered || a.Version != 3 {
		t.Errorf("after a mapping change: updated %v access %s v%d", a.UpdatedAt, a.Access, a.Version)
	}

	// Deleted since: created again, under a new id, whatever the digest.
	if err := svc.DeleteArticle(ctx, out.ID, 0); err != nil {
		t.Fatal(err)
	}
	re := importOK(t, svc, im)
	if re.Action != content.ImportCreated || !re.Recreated || re.ID == out.ID || re.Slug != "sommet-suite" {
		t.Errorf("recreate: %+v", re)
	}
	if target, _, _ := svc.ExternalRef(ctx, source, content.KindArticle, "8"); target != re.ID {
		t.Errorf("reference after the recreation: %s, want %s", target, re.ID)
	}
	if _, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: re.ID}); err != nil {
		t.Errorf("recreated article: %v", err)
	}
	if got := importOK(t, svc, im); got.Action != content.ImportUnchanged || got.ID != re.ID {
		t.Errorf("after the recreation: %+v", got)
	}
}

func TestImportArticleStatusesAndValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newServiceDB(t)

	// A scheduled post whose time passed is published then; a draft
	// ignores its date; neither is logged until public.
	past, future := t0.Add(-time.Hour), t0.Add(time.Hour)
	late := post("10", "late", "Late")
	late.Input.Status, late.Input.PublishAt = content.StatusScheduled, &past
	draft := post("11", "brouillon", "Brouillon")
	draft.Input.Status, draft.Input.PublishAt = content.StatusDraft, &future
	soon := post("12", "", "Bientôt publié")
	soon.Input.Status, soon.Input.PublishAt = content.StatusPublished, &future
	outs := map[string]content.ImportOutcome{}
	for _, im := range []content.ImportedArticle{late, draft, soon} {
		outs[im.ExternalID] = importOK(t, svc, im)
	}
	for id, want := range map[string]content.Status{"10": content.StatusPublished, "11": content.StatusDraft, "12": content.StatusScheduled} {
		a, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: outs[id].ID})
		if err != nil || a.Status != want {
			t.Errorf("post %s: %s, %v; want %s", id, a.Status, err, want)
		}
	}
	if outs["12"].Slug != "bientot-publie" || outs["12"].SlugChanged {
		t.Errorf("slug made from the title: %+v", outs["12"])
	}
	if kinds := kindsOf(logOf(t, svc), outs["11"].ID); len(kinds) != 0 {
		t.Errorf("a draft was logged: %v", kinds)
	}

	// Invalid input: an invalid fault naming the fields, nothing written.
	bad := post("13", "ok", "")
	bad.Source = ""
	bad.Input.Body = []blocks.Block{para("x"), {Type: blocks.TypePhoto, PhotoID: content.NewID()}}
	bad.Paths = []string{"no-slash"}
	_, err := svc.ImportArticle(ctx, bad)
	fields, ok := fault.Fields(err)
	if !ok {
		t.Fatalf("invalid import: %v", err)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.Field)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"paths[0]", "source"}) {
		t.Errorf("fields %v", names)
	}
	bad = post("13", "ok", "")
	bad.Input.Body = []blocks.Block{para("x"), {Type: blocks.TypePhoto, PhotoID: content.NewID()}}
	_, err = svc.ImportArticle(ctx, bad)
	fields, _ = fault.Fields(err)
	names = names[:0]
	for _, f := range fields {
		names = append(names, f.Field)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"body.blocks[1].photo_id", "title"}) {
		t.Errorf("fields %v (%v)", names, err)
	}
	// References are ids: each must name something, once.
	au, err := svc.CreateAuthor(ctx, content.Author{Slug: "a-dupont", Name: "A. Dupont"})
	if err != nil {
		t.Fatal(err)
	}
	// Both on a new article and on an update of post 10.
	refs := func(im content.ImportedArticle) content.ImportedArticle {
		im.Digest = "d2"
		im.Input.SectionID, im.Input.TagIDs, im.Input.AuthorIDs = content.NewID(), []string{content.NewID()}, []string{au.ID, au.ID}
		return im
	}
	for _, im := range []content.ImportedArticle{refs(post("13", "ok", "Références")), refs(late)} {
		_, err = svc.ImportArticle(ctx, im)
		fields, _ = fault.Fields(err)
		names = names[:0]
		for _, f := range fields {
			names = append(names, f.Field)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"author_ids[1]", "section_id", "tag_ids[0]"}) {
			t.Errorf("post %s: fields %v (%v)", im.ExternalID, names, err)
		}
	}
	if n := count(t, svc); n != 3 {
		t.Errorf("%d articles", n)
	}
}

func TestImportArticleSlugCollision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newServiceDB(t)
	in := editorial("Déjà là")
	in.Slug = "sommet"
	mine, err := svc.CreateArticleBy(ctx, in, "editor-1")
	if err != nil {
		t.Fatal(err)
	}
	out := importOK(t, svc, post("8", "sommet", "Sommet importé"))
	if out.Slug != "sommet-2" || !out.SlugChanged {
		t.Errorf("taken slug: %+v", out)
	}
	// Run again with another digest: the article keeps its suffixed slug
	// (the bare one is still the newsroom's), no redirect is made.
	im := post("8", "sommet", "Sommet importé, corrigé")
	im.Digest = "d2"
	upd := importOK(t, svc, im)
	if upd.Slug != "sommet-2" || !upd.SlugChanged {
		t.Errorf("update keeps the suffixed slug: %+v", upd)
	}
	if a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: "sommet-2", Lang: "fr"}); err != nil || a.ID != out.ID {
		t.Errorf("sommet-2: %s %v", a.ID, err)
	}
	if a, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: "sommet", Lang: "fr"}); err != nil || a.ID != mine.ID {
		t.Errorf("the newsroom's article lost its slug: %s %v", a.ID, err)
	}
}

func TestImportTranslationsInAnyOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newServiceDB(t)
	en := func(id, group string) content.ImportedArticle {
		im := post(id, "summit-"+id, "Summit")
		im.Input.Lang, im.TranslationGroup = "en", group
		return im
	}
	fr := func(id, group string) content.ImportedArticle {
		im := post(id, "sommet-"+id, "Sommet")
		im.TranslationGroup = group
		return im
	}
	de := func(id, group string) content.ImportedArticle {
		im := post(id, "gipfel-"+id, "Gipfel")
		im.Input.Lang, im.TranslationGroup = "de", group
		return im
	}
	// Group 1: French first; group 2: English first.
	a1 := importOK(t, svc, fr("1", "pll_1"))
	b1 := importOK(t, svc, en("2", "pll_1"))
	b2 := importOK(t, svc, en("3", "pll_2"))
	c2 := importOK(t, svc, de("4", "pll_2"))
	a2 := importOK(t, svc, fr("5", "pll_2"))
	lone := importOK(t, svc, fr("6", ""))
	key := func(id string) string {
		t.Helper()
		a, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: id})
		if err != nil {
			t.Fatal(err)
		}
		return a.TranslationKey
	}
	if key(a1.ID) != key(b1.ID) || key(b2.ID) != key(c2.ID) || key(c2.ID) != key(a2.ID) || key(a1.ID) == key(a2.ID) {
		t.Errorf("groups: %s %s / %s %s %s", key(a1.ID), key(b1.ID), key(b2.ID), key(c2.ID), key(a2.ID))
	}
	if key(lone.ID) != lone.ID {
		t.Errorf("an article without a group has key %s", key(lone.ID))
	}
	a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: a2.ID})
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, tr := range a.Translations {
		langs = append(langs, tr.Lang)
	}
	if !slices.Equal(langs, []string{"de", "en"}) {
		t.Errorf("translations of the French article: %v", langs)
	}
	// A second French article in group 2 stays out of it, and says so.
	dup := importOK(t, svc, fr("7", "pll_2"))
	if !dup.Ungrouped || key(dup.ID) != dup.ID {
		t.Errorf("a second article in one language: %+v, key %s", dup, key(dup.ID))
	}
	// An update that puts an article in a group joins it, unless the
	// group has an article in its language.
	german := importOK(t, svc, de("8", ""))
	joined := de("8", "pll_1")
	joined.Digest = "d2"
	if out := importOK(t, svc, joined); out.Action != content.ImportUpdated || out.Ungrouped || key(german.ID) != key(a1.ID) {
		t.Errorf("joining group 1: %+v, key %s, want %s", out, key(german.ID), key(a1.ID))
	}
	refused := fr("6", "pll_1")
	refused.Digest = "d2"
	if out := importOK(t, svc, refused); !out.Ungrouped || key(lone.ID) != lone.ID {
		t.Errorf("a second French article in group 1: %+v, key %s", out, key(lone.ID))
	}
}

// TestImportRollback: a Within hook that fails leaves nothing: no
// article, no reference, no path, no change-log entry, nothing Within
// wrote.
func TestImportRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, db := newServiceDB(t)
	boom := errors.New("boom")
	im := post("8", "sommet", "Sommet")
	im.Paths = []string{"/2026/03/sommet/", "/?p=8"}
	im.TranslationGroup = "pll_9"
	im.Within = func(tx *gorm.DB, id string) error {
		if err := svc.PutExternalRefTx(tx, content.ExternalRef{Source: source, Kind: content.KindPhoto, ExternalID: "77", TargetID: content.NewID()}); err != nil {
			return err
		}
		if err := svc.PutPathsTx(tx, []content.LegacyPath{{Path: "/photo-77", Kind: content.KindArticle, TargetID: id, Source: source}}); err != nil {
			return err
		}
		return boom
	}
	if _, err := svc.ImportArticle(ctx, im); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the hook's", err)
	}
	if n := count(t, svc); n != 0 {
		t.Errorf("%d articles", n)
	}
	for _, k := range []struct{ kind, id string }{{content.KindArticle, "8"}, {content.KindPhoto, "77"}, {content.KindTranslation, "pll_9"}} {
		if _, _, err := svc.ExternalRef(ctx, source, k.kind, k.id); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("reference %s %s: %v", k.kind, k.id, err)
		}
	}
	for _, p := range []string{"/2026/03/sommet", "/?p=8", "/photo-77"} {
		if _, err := svc.Resolve(ctx, p); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("path %s: %v", p, err)
		}
	}
	if log := logOf(t, svc); len(log) != 0 {
		t.Errorf("change log: %+v", log)
	}
	for _, table := range []string{"article_revisions", "search_docs", "legacy_paths", "external_refs"} {
		var n int64
		if err := db.Read(ctx).Table(table).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", table, n, err)
		}
	}

	// The same import without the failure goes through.
	im.Within = nil
	if out := importOK(t, svc, im); out.Action != content.ImportCreated {
		t.Errorf("%+v", out)
	}
}

func TestCanonicalPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"/", "/"},
		{"  /2026/03/Sommet-de-la-Vall%C3%A9e/  ", "/2026/03/sommet-de-la-vallée"},
		{"/2026/03/sommet-de-la-vallée", "/2026/03/sommet-de-la-vallée"},
		{"/2026/03/sommet-de-la-valle%CC%81e/", "/2026/03/sommet-de-la-vallée"}, // NFD → NFC
		{"/category/politique//diplomatie/", "/category/politique/diplomatie"},
		{"/a/./b/../c", "/a/c"},
		{"/%2e%2e/etc/passwd", "/etc/passwd"},
		{"/?p=8", "/?p=8"},
		{"/?p=008&utm_source=x", "/?p=8"},
		{"/index.php?page_id=12", "/?page_id=12"},
		{"/?utm_source=x&attachment_id=5#top", "/?attachment_id=5"},
		{"/?page_id=3&p=8", "/?p=8"},
		{"/?cat=4", "/?cat=4"},
		{"/?p=0", "/"},
		{"/?p=abc", "/"},
		{"/?p=-1", "/"},
		{"/blog/?s=summit", "/blog"},
		{"/2026/03/slug/?amp=1", "/2026/03/slug"},
		{"/a%20b/", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/100%25", "/100%25"},
		{"/what%3F", "/what%3F"},
		{"/hash%23tag", "/hash%23tag"},
		{"/Москва/", "/москва"},
		{"/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "/москва"},
		{"//evil.example/x", "/evil.example/x"},
		{"/a+b", "/a+b"},
	} {
		got, err := content.CanonicalPath(c.in)
		if err != nil || got != c.want {
			t.Errorf("CanonicalPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if again, err := content.CanonicalPath(got); err != nil || again != got {
			t.Errorf("CanonicalPath(%q) = %q, %v: not idempotent", got, again, err)
		}
	}
	for _, bad := range []string{"", "   ", "2026/03/slug", "https://courrier.example/x", "?p=8", "/%zz", "/%C3",
		"/\xff", "/%FF", "/a%00b", "/a\x01", "/%0A", strings.Repeat("/a", content.MaxPathBytes/2+1)} {
		if got, err := content.CanonicalPath(bad); err == nil {
			t.Errorf("CanonicalPath(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzCanonicalPath: whatever the input, the canonical form is valid UTF-8,
// starts with "/", and is its own canonical form.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"/", "/2026/03/Sommet-de-la-Vall%C3%A9e/", "/?p=8&x=1", "/a%2541", "/%C2%A0x", "/a/../b", "/x?cat=07#f", "/%E2%80%A8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := content.CanonicalPath(in)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") || !utf8Valid(got) {
			t.Fatalf("CanonicalPath(%q) = %q", in, got)
		}
		again, err := content.CanonicalPath(got)
		if err != nil || again != got {
			t.Fatalf("CanonicalPath(%q) = %q, then %q, %v", in, got, again, err)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, _ := newServiceDB(t)
	im := post("8", "sommet", "Sommet")
	im.Paths = []string{"/2026/03/sommet/", "/?p=8"}
	live := importOK(t, svc, im)
	dr := post("9", "brouillon", "Brouillon secret")
	dr.Input.Status = content.StatusDraft
	dr.Paths = []string{"/?p=9", "/2026/03/brouillon/"}
	draft := importOK(t, svc, dr)
	gone := post("10", "retire", "Retiré")
	gone.Paths = []string{"/?p=10"}
	deleted := importOK(t, svc, gone)
	if err := svc.DeleteArticle(ctx, deleted.ID, 0); err != nil {
		t.Fatal(err)
	}
	parent, err := svc.CreateSection(ctx, content.Section{Slug: "politique", Names: map[string]string{"fr": "Politique"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := svc.CreateSection(ctx, content.Section{Slug: "diplomatie", ParentID: parent.ID, Names: map[string]string{"fr": "Diplomatie"}})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := svc.CreateTag(ctx, content.Tag{Slug: "eau", Name: "Eau", Kind: content.TagTopic})
	if err != nil {
		t.Fatal(err)
	}
	gen := svc.Generation()
	err = svc.PutPaths(ctx, []content.LegacyPath{
		{Path: "/category/politique/diplomatie/", Kind: content.KindSection, TargetID: sec.ID, Source: source},
		{Path: "/tag/Eau/", Kind: content.KindTag, TargetID: tag.ID, Source: source},
		{Path: "/?cat=3", Kind: content.KindSection, TargetID: content.NewID(), Source: source},
		{Path: "/old-page/", Kind: content.KindGone, Source: source},
		{Path: "/?attachment_id=77", Kind: content.KindPhoto, TargetID: content.NewID(), Source: source},
	})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Generation() == gen {
		t.Error("PutPaths did not move the generation")
	}

	for _, c := range []struct {
		path string
		want content.Resolution
	}{
		{"/2026/03/Sommet", content.Resolution{Path: "/2026/03/sommet", Kind: content.KindArticle, ID: live.ID, Slug: "sommet", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet"}},
		{"/?p=8&replytocom=3", content.Resolution{Path: "/?p=8", Kind: content.KindArticle, ID: live.ID, Slug: "sommet", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet"}},
		{"/fr/sommet", content.Resolution{Path: "/fr/sommet", Kind: content.KindArticle, ID: live.ID, Slug: "sommet", Lang: "fr",
			CanonicalURL: "https://publisher.example/fr/sommet"}},
		{"/category/politique/diplomatie", content.Resolution{Path: "/category/politique/diplomatie", Kind: content.KindSection, ID: sec.ID,
			Slug: "diplomatie", SectionPath: []string{"politique", "diplomatie"}}},
		{"/tag/eau", content.Resolution{Path: "/tag/eau", Kind: content.KindTag, ID: tag.ID, Slug: "eau"}},
	} {
		got, err := svc.Resolve(ctx, c.path)
		if err != nil || got.Path != c.want.Path || got.Kind != c.want.Kind || got.ID != c.want.ID || got.Slug != c.want.Slug ||
			got.Lang != c.want.Lang || got.CanonicalURL != c.want.CanonicalURL || !slices.Equal(got.SectionPath, c.want.SectionPath) {
			t.Errorf("Resolve(%q) = %+v, %v; want %+v", c.path, got, err, c.want)
		}
	}
	// Gone: a draft (never its title), a deleted article, a deleted or
	// missing section, a missing photo, a gone page.
	for _, p := range []string{"/?p=9", "/2026/03/brouillon", "/fr/brouillon", "/?p=10", "/?cat=3", "/old-page", "/?attachment_id=77"} {
		got, err := svc.Resolve(ctx, p)
		if !errors.Is(err, fault.ErrGone) || got.ID != "" || strings.Contains(err.Error(), "Brouillon") {
			t.Errorf("Resolve(%q) = %+v, %v; want gone", p, got, err)
		}
	}
	for _, p := range []string{"/nowhere", "/fr/nowhere", "/?p=11", "/en/sommet"} {
		if _, err := svc.Resolve(ctx, p); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("Resolve(%q): %v, want not found", p, err)
		}
	}
	if _, err := svc.Resolve(ctx, "no-slash"); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("invalid path: %v", err)
	}

	// Once published, the draft resolves; a rename leaves the old slug
	// resolving under /<lang>/<slug>.
	clk.Set(t0.Add(time.Hour))
	if _, err := svc.PublishArticle(ctx, draft.ID, 0, "editor-1"); err != nil {
		t.Fatal(err)
	}
	slug := "brouillon-publie"
	if _, err := svc.UpdateArticle(ctx, draft.ID, content.ArticlePatch{Slug: &slug}, 0, "editor-1"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/?p=9", "/fr/brouillon", "/fr/brouillon-publie"} {
		got, err := svc.Resolve(ctx, p)
		if err != nil || got.ID != draft.ID || got.Slug != slug || got.CanonicalURL != "https://publisher.example/fr/brouillon-publie" {
			t.Errorf("Resolve(%q) = %+v, %v", p, got, err)
		}
	}
	// Deleting the section makes its path gone; recording a path again
	// points it elsewhere.
	if err := svc.DeleteSection(ctx, sec.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Resolve(ctx, "/category/politique/diplomatie"); !errors.Is(err, fault.ErrGone) {
		t.Errorf("deleted section: %v", err)
	}
	if err := svc.PutPaths(ctx, []content.LegacyPath{{Path: "/category/politique/diplomatie", Kind: content.KindSection, TargetID: parent.ID}}); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Resolve(ctx, "/category/politique/diplomatie/"); err != nil || got.ID != parent.ID || !slices.Equal(got.SectionPath, []string{"politique"}) {
		t.Errorf("re-pointed path: %+v, %v", got, err)
	}

	// PutPaths refuses bad entries, and writes none of the batch.
	err = svc.PutPaths(ctx, []content.LegacyPath{
		{Path: "/fine", Kind: content.KindTag, TargetID: tag.ID},
		{Path: "relative", Kind: content.KindTag, TargetID: tag.ID},
		{Path: "/x", Kind: "author", TargetID: tag.ID},
		{Path: "/y", Kind: content.KindTag},
		{Path: "/z", Kind: content.KindGone, TargetID: tag.ID},
	})
	fields, ok := fault.Fields(err)
	if !ok || len(fields) != 4 || fields[0].Field != "paths[1]" || fields[3].Field != "paths[4]" {
		t.Errorf("PutPaths with bad entries: %v %+v", err, fields)
	}
	if _, err := svc.Resolve(ctx, "/fine"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("a refused batch wrote /fine: %v", err)
	}
}

// TestResolveUnderSitePath: the site's own article URLs are read under the
// path of the public URL.
func TestResolveUnderSitePath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: t0}
	svc := content.NewService(storetest.Open(t), content.Options{Now: clk.Now, PublicURL: "https://publisher.example/News/"})
	out := importOK(t, svc, post("8", "sommet", "Sommet"))
	got, err := svc.Resolve(ctx, "/news/fr/sommet")
	if err != nil || got.ID != out.ID || got.CanonicalURL != "https://publisher.example/News/fr/sommet" {
		t.Errorf("under the site's path: %+v, %v", got, err)
	}
	if _, err := svc.Resolve(ctx, "/fr/sommet"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("outside the site's path: %v", err)
	}
}

func TestExternalRefs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newServiceDB(t)
	sec, err := svc.CreateSection(ctx, content.Section{Slug: "politique", Names: map[string]string{"fr": "Politique"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ExternalRef(ctx, source, content.KindSection, "3"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("before: %v", err)
	}
	for _, digest := range []string{"a", "b"} {
		if err := svc.PutExternalRef(ctx, content.ExternalRef{Source: source, Kind: content.KindSection, ExternalID: "3", TargetID: sec.ID, Digest: digest}); err != nil {
			t.Fatal(err)
		}
		if target, d, err := svc.ExternalRef(ctx, source, content.KindSection, "3"); err != nil || target != sec.ID || d != digest {
			t.Errorf("after put %s: %s %s %v", digest, target, d, err)
		}
	}
	// Another source, another kind: other references.
	if _, _, err := svc.ExternalRef(ctx, "wordpress:https://other.example", content.KindSection, "3"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("other source: %v", err)
	}
	if _, _, err := svc.ExternalRef(ctx, source, content.KindTag, "3"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("other kind: %v", err)
	}
	err = svc.PutExternalRef(ctx, content.ExternalRef{Source: source, Kind: "post", ExternalID: "", TargetID: ""})
	if fields, ok := fault.Fields(err); !ok || len(fields) != 3 {
		t.Errorf("bad reference: %v", err)
	}
}

func TestFeaturedList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newServiceDB(t)
	var featured []string
	for i, f := range []bool{true, false, true, false} {
		in := validInput("a-" + string(rune('a'+i)))
		in.Featured = f
		at := t0.Add(-time.Duration(10-i) * time.Hour)
		in.PublishAt = &at
		a, err := svc.CreateArticle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if f {
			featured = append([]string{a.ID}, featured...)
		}
	}
	list, _, err := svc.ListLive(ctx, content.ListFilter{Featured: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range list {
		ids = append(ids, a.ID)
		if !a.Featured {
			t.Errorf("%s is not featured", a.ID)
		}
	}
	if !slices.Equal(ids, featured) {
		t.Errorf("featured list %v, want %v", ids, featured)
	}
	// The newsroom changes it like any field.
	no := false
	a, err := svc.UpdateArticle(ctx, featured[0], content.ArticlePatch{Featured: &no}, 0, "editor-1")
	if err != nil || a.Featured || a.Version != 2 {
		t.Fatalf("unfeature: %v %v", a.Featured, err)
	}
	list, _, _ = svc.ListLive(ctx, content.ListFilter{Featured: true, Limit: 10})
	if len(list) != 1 || list[0].ID != featured[1] {
		t.Errorf("after unfeaturing: %d articles", len(list))
	}
	revs := revisions(t, svc, featured[0])
	if len(revs) == 0 || !strings.Contains(string(revs[0].Snapshot), `"featured":false`) {
		t.Errorf("the revision does not record featured: %s", revs[0].Snapshot)
	}
}
