package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/content"
)

// Every feed is read back with gofeed, a real parser used by feed readers,
// and its fields compared with what the database holds.

var feedFormats = []struct{ ext, mime, kind, version string }{
	{"rss", "application/rss+xml; charset=utf-8", "rss", "2.0"},
	{"atom", "application/atom+xml; charset=utf-8", "atom", "1.0"},
	{"json", "application/feed+json; charset=utf-8", "json", "https://jsonfeed.org/version/1.1"},
}

// feedScopes are the feeds checked, each with the /v1/articles filter that
// selects the same articles (the list is the reference for what is live
// and in which order).
var feedScopes = []struct{ path, list string }{
	{"/v1/feeds/latest", ""},
	{"/v1/feeds/section/politique", "section=politique"}, // with its sub-section diplomatie
	{"/v1/feeds/section/diplomatie", "section=diplomatie"},
	{"/v1/feeds/section/societe", "section=societe"},
	{"/v1/feeds/section/culture", "section=culture"},
	{"/v1/feeds/tag/eau", "tag=eau"},
	{"/v1/feeds/tag/transports", "tag=transports"},
	{"/v1/feeds/lang/fr", "lang=fr"},
	{"/v1/feeds/lang/en", "lang=en"},
	{"/v1/feeds/section/politique?lang=en", "section=politique&lang=en"},
}

const guidPrefix = "urn:masthead:article:"

// wantItem is what the database says a feed item must show.
type wantItem struct {
	id, slug, title, standfirst, lang, access string
	previewHTML, bodyHTML                     string
	previewText, bodyText                     string
	truncated                                 bool
	published, updated                        time.Time
	authors, categories                       []string
	photoURL, photoType                       string
	caption, credit, alt                      string
	width, height                             int
}

// wantItems reads every live demo article from the content service.
func wantItems(t *testing.T, a *apitest.App) map[string]wantItem {
	t.Helper()
	ctx := context.Background()
	out := map[string]wantItem{}
	for _, ref := range liveRefs {
		art, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: a.Article(ref).ID})
		if err != nil {
			t.Fatal(err)
		}
		w := wantItem{
			id: art.ID, slug: art.Slug, title: art.Title, standfirst: art.Standfirst, lang: art.Lang, access: string(art.Access),
			previewHTML: art.Preview.HTML, bodyHTML: art.Body.HTML, previewText: art.Preview.Text, bodyText: art.Body.Text,
			truncated: art.Truncated, published: *art.PublishedAt, updated: art.UpdatedAt,
		}
		if w.published.After(w.updated) {
			w.updated = w.published
		}
		for _, au := range art.Authors {
			w.authors = append(w.authors, au.Name)
		}
		path, err := a.Content.Breadcrumb(ctx, art.SectionID)
		if err != nil || len(path) == 0 {
			t.Fatalf("%s: section: %v", ref, err)
		}
		w.categories = append(w.categories, path[len(path)-1].Name(art.Lang))
		for _, tg := range art.Tags {
			w.categories = append(w.categories, tg.Name)
		}
		ph, err := a.Content.Photo(ctx, art.PhotoID)
		if err != nil {
			t.Fatalf("%s: photo: %v", ref, err)
		}
		last := ph.Renditions[len(ph.Renditions)-1]
		w.photoURL, w.photoType = a.URL+"/media/"+last.Path, ph.Mime
		w.width, w.height = last.Width, last.Height
		w.caption, w.credit, w.alt = ph.Caption, ph.Credit, ph.Alt
		out[art.ID] = w
	}
	return out
}

// listIDs is the order /v1/articles gives, with the same filter.
func listIDs(t *testing.T, a *apitest.App, filter string) []string {
	t.Helper()
	r := a.Get("/v1/articles?limit=100&"+filter, "")
	mustStatus(t, r, http.StatusOK, "list "+filter)
	var page summaryPage
	r.JSON(t, &page)
	ids := make([]string, 0, len(page.Data))
	for _, s := range page.Data {
		ids = append(ids, s.ID)
	}
	return ids
}

// getFeed fetches and parses a feed, checking the HTTP envelope.
func getFeed(t *testing.T, a *apitest.App, path, token string) (apitest.Response, *gofeed.Feed) {
	t.Helper()
	r := a.Get(path, token)
	mustStatus(t, r, http.StatusOK, path)
	return r, parseFeed(t, path, r.Body)
}

func parseFeed(t *testing.T, what string, b []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: gofeed cannot parse it: %v\n%.1500s", what, err, b)
	}
	return f
}

func withQuery(path, q string) string {
	if q == "" {
		return path
	}
	if strings.Contains(path, "?") {
		return path + "&" + q
	}
	return path + "?" + q
}

// feedPath is scope.path with the format's extension before any query.
func feedPath(scope, ext string) string {
	p, q, _ := strings.Cut(scope, "?")
	return withQuery(p+"."+ext, q)
}

// jsonFeedRaw is what gofeed's universal item leaves out of a JSON Feed.
type jsonFeedRaw struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	Items    []struct {
		ID          string `json:"id"`
		Language    string `json:"language"`
		Image       string `json:"image"`
		Attachments []struct {
			URL      string `json:"url"`
			MimeType string `json:"mime_type"`
			Title    string `json:"title"`
		} `json:"attachments"`
		Ext struct {
			Photo struct {
				URL     string `json:"url"`
				Width   int    `json:"width"`
				Height  int    `json:"height"`
				Caption string `json:"caption"`
				Credit  string `json:"credit"`
				Alt     string `json:"alt"`
			} `json:"photo"`
		} `json:"_masthead"`
	} `json:"items"`
}

// atomRaw is what gofeed leaves out of an Atom feed: xml:lang and the
// presence of <published> (gofeed falls back to <updated> without it).
type atomRaw struct {
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Entries []struct {
		Lang      string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string `xml:"id"`
		Published string `xml:"published"`
	} `xml:"entry"`
}

func TestFeedFields(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	want := wantItems(t, a)
	full := a.Token(access.RolePartner, access.ScopeFullText)
	checkedPhoto := false
	for _, scope := range feedScopes {
		_, listFilter, _ := strings.Cut(scope.path, "?")
		wantIDs := listIDs(t, a, strings.Trim(scope.list+"&"+listFilter, "&"))
		if len(wantIDs) == 0 {
			t.Fatalf("%s selects no article: pick another scope", scope.path)
		}
		for _, ff := range feedFormats {
			for _, who := range []string{"anonymous", "partner-full_text"} {
				tok := ""
				if who != "anonymous" {
					tok = full
				}
				path := feedPath(scope.path, ff.ext)
				t.Run(strings.TrimPrefix(path, "/v1/feeds/")+"/"+who, func(t *testing.T) {
					r, f := getFeed(t, a, path, tok)
					if got := r.Header.Get("Content-Type"); got != ff.mime {
						t.Errorf("Content-Type %q, want %q", got, ff.mime)
					}
					if f.FeedType != ff.kind || f.FeedVersion != ff.version {
						t.Errorf("gofeed reads %s %s, want %s %s", f.FeedType, f.FeedVersion, ff.kind, ff.version)
					}
					if !strings.Contains(f.Title, "publisher.example") || f.Link != "https://publisher.example" {
						t.Errorf("feed title %q, link %q", f.Title, f.Link)
					}
					self := a.URL + path
					if f.FeedLink != self {
						t.Errorf("self link %q, want %q", f.FeedLink, self)
					}
					if strings.HasPrefix(scope.path, "/v1/feeds/lang/") && ff.kind != "atom" && f.Language != scope.path[len(scope.path)-2:] {
						t.Errorf("feed language %q", f.Language)
					}
					var ids []string
					for _, it := range f.Items {
						ids = append(ids, strings.TrimPrefix(it.GUID, guidPrefix))
					}
					// Newest first, exactly the live articles of the scope:
					// no draft, no scheduled article before its time.
					if !slices.Equal(ids, wantIDs) {
						t.Fatalf("items %v, want %v (the list's order)", ids, wantIDs)
					}
					for _, bad := range []string{draftTitle, scheduledTitle, a.Article(draftRef).ID, a.Article(scheduledRef).ID} {
						if bytes.Contains(r.Body, []byte(bad)) {
							t.Errorf("the feed carries %q", bad)
						}
					}
					var jraw jsonFeedRaw
					var araw atomRaw
					switch ff.kind {
					case "json":
						if err := json.Unmarshal(r.Body, &jraw); err != nil {
							t.Fatal(err)
						}
						if jraw.Version != "https://jsonfeed.org/version/1.1" {
							t.Errorf("JSON Feed version %q", jraw.Version)
						}
					case "atom":
						if err := xml.Unmarshal(r.Body, &araw); err != nil {
							t.Fatal(err)
						}
						if strings.HasPrefix(scope.path, "/v1/feeds/lang/") && araw.Lang != scope.path[len(scope.path)-2:] {
							t.Errorf("atom xml:lang %q", araw.Lang)
						}
					}
					var prev time.Time
					for i, it := range f.Items {
						w := want[ids[i]]
						checkFeedItem(t, ff.kind, it, w, who != "anonymous")
						if it.PublishedParsed != nil {
							if i > 0 && it.PublishedParsed.After(prev) {
								t.Errorf("item %d published after the one before it", i)
							}
							prev = *it.PublishedParsed
						}
						switch ff.kind {
						case "json":
							ji := jraw.Items[i]
							if ji.Language != w.lang || ji.Image != w.photoURL ||
								len(ji.Attachments) != 1 || ji.Attachments[0].URL != w.photoURL || ji.Attachments[0].MimeType != w.photoType ||
								ji.Ext.Photo.Credit != w.credit || ji.Ext.Photo.Caption != w.caption || ji.Ext.Photo.Alt != w.alt ||
								ji.Ext.Photo.Width != w.width || ji.Ext.Photo.Height != w.height {
								t.Errorf("%s: JSON language, image, attachment or photo extension wrong: %+v", w.slug, ji)
							}
						case "atom":
							e := araw.Entries[i]
							if e.Lang != w.lang {
								t.Errorf("%s: entry xml:lang %q", w.slug, e.Lang)
							}
							if e.Published != w.published.UTC().Format(time.RFC3339) {
								t.Errorf("%s: <published> %q", w.slug, e.Published)
							}
						}
					}
					if !checkedPhoto && len(f.Items) > 0 && len(f.Items[0].Enclosures) > 0 {
						// The enclosure is a URL a feed reader can fetch.
						checkedPhoto = true
						img := f.Items[0].Enclosures[0].URL
						res, err := a.Client.Get(img)
						if err != nil {
							t.Fatal(err)
						}
						res.Body.Close()
						if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
							t.Errorf("GET %s: %d %s", img, res.StatusCode, res.Header.Get("Content-Type"))
						}
					}
				})
			}
		}
	}
}

// checkFeedItem compares one parsed item with the database.
func checkFeedItem(t *testing.T, kind string, it *gofeed.Item, w wantItem, fullText bool) {
	t.Helper()
	if it.Title != w.title {
		t.Errorf("%s: title %q", w.slug, it.Title)
	}
	if link := "https://publisher.example/" + w.lang + "/" + w.slug; it.Link != link {
		t.Errorf("%s: link %q, want %q", w.slug, it.Link, link)
	}
	summary := it.Description
	if kind == "rss" {
		summary = html.UnescapeString(summary) // RSS descriptions are HTML
	}
	if summary != w.standfirst {
		t.Errorf("%s: summary %q, want the standfirst %q", w.slug, summary, w.standfirst)
	}
	// RSS and Atom dates have whole seconds.
	sec := func(tm time.Time) time.Time { return tm.UTC().Truncate(time.Second) }
	if it.PublishedParsed == nil || !sec(*it.PublishedParsed).Equal(sec(w.published)) {
		t.Errorf("%s: published %v, want %v", w.slug, it.PublishedParsed, w.published)
	}
	if it.UpdatedParsed == nil || !sec(*it.UpdatedParsed).Equal(sec(w.updated)) {
		t.Errorf("%s: updated %v, want %v", w.slug, it.UpdatedParsed, w.updated)
	}
	if w.updated.Sub(w.published) < time.Second {
		t.Fatalf("%s: published and updated are the same second: the dataset cannot tell them apart", w.slug)
	}
	var authors []string
	if kind == "rss" {
		if it.DublinCoreExt != nil {
			authors = it.DublinCoreExt.Creator
		}
	} else {
		for _, p := range it.Authors {
			authors = append(authors, p.Name)
		}
	}
	if !slices.Equal(authors, w.authors) || len(authors) == 0 {
		t.Errorf("%s: authors %q, want %q", w.slug, authors, w.authors)
	}
	if !slices.Equal(it.Categories, w.categories) {
		t.Errorf("%s: categories %q, want %q (section, then tags)", w.slug, it.Categories, w.categories)
	}
	wantHTML := w.previewHTML
	if fullText {
		wantHTML = w.bodyHTML
	}
	if it.Content != wantHTML {
		t.Errorf("%s: content is not the stored %s HTML:\n%.300s\nwant\n%.300s", w.slug, map[bool]string{true: "body", false: "preview"}[fullText], it.Content, wantHTML)
	}
	if len(it.Enclosures) != 1 || it.Enclosures[0].URL != w.photoURL || it.Enclosures[0].Type != w.photoType {
		t.Errorf("%s: enclosures %+v, want %s", w.slug, it.Enclosures, w.photoURL)
	}
	// gofeed takes an item image from media:content in RSS and from
	// "image" in JSON Feed; in Atom it has none to take it from.
	if kind != "atom" && (it.Image == nil || it.Image.URL != w.photoURL) {
		t.Errorf("%s: image %+v", w.slug, it.Image)
	}
	if kind == "json" {
		return // checked on the raw JSON
	}
	if kind == "rss" {
		if it.DublinCoreExt == nil || !slices.Equal(it.DublinCoreExt.Language, []string{w.lang}) {
			t.Errorf("%s: dc:language %+v", w.slug, it.DublinCoreExt)
		}
	}
	media := it.Extensions["media"]["content"]
	if len(media) != 1 {
		t.Fatalf("%s: media:content %+v", w.slug, it.Extensions["media"])
	}
	m := media[0]
	if m.Attrs["url"] != w.photoURL || m.Attrs["medium"] != "image" || m.Attrs["type"] != w.photoType {
		t.Errorf("%s: media:content attributes %v", w.slug, m.Attrs)
	}
	child := func(name string) string {
		if cs := m.Children[name]; len(cs) == 1 {
			return cs[0].Value
		}
		return ""
	}
	if child("credit") != w.credit || child("description") != w.caption || w.credit == "" {
		t.Errorf("%s: media credit %q, caption %q; want %q, %q", w.slug, child("credit"), child("description"), w.credit, w.caption)
	}
}

// feedText is everything a reader of a feed can read: the raw bytes and,
// item by item, the parsed text fields, HTML-unescaped with tags removed.
func feedText(t *testing.T, b []byte) string {
	t.Helper()
	f := parseFeed(t, "feed", b)
	parts := []string{string(b)}
	for _, it := range f.Items {
		for _, s := range []string{it.Title, it.Description, it.Content} {
			parts = append(parts, s, html.UnescapeString(tagRE.ReplaceAllString(s, " ")))
		}
	}
	return normalize(strings.Join(parts, "\n"))
}

func TestFeedPaywall(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	want := wantItems(t, a)

	// Past the preview of every live article whose preview is cut: feeds
	// carry previews only, even of public articles, unless the caller holds
	// a full_text licence (or is staff).
	type secret struct{ slug, text string }
	var secrets []secret
	lastSentences := map[string]string{}
	for ref, s := range registeredLastSentences {
		lastSentences[a.Article(ref).ID] = s
	}
	for ref, s := range subscribersLastSentences {
		lastSentences[a.Article(ref).ID] = s
	}
	cut := 0
	for id, w := range want {
		if !w.truncated {
			if w.access != "public" {
				t.Fatalf("%s: a non-public demo article with an uncut preview", w.slug)
			}
			continue
		}
		cut++
		for _, f := range secretFragments(t, w.bodyText, w.previewText, 6) {
			secrets = append(secrets, secret{w.slug, f})
		}
		if s, ok := lastSentences[id]; ok {
			secrets = append(secrets, secret{w.slug, s})
		}
	}
	if cut < len(registeredRefs)+len(subscribersRefs) {
		t.Fatalf("only %d articles have a cut preview", cut)
	}

	scopes := []string{"/v1/feeds/latest.%s?limit=100", "/v1/feeds/lang/fr.%s", "/v1/feeds/lang/en.%s",
		"/v1/feeds/section/politique.%s", "/v1/feeds/section/societe.%s", "/v1/feeds/tag/equimont.%s?limit=100"}
	var paths []string
	for _, sc := range scopes {
		for _, ff := range feedFormats {
			paths = append(paths, strings.Replace(sc, "%s", ff.ext, 1))
		}
	}
	byName := map[string]caller{}
	for _, c := range callers {
		byName[c.name] = c
	}

	// Licensed callers first: whatever the server remembers of their
	// answers must not reach the others.
	for _, name := range []string{"partner-full_text", "editor", "admin"} {
		tok := byName[name].token(a)
		for _, p := range paths {
			r := a.Get(p, tok)
			mustStatus(t, r, http.StatusOK, name+" "+p)
			if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
				t.Errorf("%s %s: Cache-Control %q for a full-text feed", name, p, cc)
			}
		}
		// The check can fail: the licensed caller reads every last
		// sentence in the feed of everything.
		for _, ff := range feedFormats {
			text := feedText(t, a.Get("/v1/feeds/latest."+ff.ext+"?limit=100", tok).Body)
			for id, s := range lastSentences {
				if !strings.Contains(text, normalize(s)) {
					t.Errorf("%s: %s feed lacks the end of %s: the leak check is blind", name, ff.ext, want[id].slug)
				}
			}
		}
	}
	for _, name := range []string{"anonymous", "reader", "subscriber", "partner-headlines"} {
		tok := byName[name].token(a)
		for _, p := range paths {
			r := a.Get(p, tok)
			mustStatus(t, r, http.StatusOK, name+" "+p)
			text := feedText(t, r.Body)
			for _, s := range secrets {
				if strings.Contains(text, normalize(s.text)) || bytes.Contains(r.Body, []byte(s.text)) {
					t.Errorf("%s %s carries text of %s past its preview: %q", name, p, s.slug, s.text)
				}
			}
			wantCC := "private"
			if name == "anonymous" {
				wantCC = "public"
			}
			if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, wantCC) {
				t.Errorf("%s %s: Cache-Control %q, want %s", name, p, cc, wantCC)
			}
			if !slices.Contains(r.Header.Values("Vary"), "Authorization") {
				t.Errorf("%s %s: Vary %q", name, p, r.Header.Values("Vary"))
			}
			// Item by item: the content is exactly the stored preview.
			for _, it := range parseFeed(t, p, r.Body).Items {
				w := want[strings.TrimPrefix(it.GUID, guidPrefix)]
				if it.Content != w.previewHTML {
					t.Errorf("%s %s: %s content is not its stored preview", name, p, w.slug)
				}
			}
		}
	}
}

func TestFeedChanges(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ctx := context.Background()
	has := func(path, id string) bool {
		_, f := getFeed(t, a, path, "")
		for _, it := range f.Items {
			if it.GUID == guidPrefix+id {
				return true
			}
		}
		return false
	}
	census := a.Article(scheduledRef)
	for _, ff := range feedFormats {
		if has("/v1/feeds/latest."+ff.ext, census.ID) {
			t.Fatalf("%s: the scheduled article is in the feed before its time", ff.ext)
		}
	}

	// An unpublished article leaves every feed at once.
	ferry, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: a.Article("ferry").ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Content.UnpublishArticle(ctx, ferry.ID, ferry.Version, "ed-test"); err != nil {
		t.Fatal(err)
	}
	for _, ff := range feedFormats {
		for _, p := range []string{"/v1/feeds/latest.", "/v1/feeds/lang/en.", "/v1/feeds/tag/transports.", "/v1/feeds/section/economie."} {
			if has(p+ff.ext, ferry.ID) {
				t.Errorf("%s%s still carries the unpublished article", p, ff.ext)
			}
		}
	}

	// The scheduled article appears when its time comes, with no write:
	// the representation cache expires with the clock.
	a.Clock.Advance(72 * time.Hour)
	for _, ff := range feedFormats {
		if !has("/v1/feeds/latest."+ff.ext, census.ID) || !has("/v1/feeds/lang/en."+ff.ext, census.ID) {
			t.Errorf("%s: the scheduled article is not in the feed after its time", ff.ext)
		}
	}
}

func TestFeedConditional(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ctx := context.Background()
	full := a.Token(access.RolePartner, access.ScopeFullText)
	for _, ff := range feedFormats {
		t.Run(ff.ext, func(t *testing.T) {
			path := "/v1/feeds/section/politique." + ff.ext
			r := a.Get(path, "")
			mustStatus(t, r, http.StatusOK, path)
			etag, lastMod := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
			if etag == "" || lastMod == "" {
				t.Fatalf("ETag %q, Last-Modified %q", etag, lastMod)
			}
			lm, err := http.ParseTime(lastMod)
			if err != nil {
				t.Fatal(err)
			}
			// Last-Modified is the latest change of an item.
			var newest time.Time
			for _, id := range listIDs(t, a, "section=politique") {
				art, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: id})
				if err != nil {
					t.Fatal(err)
				}
				for _, tm := range []time.Time{art.UpdatedAt, *art.PublishedAt} {
					if tm.After(newest) {
						newest = tm
					}
				}
			}
			if !lm.Equal(newest.UTC().Truncate(time.Second)) {
				t.Errorf("Last-Modified %v, want %v", lm, newest)
			}

			r = a.Get(path, "", "If-None-Match", etag)
			if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
				t.Errorf("If-None-Match: %d, %d bytes, ETag %q", r.Status, len(r.Body), r.Header.Get("ETag"))
			}
			r = a.Get(path, "", "If-Modified-Since", lastMod)
			if r.Status != http.StatusNotModified {
				t.Errorf("If-Modified-Since the Last-Modified: %d", r.Status)
			}
			r = a.Get(path, "", "If-Modified-Since", lm.Add(-time.Second).Format(http.TimeFormat))
			if r.Status != http.StatusOK {
				t.Errorf("If-Modified-Since a second before: %d", r.Status)
			}
			// If-None-Match wins over If-Modified-Since (RFC 9110).
			r = a.Get(path, "", "If-None-Match", `W/"other"`, "If-Modified-Since", lastMod)
			if r.Status != http.StatusOK {
				t.Errorf("another ETag with a current date: %d", r.Status)
			}

			// The full-text representation has its own validator.
			rf := a.Get(path, full)
			mustStatus(t, rf, http.StatusOK, "full text")
			if rf.Header.Get("ETag") == etag {
				t.Errorf("the full-text feed shares the preview feed's ETag")
			}
			if r := a.Get(path, full, "If-None-Match", rf.Header.Get("ETag")); r.Status != http.StatusNotModified {
				t.Errorf("full text If-None-Match: %d", r.Status)
			}

			// An edit changes both validators.
			a.Clock.Advance(time.Minute)
			budget, err := a.Content.AnyArticle(ctx, content.Lookup{IDOrSlug: a.Article("budget").ID})
			if err != nil {
				t.Fatal(err)
			}
			title := budget.Title + " (" + ff.ext + ")"
			if _, err := a.Content.UpdateArticle(ctx, budget.ID, content.ArticlePatch{Title: &title}, budget.Version, "ed-test"); err != nil {
				t.Fatal(err)
			}
			r = a.Get(path, "", "If-None-Match", etag)
			if r.Status != http.StatusOK || r.Header.Get("ETag") == etag || !bytes.Contains(r.Body, []byte(ff.ext+")")) {
				t.Errorf("after an edit, the old ETag gives %d with ETag %q", r.Status, r.Header.Get("ETag"))
			}
			r = a.Get(path, "", "If-Modified-Since", lastMod)
			if r.Status != http.StatusOK {
				t.Errorf("after an edit, If-Modified-Since the old date gives %d", r.Status)
			}
		})
	}
}

func TestFeedLimit(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	newest := listIDs(t, a, "")[:3]
	for _, ff := range feedFormats {
		_, f := getFeed(t, a, "/v1/feeds/latest."+ff.ext+"?limit=3", "")
		var ids []string
		for _, it := range f.Items {
			ids = append(ids, strings.TrimPrefix(it.GUID, guidPrefix))
		}
		if !slices.Equal(ids, newest) {
			t.Errorf("%s limit=3: %v, want the three newest %v", ff.ext, ids, newest)
		}
		if want := a.URL + "/v1/feeds/latest." + ff.ext + "?limit=3"; f.FeedLink != want {
			t.Errorf("%s: self link %q, want %q", ff.ext, f.FeedLink, want)
		}
	}
	// An empty feed is still a valid one, with nothing to date it by.
	for _, ff := range feedFormats {
		r, f := getFeed(t, a, "/v1/feeds/lang/de."+ff.ext, "")
		if len(f.Items) != 0 || r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") != "" {
			t.Errorf("%s: the German feed has %d items, ETag %q, Last-Modified %q",
				ff.ext, len(f.Items), r.Header.Get("ETag"), r.Header.Get("Last-Modified"))
		}
	}
	// Absolute links follow the scheme a proxy says the client used, and
	// nothing but http or https.
	for proto, scheme := range map[string]string{"https": "https://", "javascript": "http://"} {
		r := a.Get("/v1/feeds/latest.json", "", "X-Forwarded-Proto", proto)
		f := parseFeed(t, proto, r.Body)
		host := strings.TrimPrefix(a.URL, "http://")
		if f.FeedLink != scheme+host+"/v1/feeds/latest.json" || !strings.HasPrefix(f.Items[0].Enclosures[0].URL, scheme+host+"/media/") {
			t.Errorf("X-Forwarded-Proto %s: self %q, photo %q", proto, f.FeedLink, f.Items[0].Enclosures[0].URL)
		}
	}
}

func TestFeedErrors(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "unknown extension", Path: "/v1/feeds/latest.xml", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "no extension", Path: "/v1/feeds/latest", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "unknown feed", Path: "/v1/feeds/oldest.rss", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "unknown section", Path: "/v1/feeds/section/sport.rss", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "bad section slug", Path: "/v1/feeds/section/Sport_1.atom", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "unknown tag", Path: "/v1/feeds/tag/sport.json", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "section, unknown extension", Path: "/v1/feeds/section/politique.html", WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "bad language", Path: "/v1/feeds/lang/english.rss", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "upper-case language", Path: "/v1/feeds/lang/FR.atom", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "language twice", Path: "/v1/feeds/lang/fr.json?lang=en", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad lang query", Path: "/v1/feeds/latest.rss?lang=fra", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "limit 0", Path: "/v1/feeds/latest.atom?limit=0", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "limit 101", Path: "/v1/feeds/tag/eau.json?limit=101", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "limit not a number", Path: "/v1/feeds/section/politique.rss?limit=ten", WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "bad token", Path: "/v1/feeds/latest.rss", Headers: []string{"Authorization", "Bearer nope"},
			WantStatus: http.StatusUnauthorized, WantCode: "token_invalid"},
		{Name: "not a Bearer header", Path: "/v1/feeds/latest.json", Headers: []string{"Authorization", "Basic eDp5"},
			WantStatus: http.StatusUnauthorized, WantCode: "token_invalid"},
		{Name: "write method", Method: http.MethodPost, Path: "/v1/feeds/latest.rss", WantStatus: http.StatusMethodNotAllowed, WantCode: "method_not_allowed"},
		{Name: "limit 100", Path: "/v1/feeds/latest.rss?limit=100", WantStatus: http.StatusOK,
			WantHeaders: map[string]string{"Content-Type": "application/rss+xml", "Vary": "Authorization", "Cache-Control": "public"}},
	})
}
