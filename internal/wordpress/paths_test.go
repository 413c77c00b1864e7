package wordpress

import (
	"slices"
	"testing"
)

func TestDecodeSlug(t *testing.T) {
	for in, want := range map[string]string{
		"plain-slug": "plain-slug",
		"%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80": "привет-мир",
		"%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82":                    "привет",
		"caf%c3%a9-2":                                             "café-2",
		"%e6%9d%b1%e4%ba%ac":                                      "東京",
		"100%":                                                    "100%", // stray %
		"50%-off":                                                 "50%-off",
		"%zz":                                                     "%zz",
		"%c3":                                                     "%c3",    // not UTF-8
		"%ff%fe":                                                  "%ff%fe", // not UTF-8
		"a%2fb":                                                   "a%2fb",  // no slash in a slug
		"a%00b":                                                   "a%00b",  // no control character
		"%25":                                                     "%25",
		"%d0%be%d0%b7%d0%b5%d1%80%d0%be-%d0%b7%d0%b0%d0%bc%d1%91%d1%80%d0%b7%d0%bb%d0%be": "озеро-замёрзло",
	} {
		if got := DecodeSlug(in); got != want {
			t.Errorf("DecodeSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/2026/03/slug/":     "/2026/03/slug",
		"/2026/03/slug":      "/2026/03/slug",
		"2026/03/slug":       "/2026/03/slug",
		"/2026//03/./slug/":  "/2026/03/slug",
		"/a/../b/":           "/b",
		"/../../etc/passwd":  "/etc/passwd",
		"/2026/03/Slug-Case": "/2026/03/slug-case",
		"/2026/01/%d0%be%d0%b7%d0%b5%d1%80%d0%be-%d0%b7%d0%b0%d0%bc%d1%91%d1%80%d0%b7%d0%bb%d0%be/": "/2026/01/озеро-замёрзло",
		"/2026/01/%D0%9E%D0%B7%D0%B5%D1%80%D0%BE/":                                                  "/2026/01/озеро",
		"/2026/01/Озеро/": "/2026/01/озеро",
		"/a%2Fb/":         "/a%2Fb",
		"/a%2fb":          "/a%2Fb",
		"/100%/":          "/100%25",
		"/bad%ffbyte":     "/bad%FFbyte",
		"/tab%09":         "/tab%09",
		"/a%20b":          "/a%20b",
		"/00%20":          "/00%20",
		"/x%C2%A0":        "/x\u00a0",
		"https://courrier-du-lac.example/2026/03/slug/?utm_source=x#comments": "/2026/03/slug",
		"http://www.example.org":       "/",
		"/?p=101":                      "/?p=101",
		"/?p=0101&utm_medium=rss":      "/?p=101",
		"/index.php?p=7":               "/?p=7",
		"/index.php":                   "/",
		"/?page_id=7&p=3":              "/?p=3&page_id=7",
		"/?attachment_id=201":          "/?attachment_id=201",
		"/?cat=3":                      "/?cat=3",
		"/?tag=R%C3%A9gates":           "/?tag=régates",
		"/?tag=a%26b":                  "/?tag=a%26b",
		"/?p=abc":                      "/",
		"/?p=0":                        "/",
		"/?s=search+term":              "/",
		"/category/actualites/region/": "/category/actualites/region",
		"":                             "/",
		"/":                            "/",
		"  /x/  ":                      "/x",
	} {
		got := CanonicalPath(in)
		if got != want {
			t.Errorf("CanonicalPath(%q) = %q, want %q", in, got, want)
		}
		if again := CanonicalPath(got); again != got {
			t.Errorf("CanonicalPath is not idempotent on %q: %q then %q", in, got, again)
		}
	}
}

func TestPermalinks(t *testing.T) {
	site, byID, _ := lakeside(t)
	const structure = "/%year%/%monthnum%/%postname%/"
	for id, want := range map[int64][]string{
		101: {"/2026/03/regates-du-printemps/", "/?p=101"},
		102: {"/en/2026/03/spring-regattas-return/", "/2026/03/spring-regattas-return/", "/?p=102"},
		103: {"/2026/01/озеро-замёрзло/", "/?p=103"},
		104: nil, // draft
		105: nil, // scheduled
		106: nil, // private
		107: {"/a-propos/", "/?p=107", "/?page_id=107"},
		108: nil, // menu item
		110: {"/2019/06/fete-du-lac-2019/", "/?p=110"},
		111: nil, // pending
		201: {"/2026/03/regates-du-printemps/regates-2026/", "/?p=201", "/?attachment_id=201"},
		202: {"/?attachment_id=202", "/?p=202"},
	} {
		if got := Permalinks(site, byID[id], structure); !slices.Equal(got, want) {
			t.Errorf("Permalinks(%d) = %q, want %q", id, got, want)
		}
	}
	// Without a structure, only what the export shows.
	if got := Permalinks(site, byID[102], ""); !slices.Equal(got, []string{"/en/2026/03/spring-regattas-return/", "/?p=102"}) {
		t.Errorf("Permalinks(102, no structure) = %q", got)
	}
	// Every structure tag, with the post's local date, and a category path.
	it := byID[101]
	got := Permalinks(site, it, "/%category%/%year%-%monthnum%-%day%T%hour%:%minute%:%second%/%post_id%-%postname%.html")
	if want := "/actualites/region/2026-03-14T09:30:00/101-regates-du-printemps.html"; len(got) < 2 || got[1] != want {
		t.Errorf("expanded structure = %q, want %q second", got, want)
	}
	// A site under a subfolder, and a link on another host.
	sub := Site{Link: "https://journal.example/news/"}
	post := Item{ID: 9, Type: "post", Status: "publish", Link: "https://journal.example/news/2026/03/x/"}
	if got := Permalinks(sub, post, ""); !slices.Equal(got, []string{"/2026/03/x/", "/?p=9"}) {
		t.Errorf("subfolder site: %q", got)
	}
	post.Link = "https://fr.journal.example/2026/03/x/"
	if got := Permalinks(sub, post, ""); !slices.Equal(got, []string{"/2026/03/x/", "/?p=9"}) {
		t.Errorf("other host: %q", got)
	}
	post.Link = "https://journal.example/newsroom/x/"
	if got := Permalinks(sub, post, ""); got[0] != "/newsroom/x/" {
		t.Errorf("path that only shares a prefix with the home: %q", got)
	}
	post.Link = "https://journal.example/news/"
	if got := Permalinks(sub, post, ""); !slices.Equal(got, []string{"/?p=9"}) {
		t.Errorf("a link to the home page is no permalink: %q", got)
	}
	if got := Permalinks(site, Item{Type: "post", Status: "publish"}, ""); got != nil {
		t.Errorf("item without id: %q", got)
	}
}

func TestTermPermalinks(t *testing.T) {
	site, _, _ := lakeside(t)
	cat := func(slug string) Term {
		for _, c := range site.Categories {
			if c.Slug == slug {
				return c
			}
		}
		t.Fatalf("no category %q", slug)
		return Term{}
	}
	for _, tc := range []struct {
		term Term
		base string
		want []string
	}{
		{cat("region"), "", []string{"/category/actualites/region/", "/?cat=3"}},
		{cat("voile"), "/rubrique/", []string{"/rubrique/sport/voile/", "/?cat=7"}},
		{cat("русский"), "", []string{"/category/русский/", "/?cat=6"}},
		{site.Tags[1], "", []string{"/tag/regates/", "/?tag=regates"}},
		{site.Tags[1], "mot-cle", []string{"/mot-cle/regates/", "/?tag=regates"}},
		{site.Terms[0], "", nil}, // a Polylang language
		{Term{Taxonomy: "category"}, "", nil},
	} {
		if got := TermPermalinks(site, tc.term, tc.base); !slices.Equal(got, tc.want) {
			t.Errorf("TermPermalinks(%s %q, %q) = %q, want %q", tc.term.Taxonomy, tc.term.Slug, tc.base, got, tc.want)
		}
	}
	// A parent loop ends.
	loop := Site{Categories: []Term{{Slug: "a", Parent: "b", Taxonomy: "category"}, {Slug: "b", Parent: "a", Taxonomy: "category"}}}
	if got := TermPermalinks(loop, loop.Categories[0], ""); got[0] != "/category/b/a/" {
		t.Errorf("loop: %q", got)
	}
	// What Permalinks gives resolves to the same key as what a browser sends.
	if CanonicalPath("/category/actualites/region/") != CanonicalPath("https://courrier-du-lac.example/category/actualites/region?utm=1") {
		t.Error("canonical forms differ")
	}
}
