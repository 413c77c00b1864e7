package api_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"masthead/api/apitest"
	"masthead/internal/blocks"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// The demo dataset (internal/demo/content.go), by ref.
var (
	// liveRefs are the ten published articles.
	liveRefs        = []string{"summit-fr", "summit-en", "wells", "budget", "hospital", "ferry", "municipales", "border", "nighttrain", "lanternes"}
	publicRefs      = []string{"summit-fr", "summit-en", "nighttrain", "lanternes"}
	registeredRefs  = []string{"ferry", "municipales", "border"}
	subscribersRefs = []string{"wells", "budget", "hospital"}
	// draftRef and scheduledRef must never be visible (until the scheduled
	// one's time comes).
	draftRef     = "draft-dikes"
	scheduledRef = "census"
	// draftTitle and scheduledTitle are the distinctive openings of their
	// titles in content.go.
	draftTitle     = "BROUILLON NE PAS PUBLIER"
	scheduledTitle = "EMBARGOED"
)

// summary is the part of a list item the tests read.
type summary struct {
	ID          string `json:"id"`
	Slug        string `json:"slug"`
	Lang        string `json:"lang"`
	Title       string `json:"title"`
	PublishedAt string `json:"published_at"`
	Access      struct {
		Level   string `json:"level"`
		Granted bool   `json:"granted"`
	} `json:"access"`
}

type summaryPage struct {
	Data       []summary `json:"data"`
	NextCursor *string   `json:"next_cursor"`
}

// article is the part of an article the tests read.
type article struct {
	ID             string          `json:"id"`
	Slug           string          `json:"slug"`
	Lang           string          `json:"lang"`
	Title          string          `json:"title"`
	WordCount      int             `json:"word_count"`
	CommentCount   int             `json:"comment_count"`
	Body           articleBody     `json:"body"`
	Access         articleAccess   `json:"access"`
	Translations   []translation   `json:"translations"`
	Section        *sectionRef     `json:"section"`
	Photo          *photo          `json:"photo"`
	StructuredData json.RawMessage `json:"structured_data"`
}

type articleBody struct {
	Blocks []blocks.Block `json:"blocks"`
	HTML   string         `json:"html"`
	Text   string         `json:"text"`
}

type articleAccess struct {
	Level        string `json:"level"`
	Granted      bool   `json:"granted"`
	Truncated    bool   `json:"truncated"`
	Reason       string `json:"reason"`
	WordsTotal   int    `json:"words_total"`
	WordsShown   int    `json:"words_shown"`
	SubscribeURL string `json:"subscribe_url"`
	LoginURL     string `json:"login_url"`
}

type translation struct{ ID, Lang, Slug string }

type sectionRef struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Breadcrumb []struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
	} `json:"breadcrumb"`
}

type photo struct {
	ID         string `json:"id"`
	Renditions []struct {
		Width  int    `json:"width"`
		Height int    `json:"height"`
		URL    string `json:"url"`
	} `json:"renditions"`
}

// mustStatus fails the test unless r has the wanted status.
func mustStatus(t *testing.T, r apitest.Response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d\n%.1500s", what, r.Status, want, r.Body)
	}
}

// problemCode returns the code of a problem document.
func problemCode(t *testing.T, r apitest.Response) string {
	t.Helper()
	var p struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("not a problem document: %v\n%s", err, r.Body)
	}
	return p.Code
}

// rawGet sends a GET with exactly the given header values (several values
// for one name are sent as several header lines), without the harness's spec
// validation; for requests the harness cannot express.
func rawGet(t *testing.T, a *apitest.App, path string, header http.Header) apitest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := a.Client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// normalize folds every run of white space (including no-break spaces) into
// one space, so that texts from blocks, HTML and plain text compare.
func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// readableText is everything a client can read in a response: the raw bytes,
// and, for JSON, every string decoded (and HTML-unescaped with tags removed,
// so that text inside body.html counts too), all normalized. Anything else
// (feeds) is also read as markup: unescaped twice with tags removed, for
// HTML carried escaped inside XML.
func readableText(b []byte) string {
	parts := []string{string(b)}
	var v any
	if json.Unmarshal(b, &v) != nil {
		once := html.UnescapeString(tagRE.ReplaceAllString(string(b), " "))
		parts = append(parts, once, html.UnescapeString(tagRE.ReplaceAllString(once, "")))
	} else {
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				parts = append(parts, x, html.UnescapeString(tagRE.ReplaceAllString(x, "")))
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					parts = append(parts, k)
					walk(e)
				}
			}
		}
		walk(v)
	}
	return normalize(strings.Join(parts, "\n"))
}

// secretFragments returns runs of n words of full that come after the
// preview: consecutive, non-overlapping windows covering the text past the
// cut, so that any leaked passage of 2n-1 words or more contains one. preview
// must be a word-prefix of full (an ellipsis on its last word aside).
func secretFragments(t *testing.T, full, preview string, n int) []string {
	t.Helper()
	fw := strings.Fields(normalize(full))
	pw := strings.Fields(normalize(preview))
	if len(pw) > 0 && strings.HasSuffix(pw[len(pw)-1], "…") {
		pw = pw[:len(pw)-1] // the cut word: may be whole in the full text
	}
	if len(pw) > len(fw) {
		t.Fatalf("preview longer than the full text")
	}
	for i, w := range pw {
		if fw[i] != w {
			t.Fatalf("preview is not a prefix of the full text at word %d: %q vs %q", i, w, fw[i])
		}
	}
	rest := fw[len(pw):]
	normPreview := normalize(preview)
	var out []string
	for i := 0; i+n <= len(rest); i += n {
		f := strings.Join(rest[i:i+n], " ")
		if strings.Contains(normPreview, f) {
			continue // a phrase that also occurs before the cut
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatalf("no secret fragments: is the preview the whole text?")
	}
	return out
}

// jsonEscaped is s as encoding/json writes it inside a string.
func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
