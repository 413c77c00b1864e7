package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/content"
)

// caller is one kind of client of the entitlement table.
type caller struct {
	name  string
	token func(a *apitest.App) string
}

var callers = []caller{
	{"anonymous", func(*apitest.App) string { return "" }},
	{"reader", func(a *apitest.App) string { return a.Token(access.RoleReader) }},
	{"subscriber", func(a *apitest.App) string { return a.Token(access.RoleSubscriber) }},
	{"partner-headlines", func(a *apitest.App) string { return a.Token(access.RolePartner, access.ScopeHeadlines) }},
	{"partner-full_text", func(a *apitest.App) string { return a.Token(access.RolePartner, access.ScopeFullText) }},
	{"editor", func(a *apitest.App) string { return a.Token(access.RoleEditor) }},
	{"admin", func(a *apitest.App) string { return a.Token(access.RoleAdmin) }},
}

// entitled is DESIGN.md's "Access: who gets the full body" table, copied by
// hand: level → caller → full body.
var entitled = map[string]map[string]bool{
	"public": {
		"anonymous": true, "reader": true, "subscriber": true, "partner-headlines": true,
		"partner-full_text": true, "editor": true, "admin": true,
	},
	"registered": {
		"anonymous": false, "reader": true, "subscriber": true, "partner-headlines": false,
		"partner-full_text": true, "editor": true, "admin": true,
	},
	"subscribers": {
		"anonymous": false, "reader": false, "subscriber": true, "partner-headlines": false,
		"partner-full_text": true, "editor": true, "admin": true,
	},
}

// reasons are the access.reason values the spec enumerates, per level and
// caller.
var reasons = map[string]map[string]string{
	"public": {
		"anonymous": "public", "reader": "public", "subscriber": "public", "partner-headlines": "public",
		"partner-full_text": "public", "editor": "public", "admin": "public",
	},
	"registered": {
		"anonymous": "login_required", "reader": "registered", "subscriber": "subscriber", "partner-headlines": "license_required",
		"partner-full_text": "licensed", "editor": "staff", "admin": "staff",
	},
	"subscribers": {
		"anonymous": "subscription_required", "reader": "subscription_required", "subscriber": "subscriber",
		"partner-headlines": "license_required", "partner-full_text": "licensed", "editor": "staff", "admin": "staff",
	},
}

func TestPaywallMatrix(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	levels := map[string][]string{"public": publicRefs, "registered": registeredRefs, "subscribers": subscribersRefs}
	for _, level := range []string{"public", "registered", "subscribers"} {
		for _, ref := range levels[level] {
			stored := a.Article(ref)
			if string(stored.Access) != level {
				t.Fatalf("%s is %s in the dataset, the test expects %s", ref, stored.Access, level)
			}
			if level != "public" && (!stored.Truncated || stored.Preview.Words >= stored.WordCount || stored.Preview.Text == stored.Body.Text) {
				t.Fatalf("%s: the stored preview is not shorter than the body", ref)
			}
			for _, c := range callers {
				t.Run(ref+"/"+c.name, func(t *testing.T) {
					tok := c.token(a)
					want := entitled[level][c.name]
					r := a.Get("/v1/articles/"+stored.Slug, tok)
					mustStatus(t, r, http.StatusOK, "article")
					var art article
					r.JSON(t, &art)
					acc := art.Access
					if acc.Level != level || acc.Granted != want || acc.Reason != reasons[level][c.name] {
						t.Errorf("access %+v, want level %s granted %v reason %s", acc, level, want, reasons[level][c.name])
					}
					if acc.WordsTotal != stored.WordCount || art.WordCount != stored.WordCount {
						t.Errorf("words_total %d, word_count %d, want %d", acc.WordsTotal, art.WordCount, stored.WordCount)
					}
					if want {
						if acc.Truncated || acc.WordsShown != stored.WordCount {
							t.Errorf("granted but truncated=%v words_shown=%d of %d", acc.Truncated, acc.WordsShown, stored.WordCount)
						}
						if art.Body.Text != stored.Body.Text || art.Body.HTML != stored.Body.HTML {
							t.Errorf("granted but body is not the full text")
						}
						if acc.SubscribeURL != "" || acc.LoginURL != "" {
							t.Errorf("granted yet offered subscribe/login URLs")
						}
					} else {
						if !acc.Truncated || acc.WordsShown >= stored.WordCount || acc.WordsShown != stored.Preview.Words || acc.WordsShown <= 0 {
							t.Errorf("refused: truncated=%v words_shown=%d (preview %d) of %d", acc.Truncated, acc.WordsShown, stored.Preview.Words, stored.WordCount)
						}
						if art.Body.Text != stored.Preview.Text || art.Body.HTML != stored.Preview.HTML {
							t.Errorf("refused but body is not the preview:\n%s", art.Body.Text)
						}
						if acc.SubscribeURL == "" || acc.LoginURL == "" {
							t.Errorf("refused without subscribe/login URLs: %+v", acc)
						}
					}
					var wantBlocks []blocks.Block
					src := stored.Preview.Blocks
					if want {
						src = stored.Body.Blocks
					}
					if err := json.Unmarshal(src, &wantBlocks); err != nil {
						t.Fatal(err)
					}
					if len(art.Body.Blocks) != len(wantBlocks) {
						t.Errorf("%d blocks, want %d", len(art.Body.Blocks), len(wantBlocks))
					}
					// Caching: anonymous answers are shareable; an answer to a
					// token is private (it may be the entitled, full body).
					cc := r.Header.Get("Cache-Control")
					switch {
					case tok == "" && !strings.HasPrefix(cc, "public"):
						t.Errorf("anonymous Cache-Control %q", cc)
					case tok != "" && !strings.HasPrefix(cc, "private"):
						t.Errorf("Cache-Control %q for a token holder", cc)
					}
					if want && level != "public" && !strings.Contains(cc, "private") {
						t.Errorf("entitled non-public representation with Cache-Control %q", cc)
					}
					if !varyHas(r.Header, "Authorization") {
						t.Errorf("Vary %q lacks Authorization", r.Header.Values("Vary"))
					}
				})
			}
		}
	}

	t.Run("entitled first, then the others", func(t *testing.T) {
		// Readers in the opposite order: an entitled answer given first
		// (and perhaps remembered by a server-side cache) must never be
		// what a later, unentitled caller receives.
		for _, ref := range append(slices.Clone(registeredRefs), subscribersRefs...) {
			stored := a.Article(ref)
			for i := len(callers) - 1; i >= 0; i-- {
				c := callers[i]
				for _, q := range []string{"", "?format=text", "?fields=body"} {
					r := a.Get("/v1/articles/"+stored.ID+q, c.token(a))
					var art article
					r.JSON(t, &art)
					want := stored.Preview.Text
					if entitled[string(stored.Access)][c.name] {
						want = stored.Body.Text
					}
					if art.Body.Text != want {
						t.Errorf("%s%s as %s: wrong body (granted %v)", ref, q, c.name, entitled[string(stored.Access)][c.name])
					}
				}
			}
		}
	})

	t.Run("list summaries", func(t *testing.T) {
		for _, c := range callers {
			r := a.Get("/v1/articles?limit=100", c.token(a))
			mustStatus(t, r, 200, "list")
			var p summaryPage
			r.JSON(t, &p)
			if len(p.Data) != len(liveRefs) {
				t.Fatalf("%s: %d items", c.name, len(p.Data))
			}
			for _, s := range p.Data {
				if want := entitled[s.Access.Level][c.name]; s.Access.Granted != want {
					t.Errorf("%s: %s granted %v, want %v", c.name, s.Slug, s.Access.Granted, want)
				}
			}
			if !varyHas(r.Header, "Authorization") {
				t.Errorf("list Vary %q", r.Header.Values("Vary"))
			}
		}
	})

	t.Run("preview_break", func(t *testing.T) {
		wells := a.Article("wells")
		if wells.PreviewBreak == nil || *wells.PreviewBreak != 2 {
			t.Fatalf("wells preview_break %v, want 2", wells.PreviewBreak)
		}
		r := a.Get("/v1/articles/"+wells.Slug+"?format=blocks", "")
		var art article
		r.JSON(t, &art)
		var full []blocks.Block
		if err := json.Unmarshal(wells.Body.Blocks, &full); err != nil {
			t.Fatal(err)
		}
		if len(art.Body.Blocks) != 2 {
			t.Fatalf("preview has %d blocks, want 2", len(art.Body.Blocks))
		}
		for i := range 2 {
			if art.Body.Blocks[i].Text != full[i].Text || art.Body.Blocks[i].Type != full[i].Type {
				t.Errorf("preview block %d differs from the body's", i)
			}
		}
	})

	t.Run("previews end at a boundary", func(t *testing.T) {
		for _, ref := range append(slices.Clone(registeredRefs), subscribersRefs...) {
			st := a.Article(ref)
			checkCleanCut(t, ref, st.Body.Text, st.Preview.Text)
		}
	})

	t.Run("long first paragraph", func(t *testing.T) {
		// wells without its preview_break: its ~200-word lede is longer
		// than the 120-word budget, so the cut falls inside it.
		wells := a.Article("wells")
		var body []blocks.Block
		if err := json.Unmarshal(wells.Body.Blocks, &body); err != nil {
			t.Fatal(err)
		}
		if n := blocks.CountWords(body[0].Text); n <= blocks.DefaultBudget {
			t.Fatalf("the lede has %d words; the test needs more than %d", n, blocks.DefaultBudget)
		}
		art, err := a.Content.CreateArticle(context.Background(), content.ArticleInput{
			Lang: "fr", Slug: "puits-sans-coupure", Title: "Puits, sans coupure choisie",
			Access: content.AccessSubscribers, Status: content.StatusPublished, Body: body,
		})
		if err != nil {
			t.Fatal(err)
		}
		r := a.Get("/v1/articles/"+art.ID+"?format=text,blocks", "")
		mustStatus(t, r, 200, "article")
		var got article
		r.JSON(t, &got)
		if !got.Access.Truncated || got.Access.Granted || got.Access.WordsShown > blocks.DefaultBudget || got.Access.WordsShown == 0 {
			t.Errorf("access %+v", got.Access)
		}
		if len(got.Body.Blocks) != 1 {
			t.Errorf("preview has %d blocks, want the cut lede only", len(got.Body.Blocks))
		}
		text := strings.TrimSpace(got.Body.Text)
		if text == "" || len(text) >= len(art.Body.Text) {
			t.Fatalf("preview of %d bytes for a body of %d", len(text), len(art.Body.Text))
		}
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text, "»\u00a0\u202f ”\"’"))
		if !strings.ContainsRune(".!?…", last) {
			t.Errorf("preview ends with %q, neither a sentence end nor …: %q", last, text)
		}
		checkCleanCut(t, "puits-sans-coupure", art.Body.Text, got.Body.Text)
	})
}

// checkCleanCut asserts that preview is the start of full cut between words:
// the full text goes on with a space or punctuation, never a letter, and no
// multi-byte character is split.
func checkCleanCut(t *testing.T, name, full, preview string) {
	t.Helper()
	if !utf8.ValidString(preview) {
		t.Errorf("%s: preview is not valid UTF-8", name)
	}
	p := strings.TrimRightFunc(preview, unicode.IsSpace)
	p = strings.TrimSuffix(p, "…")
	if !strings.HasPrefix(full, p) {
		t.Errorf("%s: preview is not a prefix of the full text:\n%q", name, preview)
		return
	}
	next, _ := utf8.DecodeRuneInString(full[len(p):])
	lastP, _ := utf8.DecodeLastRuneInString(p)
	if (unicode.IsLetter(next) || unicode.IsDigit(next)) && (unicode.IsLetter(lastP) || unicode.IsDigit(lastP)) {
		t.Errorf("%s: preview cuts a word: …%q|%q", name, p[max(0, len(p)-20):], string(next))
	}
}

func varyHas(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}
