package wordpress

import (
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"masthead/internal/xmlchar"
)

// readAll reads a whole export, failing the test on any error.
func readAll(t testing.TB, r io.Reader, lim Limits) (Site, []Item) {
	t.Helper()
	rd := NewReader(r, lim)
	site, err := rd.Site()
	if err != nil {
		t.Fatalf("Site: %v", err)
	}
	var items []Item
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next after %d items: %v", len(items), err)
		}
		items = append(items, it)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after the end = %v, want io.EOF again", err)
	}
	return site, items
}

func lakeside(t *testing.T) (Site, map[int64]Item, []Item) {
	t.Helper()
	f, err := os.Open("testdata/lakeside.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	site, items := readAll(t, f, Limits{})
	byID := map[int64]Item{}
	for _, it := range items {
		byID[it.ID] = it
	}
	return site, byID, items
}

func utc(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReaderSite(t *testing.T) {
	site, _, _ := lakeside(t)
	if site.Title != "Le Courrier du Lac" || site.Link != "https://courrier-du-lac.example" ||
		site.Language != "fr-FR" || site.WXRVersion != "1.2" || site.Description != "L'actualité du lac et de ses villages" ||
		site.BaseSiteURL != "https://courrier-du-lac.example" || site.Generator != "https://wordpress.org/?v=6.7.1" {
		t.Errorf("channel = %+v", site)
	}
	if len(site.Authors) != 3 || site.Authors[2] != (Author{ID: 3, Login: "ivolkova", Email: "irina.volkova@courrier-du-lac.example",
		DisplayName: "Ирина Волкова", FirstName: "Ирина", LastName: "Волкова"}) {
		t.Errorf("authors = %+v", site.Authors)
	}
	var cats []string
	for _, c := range site.Categories {
		cats = append(cats, c.Slug+"<"+c.Parent)
	}
	if want := []string{"actualites<", "region<actualites", "sport<", "news<", "русский<", "voile<sport"}; !slices.Equal(cats, want) {
		t.Errorf("categories (slug<parent) = %q, want %q", cats, want)
	}
	if c := site.Categories[0]; c.ID != 2 || c.Name != "Actualités" || c.Description != "Toute l’actualité" || c.Taxonomy != "category" {
		t.Errorf("first category = %+v", c)
	}
	if v, ok := site.Categories[5].Meta.Get("color"); !ok || v != "#1e6fa8" {
		t.Errorf("term meta color = %q, %v", v, ok)
	}
	if len(site.Tags) != 3 || !reflect.DeepEqual(site.Tags[1], Term{ID: 21, Taxonomy: "post_tag", Slug: "regates", Name: "Régates"}) {
		t.Errorf("tags = %+v", site.Tags)
	}
	var terms []string
	for _, tm := range site.Terms {
		terms = append(terms, tm.Taxonomy+":"+tm.Slug)
	}
	want := []string{"language:fr", "language:en", "term_language:pll_fr", "post_translations:pll_6612ab3c4d5e6",
		"term_translations:pll_6612cd7e8f901", "post_translations:pll_broken", "nav_menu:menu-principal"}
	if !slices.Equal(terms, want) {
		t.Errorf("terms = %q, want %q", terms, want)
	}
}

func TestReaderItems(t *testing.T) {
	_, byID, items := lakeside(t)
	var order []int64
	for _, it := range items {
		order = append(order, it.ID)
	}
	if want := []int64{201, 202, 203, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111}; !slices.Equal(order, want) {
		t.Fatalf("item ids = %v, want %v", order, want)
	}

	post := byID[101]
	if post.Type != "post" || post.Status != "publish" || post.Title != "Les régates du printemps reviennent sur le lac" ||
		post.Creator != "mdubois" || post.Name != "regates-du-printemps" || !post.Sticky ||
		post.Link != "https://courrier-du-lac.example/2026/03/regates-du-printemps/" ||
		post.GUID != "https://courrier-du-lac.example/?p=101" || post.CommentStatus != "open" ||
		post.Excerpt != "Après deux ans d’absence, les voiliers retrouvent le lac." {
		t.Errorf("post 101 = %+v", post)
	}
	if !post.Date.Equal(utc("2026-03-14 08:30:00")) || !post.LocalDate.Equal(utc("2026-03-14 09:30:00")) ||
		!post.Modified.Equal(utc("2026-03-15 09:00:00")) || post.Date.Location() != time.UTC {
		t.Errorf("post 101 dates = %v / %v / %v", post.Date, post.LocalDate, post.Modified)
	}
	if !strings.HasPrefix(post.Content, "Après deux ans d’absence") || !strings.Contains(post.Content, "[caption id=\"attachment_201\"") {
		t.Errorf("post 101 content = %.80q…", post.Content)
	}
	wantTerms := []TermRef{
		{"category", "region", "Région"}, {"category", "voile", "Voile"}, {"post_tag", "lac", "Lac"},
		{"post_tag", "regates", "Régates"}, {"language", "fr", "Français"},
		{"post_translations", "pll_6612ab3c4d5e6", "pll_6612ab3c4d5e6"},
	}
	if !reflect.DeepEqual(post.Terms, wantTerms) {
		t.Errorf("post 101 terms = %+v", post.Terms)
	}
	if got := post.TermsOf("post_tag"); len(got) != 2 || got[1].Slug != "regates" {
		t.Errorf("TermsOf(post_tag) = %+v", got)
	}
	if post.Language() != "fr" || post.TranslationGroup() != "pll_6612ab3c4d5e6" {
		t.Errorf("Polylang of 101 = %q %q", post.Language(), post.TranslationGroup())
	}
	if v, ok := post.Meta.Get("_thumbnail_id"); !ok || v != "201" {
		t.Errorf("_thumbnail_id = %q %v", v, ok)
	}
	if _, ok := post.Meta.Get("_nothing"); ok {
		t.Error("Meta.Get found a key that is not there")
	}

	// Comments: threading, every status and type, a missing GMT date.
	type cm struct {
		id, parent int64
		approved   string
		typ        string
	}
	var got []cm
	for _, c := range post.Comments {
		got = append(got, cm{c.ID, c.Parent, c.Approved, c.Type})
	}
	wantC := []cm{{1001, 0, "1", "comment"}, {1002, 1001, "1", "comment"}, {1003, 0, "1", "pingback"},
		{1004, 0, "1", "trackback"}, {1005, 0, "spam", "comment"}, {1006, 0, "trash", "comment"},
		{1007, 1002, "0", "comment"}, {1008, 999, "1", "comment"}}
	if !slices.Equal(got, wantC) {
		t.Errorf("comments = %+v", got)
	}
	c := post.Comments[0]
	if c.Author != "Jeanne Martin" || c.Email != "jeanne@lecteurs.example" || c.URL != "https://jeanne.example/?a=1&b=2" ||
		c.IP != "192.0.2.10" || !c.Date.Equal(utc("2026-03-14 09:02:00")) ||
		c.Content != "Enfin ! Nous serons au port samedi.\nAvec les enfants." {
		t.Errorf("first comment = %+v", c)
	}
	if v, _ := c.Meta.Get("akismet_result"); v != "false" {
		t.Errorf("comment meta = %+v", c.Meta)
	}
	if post.Comments[1].UserID != 1 {
		t.Errorf("a member's comment has user id %d", post.Comments[1].UserID)
	}
	if d := post.Comments[7].Date; !d.Equal(utc("2026-03-14 13:30:00")) {
		t.Errorf("comment with a zero GMT date has date %v, want its local date", d)
	}

	att := byID[201]
	if att.Type != "attachment" || att.Status != "inherit" || att.Parent != 101 ||
		att.AttachmentURL != "https://courrier-du-lac.example/wp-content/uploads/2026/03/regates-2026.jpg" ||
		att.Excerpt != "Les voiliers au départ de la première manche." {
		t.Errorf("attachment 201 = %+v", att)
	}
	for key, want := range map[string]string{
		"_wp_attached_file": "2026/03/regates-2026.jpg", "_wp_attachment_image_alt": "Une vingtaine de voiliers sur le lac",
		"_media_credit": "Photo : Club nautique du Lac",
	} {
		if v, _ := att.Meta.Get(key); v != want {
			t.Errorf("attachment meta %s = %q, want %q", key, v, want)
		}
	}

	ru := byID[103]
	if ru.Name != "озеро-замёрзло" || ru.Terms[0].Slug != "русский" || ru.Title != "Озеро замёрзло впервые за десять лет" {
		t.Errorf("Russian post: name %q, category %q, title %q", ru.Name, ru.Terms[0].Slug, ru.Title)
	}

	draft := byID[104]
	if draft.Status != "draft" || !draft.Date.IsZero() || draft.Name != "" || len(draft.Notes) != 0 ||
		!draft.LocalDate.Equal(utc("2026-03-20 11:02:00")) {
		t.Errorf("draft = status %q date %v name %q notes %q", draft.Status, draft.Date, draft.Name, draft.Notes)
	}
	if fut := byID[105]; fut.Status != "future" || !fut.Date.Equal(utc("2026-04-02 06:00:00")) {
		t.Errorf("future post = %q %v", fut.Status, fut.Date)
	}
	if priv := byID[106]; priv.Status != "private" || !strings.Contains(priv.Content, "a[b[0]]> c") {
		t.Errorf("private post = %q %q (a ]]> split across CDATA sections must read back whole)", priv.Status, priv.Content)
	}
	if page := byID[107]; page.Type != "page" || page.MenuOrder != 2 || page.Name != "a-propos" || page.CommentStatus != "closed" {
		t.Errorf("page = %+v", page)
	}
	if nav := byID[108]; nav.Type != "nav_menu_item" || nav.Terms[0].Domain != "nav_menu" {
		t.Errorf("menu item = %+v", nav)
	}
	old := byID[110]
	if !old.Date.Equal(utc("2019-06-01 12:00:00")) || len(old.Notes) != 1 || !strings.Contains(old.Notes[0], "post_date_gmt is zero") {
		t.Errorf("published post without a GMT date: date %v, notes %q", old.Date, old.Notes)
	}
	if pend := byID[111]; pend.Status != "pending" || !pend.Date.IsZero() || len(pend.Notes) != 0 {
		t.Errorf("pending post = %q %v %q", pend.Status, pend.Date, pend.Notes)
	}

	// The hostile post's control characters and invalid byte were cleaned
	// on the way in, and every text is clean.
	hostile := byID[109].Content
	if !strings.Contains(hostile, "Tabulation verticale, contrôle et octet \uFFFD invalide.") {
		t.Errorf("hostile content not cleaned as expected: %q", hostile)
	}
	for _, it := range items {
		for _, s := range []string{it.Title, it.Content, it.Excerpt, it.Name, it.Link} {
			if !xmlchar.Valid(s) || !utf8.ValidString(s) {
				t.Errorf("item %d has unclean text %q", it.ID, s)
			}
		}
		if it.Line <= 0 {
			t.Errorf("item %d has no line", it.ID)
		}
	}
	if byID[201].Line != 136 {
		t.Errorf("first item line = %d, want 136", byID[201].Line)
	}
}

// TestReaderNextWithoutSite checks that Next reads the header itself.
func TestReaderNextWithoutSite(t *testing.T) {
	f, err := os.Open("testdata/lakeside.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := NewReader(f, Limits{})
	it, err := rd.Next()
	if err != nil || it.ID != 201 {
		t.Fatalf("first Next = %d, %v", it.ID, err)
	}
	site, err := rd.Site()
	if err != nil || site.Title != "Le Courrier du Lac" {
		t.Fatalf("Site after Next = %q, %v", site.Title, err)
	}
}

// wxr wraps items in a minimal valid export.
func wxr(items string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>T</title><link>https://t.example</link><wp:wxr_version>1.2</wp:wxr_version>
` + items + `
</channel>
</rss>
`
}

func TestReaderOddValues(t *testing.T) {
	_, items := readAll(t, strings.NewReader(wxr(`
<item><title>  Spaced   </title><wp:post_id>x1</wp:post_id><wp:post_parent>-4</wp:post_parent><wp:menu_order>two</wp:menu_order>
<wp:post_date_gmt>yesterday</wp:post_date_gmt><wp:status>publish</wp:status>
<unknown:thing xmlns:unknown="urn:x"><deep><deeper>ignored</deeper></deep></unknown:thing>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_date_gmt>soon</wp:comment_date_gmt><wp:comment_parent>no</wp:comment_parent></wp:comment>
<category>Old-style</category>
<content:encoded>a &nbsp;&amp;&#233; b</content:encoded>
</item>`)), Limits{})
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	it := items[0]
	if it.ID != 0 || it.Parent != 0 || it.MenuOrder != 0 || !it.Date.IsZero() || it.Title != "Spaced" {
		t.Errorf("odd item = %+v", it)
	}
	if len(it.Notes) != 6 {
		t.Errorf("notes = %q, want 6 (id, parent, menu order, date, comment parent, comment date)", it.Notes)
	}
	if it.Content != "a \u00a0&é b" {
		t.Errorf("entities outside CDATA: %q", it.Content)
	}
	if len(it.Terms) != 1 || it.Terms[0] != (TermRef{Domain: "category", Name: "Old-style"}) {
		t.Errorf("terms = %+v", it.Terms)
	}
}

func TestReaderOtherVersionsAndPrefixes(t *testing.T) {
	// WXR 1.0 namespaces, and a file that forgot to declare its prefixes.
	for _, doc := range []string{
		`<rss xmlns:wp="http://wordpress.org/export/1.0/" xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/"><channel>
<wp:wxr_version>1.0</wp:wxr_version><item><wp:post_id>5</wp:post_id><excerpt:encoded>ex</excerpt:encoded></item></channel></rss>`,
		`<rss><channel><wp:wxr_version>1.1</wp:wxr_version><item><wp:post_id>5</wp:post_id><excerpt:encoded>ex</excerpt:encoded></item></channel></rss>`,
	} {
		_, items := readAll(t, strings.NewReader(doc), Limits{})
		if len(items) != 1 || items[0].ID != 5 || items[0].Excerpt != "ex" {
			t.Errorf("items = %+v", items)
		}
	}
}

func TestReaderEncodings(t *testing.T) {
	// A byte order mark, and a Latin-1 export (WordPress writes the blog's
	// charset in the declaration).
	latin := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>Caf\xe9</title>" +
		"<wp:wxr_version>1.2</wp:wxr_version><item><title>\xc0 la une</title><wp:post_id>1</wp:post_id></item></channel></rss>"
	site, items := readAll(t, strings.NewReader(latin), Limits{})
	if site.Title != "Café" || len(items) != 1 || items[0].Title != "À la une" {
		t.Errorf("Latin-1: %q %+v", site.Title, items)
	}
	bom := "\xEF\xBB\xBF" + wxr(`<item><wp:post_id>3</wp:post_id></item>`)
	if _, items := readAll(t, strings.NewReader(bom), Limits{}); len(items) != 1 || items[0].ID != 3 {
		t.Errorf("BOM: %+v", items)
	}
	_, err := NewReader(strings.NewReader(`<?xml version="1.0" encoding="x-klingon"?><rss/>`), Limits{}).Site()
	if !errors.Is(err, ErrNotWXR) || !strings.Contains(err.Error(), "x-klingon") {
		t.Errorf("unknown encoding: %v", err)
	}
}
