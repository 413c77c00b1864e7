package demo

import (
	"bytes"
	"image/jpeg"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/blocks"
)

func mustJPEG(t *testing.T, seed int64, w, h int) []byte {
	t.Helper()
	b, err := encodeJPEG(drawPicture(seed, w, h))
	if err != nil {
		t.Fatalf("encodeJPEG(seed %d): %v", seed, err)
	}
	return b
}

func TestDrawPictureDeterministic(t *testing.T) {
	t.Parallel()
	a := mustJPEG(t, 42, 320, 213)
	b := mustJPEG(t, 42, 320, 213)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed produced different JPEG bytes")
	}
}

func TestDrawPictureSeedsDiffer(t *testing.T) {
	t.Parallel()
	a := mustJPEG(t, 1, 320, 213)
	b := mustJPEG(t, 2, 320, 213)
	if bytes.Equal(a, b) {
		t.Fatal("different seeds produced identical JPEG bytes")
	}
	// The palettes should differ visibly, not just in the grain: compare the
	// average colour of the two pictures.
	avg := func(seed int64) [3]float64 {
		img := drawPicture(seed, 160, 107)
		var s [3]float64
		bd := img.Bounds()
		for y := bd.Min.Y; y < bd.Max.Y; y++ {
			for x := bd.Min.X; x < bd.Max.X; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				s[0] += float64(r >> 8)
				s[1] += float64(g >> 8)
				s[2] += float64(b >> 8)
			}
		}
		n := float64(bd.Dx() * bd.Dy())
		return [3]float64{s[0] / n, s[1] / n, s[2] / n}
	}
	x, y := avg(1), avg(2)
	d := 0.0
	for i := range x {
		d += (x[i] - y[i]) * (x[i] - y[i])
	}
	if d < 25 {
		t.Errorf("seeds 1 and 2 have nearly the same average colour: %v vs %v", x, y)
	}
}

func TestDrawPictureSizeAndDecode(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{2048, 1365}, {1600, 1067}, {1067, 1600}, {1, 1}} {
		img := drawPicture(7, sz[0], sz[1])
		if got := img.Bounds(); got.Dx() != sz[0] || got.Dy() != sz[1] {
			t.Errorf("drawPicture(%dx%d) bounds = %v", sz[0], sz[1], got)
		}
		data, err := encodeJPEG(img)
		if err != nil {
			t.Fatalf("encodeJPEG: %v", err)
		}
		dec, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("jpeg.Decode: %v", err)
		}
		if got := dec.Bounds(); got.Dx() != sz[0] || got.Dy() != sz[1] {
			t.Errorf("decoded %dx%d bounds = %v", sz[0], sz[1], got)
		}
		if sz[0] >= 1600 && len(data) < 50_000 {
			t.Errorf("%dx%d JPEG is only %d bytes; expected a realistic photo size", sz[0], sz[1], len(data))
		}
	}
}

// BenchmarkDrawPicture times drawing a full-size demo picture (what
// TestDrawPictureSizeAndDecode used to log).
//
//	go test -tags sqlite_fts5 -run '^$' -bench DrawPicture ./internal/demo/
func BenchmarkDrawPicture(b *testing.B) {
	for b.Loop() {
		drawPicture(7, 2048, 1365)
	}
}

// ---- dataset invariants ----

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// articleWords counts words the way the API does (blocks.Words), so a
// lone « or — is not counted as a word.
func articleWords(a Article) int { return blocks.Words(a.Body) }

func paragraphs(a Article) int {
	n := 0
	for _, b := range a.Body {
		if b.Type == "paragraph" {
			n++
		}
	}
	return n
}

func isExampleURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return u.Hostname() == "example" || strings.HasSuffix(u.Hostname(), ".example")
}

func TestDataset(t *testing.T) {
	t.Parallel()
	d := dataset()

	// Sections.
	sections := map[string]bool{}
	for _, s := range d.Sections {
		if !slugRE.MatchString(s.Slug) || sections[s.Slug] {
			t.Errorf("bad or duplicate section slug %q", s.Slug)
		}
		sections[s.Slug] = true
		if s.Names["fr"] == "" || s.Names["en"] == "" {
			t.Errorf("section %q lacks fr or en name", s.Slug)
		}
	}
	top, child := 0, 0
	for _, s := range d.Sections {
		if s.Parent == "" {
			top++
		} else {
			child++
			if !sections[s.Parent] || s.Parent == s.Slug {
				t.Errorf("section %q has unknown parent %q", s.Slug, s.Parent)
			}
		}
	}
	if top < 2 || child < 2 {
		t.Errorf("sections: %d top-level, %d children; want ≥2 each", top, child)
	}

	// Tags and authors.
	tags := map[string]bool{}
	kinds := map[string]int{}
	for _, tg := range d.Tags {
		if !slugRE.MatchString(tg.Slug) || tags[tg.Slug] || tg.Name == "" {
			t.Errorf("bad tag %+v", tg)
		}
		tags[tg.Slug] = true
		kinds[tg.Kind]++
	}
	if kinds["country"] < 3 || kinds["topic"] < 4 || len(kinds) != 2 {
		t.Errorf("tag kinds = %v; want ≥3 country, ≥4 topic, nothing else", kinds)
	}
	authors := map[string]bool{}
	for _, a := range d.Authors {
		if !slugRE.MatchString(a.Slug) || authors[a.Slug] || a.Name == "" || a.Bio == "" {
			t.Errorf("bad author %+v", a)
		}
		authors[a.Slug] = true
	}
	if len(d.Authors) != 3 {
		t.Errorf("%d authors; want 3", len(d.Authors))
	}

	// Articles.
	if len(d.Articles) < 10 {
		t.Errorf("%d articles; want ≥10", len(d.Articles))
	}
	refs := map[string]bool{}
	slugs := map[string]bool{}
	seeds := map[int64]string{}
	byKey := map[string][]Article{}
	statuses := map[string]int{}
	access := map[string]int{} // among published
	langs := map[string]int{}
	ages := map[int]int{}
	previewBreaks := 0
	// Every text of every block, to check that closing sentences are unique.
	var allTexts []string
	blockTypes := map[string]int{}
	var sawH2, sawH3, sawQuoteCite, sawOrdered, sawUnordered bool
	markTypes := map[string]bool{}
	var sawScript, sawMember, sawGuest, sawPendingReply, sawThree, sawCommentsOff bool
	commentStatuses := map[string]int{}

	checkPicture := func(ref string, p Picture) {
		if other, dup := seeds[p.Seed]; dup {
			t.Errorf("%s: picture seed %d already used by %s", ref, p.Seed, other)
		}
		seeds[p.Seed] = ref
		if p.Width < 100 || p.Height < 100 || p.Caption == "" || p.Credit == "" || p.Alt == "" {
			t.Errorf("%s: incomplete picture %+v", ref, p)
		}
		if p.SourceURL != "" && !isExampleURL(p.SourceURL) {
			t.Errorf("%s: picture SourceURL %q not on .example", ref, p.SourceURL)
		}
	}

	for _, a := range d.Articles {
		if a.Ref == "" || refs[a.Ref] {
			t.Errorf("empty or duplicate ref %q", a.Ref)
		}
		refs[a.Ref] = true
		if a.Lang != "fr" && a.Lang != "en" {
			t.Errorf("%s: lang %q", a.Ref, a.Lang)
		}
		key := a.Lang + "/" + a.Slug
		if !slugRE.MatchString(a.Slug) || slugs[key] {
			t.Errorf("%s: bad or duplicate slug %q", a.Ref, key)
		}
		slugs[key] = true
		if a.Title == "" || a.Standfirst == "" {
			t.Errorf("%s: missing title or standfirst", a.Ref)
		}
		if !sections[a.Section] {
			t.Errorf("%s: unknown section %q", a.Ref, a.Section)
		}
		for _, s := range a.Tags {
			if !tags[s] {
				t.Errorf("%s: unknown tag %q", a.Ref, s)
			}
		}
		if len(a.Authors) == 0 {
			t.Errorf("%s: no author", a.Ref)
		}
		for _, s := range a.Authors {
			if !authors[s] {
				t.Errorf("%s: unknown author %q", a.Ref, s)
			}
		}
		if (a.SourceName == "") != (a.SourceURL == "") || (a.SourceURL != "" && !isExampleURL(a.SourceURL)) {
			t.Errorf("%s: bad source %q %q", a.Ref, a.SourceName, a.SourceURL)
		}
		switch a.Access {
		case "public", "registered", "subscribers":
		default:
			t.Errorf("%s: access %q", a.Ref, a.Access)
		}
		statuses[a.Status]++
		switch a.Status {
		case "published":
			access[a.Access]++
			langs[a.Lang]++
			ages[a.AgeHours]++
			if a.AgeHours < 1 || a.AgeHours > 400 {
				t.Errorf("%s: published AgeHours %d outside 1..400", a.Ref, a.AgeHours)
			}
			if !a.CommentsEnabled {
				sawCommentsOff = true
			}
		case "scheduled":
			if a.AgeHours >= 0 {
				t.Errorf("%s: scheduled article must have negative AgeHours, got %d", a.Ref, a.AgeHours)
			}
		case "draft":
		default:
			t.Errorf("%s: status %q", a.Ref, a.Status)
		}
		byKey[a.TranslationKey] = append(byKey[a.TranslationKey], a)

		if a.PreviewBreak != nil {
			if a.Status == "published" {
				previewBreaks++
			}
			if a.Access != "subscribers" || *a.PreviewBreak < 1 || *a.PreviewBreak >= len(a.Body) {
				t.Errorf("%s: PreviewBreak %d invalid (access %s, %d blocks)", a.Ref, *a.PreviewBreak, a.Access, len(a.Body))
			}
		}

		checkPicture(a.Ref, a.Photo)
		for _, p := range a.InlinePhotos {
			checkPicture(a.Ref, p)
		}

		// Blocks.
		photoBlocks := 0
		for i, b := range a.Body {
			blockTypes[b.Type]++
			allTexts = append(allTexts, b.Text)
			allTexts = append(allTexts, b.Items...)
			switch b.Type {
			case "paragraph":
				if b.Text == "" {
					t.Errorf("%s[%d]: empty paragraph", a.Ref, i)
				}
				n := utf8.RuneCountInString(b.Text)
				for _, m := range b.Marks {
					markTypes[m.Type] = true
					if m.Start < 0 || m.End <= m.Start || m.End > n {
						t.Errorf("%s[%d]: mark %+v outside 0..%d", a.Ref, i, m, n)
					}
					switch m.Type {
					case "bold", "italic":
						if m.Href != "" {
							t.Errorf("%s[%d]: %s mark with href", a.Ref, i, m.Type)
						}
					case "link":
						if !isExampleURL(m.Href) {
							t.Errorf("%s[%d]: link href %q", a.Ref, i, m.Href)
						}
					default:
						t.Errorf("%s[%d]: mark type %q", a.Ref, i, m.Type)
					}
				}
			case "heading":
				if b.Level < 2 || b.Level > 4 || b.Text == "" {
					t.Errorf("%s[%d]: bad heading %+v", a.Ref, i, b)
				}
				sawH2 = sawH2 || b.Level == 2
				sawH3 = sawH3 || b.Level == 3
			case "quote":
				if b.Text == "" {
					t.Errorf("%s[%d]: empty quote", a.Ref, i)
				}
				sawQuoteCite = sawQuoteCite || b.Cite != ""
			case "list":
				if len(b.Items) < 2 {
					t.Errorf("%s[%d]: list with %d items", a.Ref, i, len(b.Items))
				}
				sawOrdered = sawOrdered || b.Ordered
				sawUnordered = sawUnordered || !b.Ordered
			case "photo":
				photoBlocks++
				if b.PhotoID != "" {
					t.Errorf("%s[%d]: PhotoID must be left to the loader", a.Ref, i)
				}
			case "embed":
				if !isExampleURL(b.URL) || b.Provider == "" {
					t.Errorf("%s[%d]: bad embed %+v", a.Ref, i, b)
				}
			default:
				t.Errorf("%s[%d]: block type %q", a.Ref, i, b.Type)
			}
			if b.Type != "paragraph" && len(b.Marks) > 0 {
				t.Errorf("%s[%d]: marks on a %s block", a.Ref, i, b.Type)
			}
		}
		// The body must pass the blocks package's own validation once the
		// loader has filled in the photo ids.
		filled := append([]blocks.Block(nil), a.Body...)
		for i := range filled {
			if filled[i].Type == "photo" {
				filled[i].PhotoID = "photo-placeholder"
			}
		}
		for _, e := range blocks.Validate(filled) {
			t.Errorf("%s: %v", a.Ref, e)
		}
		if photoBlocks != len(a.InlinePhotos) {
			t.Errorf("%s: %d photo blocks but %d inline photos", a.Ref, photoBlocks, len(a.InlinePhotos))
		}

		// Length of gated articles.
		if a.Status == "published" {
			switch a.Access {
			case "subscribers":
				if w := articleWords(a); w < 400 || paragraphs(a) < 5 {
					t.Errorf("%s: subscribers article has %d words / %d paragraphs; want ≥400 / ≥5", a.Ref, w, paragraphs(a))
				}
			case "registered":
				if w := articleWords(a); w < 300 || paragraphs(a) < 5 {
					t.Errorf("%s: registered article has %d words / %d paragraphs; want ≥300 / ≥5", a.Ref, w, paragraphs(a))
				}
			}
		}

		// Comments.
		if len(a.Comments) > 0 && !a.CommentsEnabled {
			t.Errorf("%s: comments on an article with comments disabled", a.Ref)
		}
		cref := map[string]Comment{}
		for _, c := range a.Comments {
			if c.Ref == "" || cref[c.Ref].Ref != "" {
				t.Errorf("%s: empty or duplicate comment ref %q", a.Ref, c.Ref)
			}
			if c.Parent != "" {
				p, ok := cref[c.Parent]
				if !ok {
					t.Errorf("%s: comment %s has unknown (or later) parent %q", a.Ref, c.Ref, c.Parent)
				}
				if c.Status == "pending" {
					sawPendingReply = true
				}
				if gp, ok := cref[p.Parent]; ok && p.Parent != "" && gp.Parent == "" &&
					c.Status == "approved" && p.Status == "approved" && gp.Status == "approved" {
					sawThree = true
				}
			}
			cref[c.Ref] = c
			commentStatuses[c.Status]++
			if c.AuthorName == "" || c.Body == "" || c.AgeMinutes <= 0 {
				t.Errorf("%s: incomplete comment %+v", a.Ref, c)
			}
			if !strings.HasSuffix(c.Email, "@example.com") && !strings.HasSuffix(c.Email, "@example.org") {
				t.Errorf("%s: comment email %q", a.Ref, c.Email)
			}
			if strings.Contains(c.Body, "<script>alert(1)</script>") {
				sawScript = true
			}
			if c.Member {
				sawMember = true
			} else {
				sawGuest = true
			}
		}
	}

	// Counts.
	if statuses["published"] < 8 || statuses["draft"] < 1 || statuses["scheduled"] < 1 {
		t.Errorf("statuses = %v; want ≥8 published, ≥1 draft, ≥1 scheduled", statuses)
	}
	for _, lv := range []string{"public", "registered", "subscribers"} {
		if access[lv] < 3 {
			t.Errorf("only %d published %s articles; want ≥3", access[lv], lv)
		}
	}
	if langs["fr"] == 0 || langs["en"] == 0 {
		t.Errorf("published languages = %v", langs)
	}
	if previewBreaks != 1 {
		t.Errorf("%d published articles with PreviewBreak; want exactly 1", previewBreaks)
	}
	tie := false
	for _, n := range ages {
		tie = tie || n > 1
	}
	if !tie {
		t.Error("no two published articles share AgeHours")
	}

	// Exactly one translation pair, in two languages with different slugs.
	pairs := 0
	for key, as := range byKey {
		if len(as) == 1 {
			if as[0].TranslationKey != as[0].Ref {
				t.Errorf("%s: lone TranslationKey %q should equal Ref", as[0].Ref, key)
			}
			continue
		}
		pairs++
		if len(as) != 2 || as[0].Lang == as[1].Lang || as[0].Slug == as[1].Slug ||
			as[0].Status != "published" || as[1].Status != "published" {
			t.Errorf("translation group %q malformed", key)
		}
	}
	if pairs != 1 {
		t.Errorf("%d translation groups; want exactly 1", pairs)
	}

	// Body variety.
	for _, typ := range []string{"paragraph", "heading", "quote", "list", "photo", "embed"} {
		if blockTypes[typ] == 0 {
			t.Errorf("no %s block in the dataset", typ)
		}
	}
	if !sawH2 || !sawH3 || !sawQuoteCite || !sawOrdered || !sawUnordered {
		t.Errorf("variety: h2=%v h3=%v quote+cite=%v ordered=%v unordered=%v", sawH2, sawH3, sawQuoteCite, sawOrdered, sawUnordered)
	}
	for _, m := range []string{"bold", "italic", "link"} {
		if !markTypes[m] {
			t.Errorf("no %s mark in the dataset", m)
		}
	}

	// Comment variety.
	for _, s := range []string{"approved", "pending", "rejected", "spam"} {
		if commentStatuses[s] == 0 {
			t.Errorf("no %s comment", s)
		}
	}
	if len(commentStatuses) != 4 {
		t.Errorf("comment statuses = %v", commentStatuses)
	}
	if !sawScript || !sawMember || !sawGuest || !sawPendingReply || !sawThree || !sawCommentsOff {
		t.Errorf("comments: script=%v member=%v guest=%v pendingReply=%v threeDeep=%v publishedWithCommentsOff=%v",
			sawScript, sawMember, sawGuest, sawPendingReply, sawThree, sawCommentsOff)
	}
	commented := 0
	for _, a := range d.Articles {
		if len(a.Comments) > 0 {
			commented++
		}
	}
	if commented < 3 {
		t.Errorf("%d articles with comments; want ≥3", commented)
	}

	// The closing line of every gated article appears only there, so tests
	// elsewhere can check it never leaks to readers without access.
	for _, a := range d.Articles {
		if a.Status != "published" || a.Access == "public" {
			continue
		}
		last := a.Body[len(a.Body)-1]
		if last.Type != "paragraph" {
			t.Errorf("%s: last block is %s, want paragraph", a.Ref, last.Type)
			continue
		}
		r := []rune(last.Text)
		tail := string(r[len(r)-40:])
		n := 0
		for _, s := range allTexts {
			n += strings.Count(s, tail)
		}
		for _, o := range d.Articles {
			n += strings.Count(o.Title+o.Standfirst, tail)
		}
		if n != 1 {
			t.Errorf("%s: closing text %q occurs %d times in the dataset; want 1", a.Ref, tail, n)
		}
		if a.PreviewBreak != nil && *a.PreviewBreak >= len(a.Body)-1 {
			t.Errorf("%s: preview break leaves the closing paragraph visible", a.Ref)
		}
	}

	// French typography test case: a subscribers-only French article whose
	// first paragraph is long and uses ’, « » with NBSP, and accents.
	found := false
	for _, a := range d.Articles {
		if a.Lang != "fr" || a.Access != "subscribers" || a.Status != "published" || len(a.Body) == 0 {
			continue
		}
		first := a.Body[0].Text
		if a.Body[0].Type == "paragraph" && blocks.CountWords(first) >= 160 &&
			strings.Count(first, ". ") >= 3 &&
			strings.Contains(first, "’") && strings.Contains(first, "«\u00a0") &&
			strings.Contains(first, "\u00a0»") && strings.ContainsAny(first, "éèêàçÉ") {
			found = true
		}
	}
	if !found {
		t.Error("no French subscribers article with a long, typographically French first paragraph")
	}
}

// TestMarkedOffsetsAreRunes checks that marked counts code points, not bytes.
func TestMarkedOffsetsAreRunes(t *testing.T) {
	t.Parallel()
	b := marked("Écrit «\u00a0à Selanges\u00a0» — enfin.", bold("Selanges"), link("enfin", "https://a.example/"))
	r := []rune(b.Text)
	for _, m := range b.Marks {
		got := string(r[m.Start:m.End])
		want := map[string]string{"bold": "Selanges", "link": "enfin"}[m.Type]
		if got != want {
			t.Errorf("%s mark covers %q, want %q", m.Type, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("marked with a missing substring did not panic")
		}
	}()
	marked("abc", italic("zzz"))
}
