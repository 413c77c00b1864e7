package wpimport_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
	"masthead/internal/wpimport"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const export = "../wordpress/testdata/lakeside.xml"

type env struct {
	db  *store.DB
	svc wpimport.Services
}

func newEnv(t *testing.T) env { return newEnvB(t) }

func newEnvB(t testing.TB) env {
	t.Helper()
	db := storetest.Open(t)
	cs := content.NewService(db, content.Options{})
	accs, err := accounts.NewService(db, accounts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := media.NewStore(t.TempDir(), []int{160, 320}, media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return env{db: db, svc: wpimport.Services{DB: db, Content: cs,
		Comments: comments.NewService(db, comments.Options{Articles: cs, Members: accs}), Media: ms}}
}

// uploads writes two of the export's three attachments as real JPEGs (the
// third, 2025/11/ponton-scaled.jpg, is missing).
func uploads(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range []string{"2026/03/regates-2026.jpg", "2026/02/conseil-municipal.jpg"} {
		img := image.NewRGBA(image.Rect(0, 0, 640, 400))
		for y := range 400 {
			for x := range 640 {
				img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), uint8(90 * i), 255})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func options(t *testing.T, up string) wpimport.Options {
	t.Helper()
	rule, err := wpimport.ParseAccessRule("meta:_abonnes=1=subscribers")
	if err != nil {
		t.Fatal(err)
	}
	return wpimport.Options{Uploads: up, Rules: []wpimport.AccessRule{rule}}
}

// articleRow is what the tests read of an imported article.
type articleRow struct {
	ID, Slug, Lang, Status, Access, TranslationKey, Title, BodyHTML string
	PhotoID                                                         *string
	Featured                                                        bool
	CommentCount                                                    int
}

func articleOf(t *testing.T, e env, wpID string) articleRow {
	t.Helper()
	id, _, err := e.svc.Content.ExternalRef(context.Background(), "wordpress:https://courrier-du-lac.example", content.KindArticle, wpID)
	if err != nil {
		t.Fatalf("post %s: %v", wpID, err)
	}
	var a articleRow
	err = e.db.Read(context.Background()).Raw(`SELECT id, slug, lang, status, access, translation_key, title, body_html,
		photo_id, featured, comment_count FROM articles WHERE id = ?`, id).Scan(&a).Error
	if err != nil || a.ID == "" {
		t.Fatalf("article of post %s: %v", wpID, err)
	}
	return a
}

func count(t *testing.T, db *store.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background()).Raw(sql, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportLakeside: the invented site's export comes in whole — posts
// with their statuses, languages, translations, sticky flag, access rule,
// photos (two files there, one missing), comments with their threading and
// statuses (pingbacks skipped, an orphan made top-level), taxonomy and old
// paths — and a second run changes nothing.
func TestImportLakeside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	up := uploads(t)
	rep, err := wpimport.Run(ctx, export, e.svc, options(t, up))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 9 || rep.Updated != 0 || rep.Unchanged != 0 || rep.Skipped["type page"] != 1 || rep.Skipped["type nav_menu_item"] != 1 {
		t.Errorf("posts: %+v", rep)
	}
	if rep.Photos != 2 || rep.MissingCount != 1 || len(rep.MissingFiles) != 1 || rep.MissingFiles[0] != "2025/11/ponton-scaled.jpg" {
		t.Errorf("photos: %d, missing %d %v", rep.Photos, rep.MissingCount, rep.MissingFiles)
	}
	if rep.Comments != 6 || rep.CommentsSkipped != 2 || rep.OrphanComments != 1 {
		t.Errorf("comments: %d written, %d skipped, %d orphans", rep.Comments, rep.CommentsSkipped, rep.OrphanComments)
	}
	if rep.UnknownShortcodes["contact-form-7"] != 1 || rep.UnknownShortcodes["su_box"] != 1 {
		t.Errorf("unknown shortcodes: %v", rep.UnknownShortcodes)
	}
	if n := count(t, e.db, "SELECT COUNT(*) FROM articles"); n != 9 {
		t.Fatalf("%d articles", n)
	}

	// Post 101: sticky, subscribers by the meta rule, French, its
	// featured photo with the attachment's alt text and credit, in one
	// translation group with post 102.
	fr, en := articleOf(t, e, "101"), articleOf(t, e, "102")
	if !fr.Featured || fr.Access != "subscribers" || fr.Lang != "fr" || fr.Status != "published" || fr.Slug != "regates-du-printemps" {
		t.Errorf("post 101: %+v", fr)
	}
	if en.Featured || en.Access != "public" || en.Lang != "en" || fr.TranslationKey == "" || en.TranslationKey != fr.TranslationKey {
		t.Errorf("post 102: %+v (101's key %q)", en, fr.TranslationKey)
	}
	if fr.PhotoID == nil {
		t.Fatal("post 101 has no featured photo")
	}
	ph, err := e.svc.Content.Photo(ctx, *fr.PhotoID)
	if err != nil || ph.Alt != "Une vingtaine de voiliers sur le lac" || ph.Credit != "Photo : Club nautique du Lac" ||
		ph.Caption != "Les voiliers au départ de la première manche." || ph.Width != 640 || len(ph.Renditions) != 2 {
		t.Errorf("photo: %+v %v", ph, err)
	}

	// Its comments: 1001 ← 1002 ← 1007 (pending), spam, trash, and 1008
	// whose parent 999 is not in the export, top-level; 3 approved.
	src := "wordpress:https://courrier-du-lac.example"
	get := func(wpID string) comments.Comment {
		c, err := e.svc.Comments.Get(ctx, comments.ImportID(src, wpID))
		if err != nil {
			t.Fatalf("comment %s: %v", wpID, err)
		}
		return c
	}
	c1, c2, c5, c6, c7, c8 := get("1001"), get("1002"), get("1005"), get("1006"), get("1007"), get("1008")
	if c1.ParentID != "" || c2.ParentID != c1.ID || c7.ParentID != c2.ID || c8.ParentID != "" || c7.Depth != 2 {
		t.Errorf("threading: 1002→%s 1007→%s (depth %d) 1008→%q", c2.ParentID, c7.ParentID, c7.Depth, c8.ParentID)
	}
	if c1.Status != comments.StatusApproved || c5.Status != comments.StatusSpam || c6.Status != comments.StatusRejected || c7.Status != comments.StatusPending {
		t.Errorf("statuses: %s %s %s %s", c1.Status, c5.Status, c6.Status, c7.Status)
	}
	if c1.Email == "" || c1.ArticleID != fr.ID {
		t.Errorf("comment 1001: %+v", c1)
	}
	if fr.CommentCount != 3 {
		t.Errorf("post 101 counts %d approved comments, want 3", fr.CommentCount)
	}

	// Statuses: draft, pending and private are drafts.
	for _, id := range []string{"104", "106", "111"} {
		if a := articleOf(t, e, id); a.Status != "draft" {
			t.Errorf("post %s: %s", id, a.Status)
		}
	}
	// Hostile markup never survives.
	if h := strings.ToLower(articleOf(t, e, "109").BodyHTML); strings.Contains(h, "<script") || strings.Contains(h, "javascript:") || strings.Contains(h, "onerror") {
		t.Errorf("post 109 kept hostile markup: %s", h)
	}

	// Old paths: the post by id and by its link, its category archive, the
	// attachment page; a draft has none.
	for path, kind := range map[string]string{"/?p=101": content.KindArticle, "/?cat=0": "", "/category/actualites/region/": content.KindSection, "/tag/lac/": content.KindTag, "/?tag=lac": content.KindTag, "/?attachment_id=201": content.KindPhoto} {
		res, err := e.svc.Content.Resolve(ctx, path)
		if kind == "" {
			if err == nil {
				t.Errorf("%s resolved to %+v", path, res)
			}
			continue
		}
		if err != nil || res.Kind != kind {
			t.Errorf("%s: %+v %v", path, res, err)
		}
		if kind == content.KindArticle && res.ID != fr.ID {
			t.Errorf("%s: %s, want %s", path, res.ID, fr.ID)
		}
	}
	if _, err := e.svc.Content.Resolve(ctx, "/?p=104"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("a draft's id path: %v", err)
	}

	// A second run: nothing changes.
	before := count(t, e.db, "SELECT COUNT(*) FROM comments") + 1000*count(t, e.db, "SELECT COUNT(*) FROM photos")
	changes := count(t, e.db, "SELECT COUNT(*) FROM article_changes")
	again, err := wpimport.Run(ctx, export, e.svc, options(t, up))
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 9 || again.Photos != 0 || again.PhotosReused != 2 {
		t.Errorf("second run: %+v", again)
	}
	after := count(t, e.db, "SELECT COUNT(*) FROM comments") + 1000*count(t, e.db, "SELECT COUNT(*) FROM photos")
	if after != before || count(t, e.db, "SELECT COUNT(*) FROM article_changes") != changes {
		t.Errorf("second run wrote: %d → %d rows, %d → %d changes", before, after, changes, count(t, e.db, "SELECT COUNT(*) FROM article_changes"))
	}
	if a := articleOf(t, e, "101"); a.CommentCount != 3 {
		t.Errorf("after a second run, post 101 counts %d", a.CommentCount)
	}

	// An updated export: the changed post is updated, in place.
	data, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "<content:encoded><![CDATA[Souvenirs de la fête.]]>", "<content:encoded><![CDATA[Souvenirs de la fête, et des feux d'artifice.]]>", 1)
	if edited == string(data) {
		t.Fatal("the edit did not apply")
	}
	file := filepath.Join(t.TempDir(), "edited.xml")
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	old := articleOf(t, e, "110")
	third, err := wpimport.Run(ctx, file, e.svc, options(t, up))
	if err != nil {
		t.Fatal(err)
	}
	if third.Updated != 1 || third.Unchanged != 8 || third.Created != 0 {
		t.Errorf("edited export: %+v", third)
	}
	if a := articleOf(t, e, "110"); a.ID != old.ID || !strings.Contains(a.BodyHTML, "feux d") {
		t.Errorf("post 110 after the edit: %+v", a)
	}
}

// TestImportDryRun: a dry run reports what a run would do and writes
// nothing.
func TestImportDryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := options(t, uploads(t))
	o.DryRun = true
	rep, err := wpimport.Run(context.Background(), export, e.svc, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 9 || rep.Photos != 2 || rep.Comments != 6 || !rep.DryRun {
		t.Errorf("dry run: %+v", rep)
	}
	for _, table := range []string{"articles", "photos", "comments", "sections", "tags", "authors", "external_refs", "legacy_paths"} {
		if n := count(t, e.db, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Errorf("dry run wrote %d rows in %s", n, table)
		}
	}
}

// cancelAfter cancels a run's context after n progress writes: an import
// cut short.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("posts")) {
		c.n--
		if c.n == 0 {
			c.cancel()
		}
	}
	return len(p), nil
}

// TestImportResumes: an import interrupted between posts leaves whole
// articles only, and a second run brings in the rest.
func TestImportResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := options(t, "")
	o.Progress = &cancelAfter{n: 4, cancel: cancel}
	_, err := wpimport.Run(ctx, export, e.svc, o)
	if err == nil {
		t.Fatal("a cancelled run reported no error")
	}
	done := count(t, e.db, "SELECT COUNT(*) FROM articles")
	if done == 0 || done >= 9 {
		t.Fatalf("%d articles after the interruption", done)
	}
	// Every article written has its reference and its comments.
	if refs := count(t, e.db, "SELECT COUNT(*) FROM external_refs WHERE kind = 'article'"); refs != done {
		t.Errorf("%d articles, %d references", done, refs)
	}
	rep, err := wpimport.Run(context.Background(), export, e.svc, options(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 9-done || rep.Unchanged != done {
		t.Errorf("resumed: %+v after %d", rep, done)
	}
	if n := count(t, e.db, "SELECT COUNT(*) FROM articles"); n != 9 {
		t.Errorf("%d articles after resuming", n)
	}
}

// TestImportHostileFiles: a file that is not a well-formed export fails
// with a clear error and writes nothing.
func TestImportHostileFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]string{
		"malformed": `<?xml version="1.0"?><rss><channel><title>x</title><link>https://x.example</link><item><title>a</item></channel></rss>`,
		"entities": `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
			`<rss><channel><title>&b;</title><link>https://x.example</link></channel></rss>`,
		"not an export": `<html><body>hello</body></html>`,
		"empty":         ``,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".xml")
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := wpimport.Run(context.Background(), file, e.svc, options(t, "")); err == nil {
				t.Error("accepted")
			}
			if n := count(t, e.db, "SELECT COUNT(*) FROM articles") + count(t, e.db, "SELECT COUNT(*) FROM sections"); n != 0 {
				t.Errorf("wrote %d rows", n)
			}
		})
	}
	if _, err := wpimport.Run(context.Background(), filepath.Join(dir, "absent.xml"), newEnv(t).svc, options(t, "")); err == nil {
		t.Error("a missing file was accepted")
	}
}

// TestImportDetectLang: without a multilingual plugin, --detect-lang
// gives the Russian post its language; without it, the channel's.
func TestImportDetectLang(t *testing.T) {
	t.Parallel()
	for _, detect := range []bool{false, true} {
		e := newEnv(t)
		o := options(t, "")
		o.DetectLang = detect
		if _, err := wpimport.Run(context.Background(), export, e.svc, o); err != nil {
			t.Fatal(err)
		}
		want := "fr"
		if detect {
			want = "ru"
		}
		if a := articleOf(t, e, "103"); a.Lang != want {
			t.Errorf("detect %v: post 103 in %s, want %s", detect, a.Lang, want)
		}
	}
}

func TestParseAccessRule(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"category:abonnes=subscribers":    "category:abonnes=subscribers",
		"tag:club=registered":             "tag:club=registered",
		"meta:_members_only=1=registered": "meta:_members_only=1=registered",
		"meta:_paywall=subscribers":       "meta:_paywall=subscribers",
		"meta:key=with=equals=registered": "meta:key=with=equals=registered",
	}
	for in, want := range good {
		r, err := wpimport.ParseAccessRule(in)
		if err != nil || r.String() != want {
			t.Errorf("%s: %v %v", in, r, err)
		}
	}
	for _, bad := range []string{"", "category", "category:x", "category:x=vip", "author:x=public", "category:=public", "meta:=1=registered"} {
		if _, err := wpimport.ParseAccessRule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestImportStaysInUploads: an attachment whose file name climbs out of
// the uploads folder is reported missing, never read.
func TestImportStaysInUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := uploads(t)
	// A real image beside the uploads folder, where "../" would reach.
	data, err := os.ReadFile(filepath.Join(up, "2026", "03", "regates-2026.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(up), "outside.jpg"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "<wp:meta_value><![CDATA[2026/03/regates-2026.jpg]]>", "<wp:meta_value><![CDATA[../outside.jpg]]>", 1)
	if text == string(raw) {
		t.Fatal("the edit did not apply")
	}
	file := filepath.Join(t.TempDir(), "climb.xml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := wpimport.Run(context.Background(), file, e.svc, options(t, up))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Photos != 1 || rep.MissingCount != 2 || !slices.Contains(rep.MissingFiles, "../outside.jpg") {
		t.Errorf("photos %d, missing %d %v", rep.Photos, rep.MissingCount, rep.MissingFiles)
	}
	if a := articleOf(t, e, "101"); a.PhotoID != nil {
		t.Errorf("post 101 got a photo from outside the uploads folder: %s", *a.PhotoID)
	}
}
