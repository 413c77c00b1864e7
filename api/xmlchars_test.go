package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
)

// xmlForbidden are characters XML 1.0 does not allow, as they reach an
// article: a word processor's line break (U+000B), ETX and ESC.
var xmlForbidden = []string{"\v", "\x03", "\x1b", "\f"}

// feedsOf are the feeds an article in section diplomatie, tag eau and
// French shows up in.
var feedsOf = []string{
	"/v1/feeds/latest", "/v1/feeds/section/diplomatie", "/v1/feeds/section/politique",
	"/v1/feeds/tag/eau", "/v1/feeds/lang/fr",
}

// strictXML reads b to the end with encoding/xml in strict mode, which
// refuses any character XML 1.0 forbids.
func strictXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// checkFeedsWellFormed fetches every feed of feedsOf in every format, as
// the caller with token, and checks that a strict XML parser and gofeed
// read it, and that none carries a forbidden character.
func checkFeedsWellFormed(t *testing.T, a *apitest.App, token, guid string) {
	t.Helper()
	for _, scope := range feedsOf {
		for _, ff := range feedFormats {
			p := feedPath(scope, ff.ext)
			r := a.Get(p, token)
			mustStatus(t, r, http.StatusOK, p)
			if ff.ext != "json" {
				if err := strictXML(r.Body); err != nil {
					t.Errorf("%s is not well-formed XML: %v", p, err)
				}
			} else if !json.Valid(r.Body) {
				t.Errorf("%s is not valid JSON", p)
			}
			f := parseFeed(t, p, r.Body)
			found := false
			for _, it := range f.Items {
				if it.GUID == guid {
					found = true
					for _, c := range xmlForbidden {
						if strings.Contains(it.Title+it.Description+it.Content, c) {
							t.Errorf("%s: item carries %q", p, c)
						}
					}
				}
			}
			if !found {
				t.Errorf("%s: the article is not in the feed", p)
			}
		}
	}
}

// TestFeedForbiddenCharacters: an article whose title, standfirst and body
// hold characters XML 1.0 forbids is published through the API; they are
// stripped when it is written (U+000B and U+000C become line breaks in the
// body, spaces in the title), and every feed carrying it stays well-formed.
func TestFeedForbiddenCharacters(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	body := `{"title":"Le\u000bpuits\u0003 a\u001b sec","standfirst":"Un\u000bchapeau\u001b.","lang":"fr",
		"section":"diplomatie","tags":["eau"],"access":"subscribers","status":"published",
		"blocks":[{"type":"paragraph","text":"Premier\u000bparagraphe\u0003 avec\u001b un lien.","marks":[{"type":"bold","start":29,"end":33}]},
		{"type":"quote","text":"Une\u0003 citation.","cite":"Un\u001b auteur"},
		{"type":"list","items":["un\u000b","deux\u0003 trois"]},
		{"type":"paragraph","text":"Deuxième paragraphe\u000c, réservé aux abonnés, assez long pour la coupe."}]}`
	art, _ := aaCreate(t, a, ed, body)
	if art.Title != "Le puits a sec" || art.Standfirst != "Un chapeau." {
		t.Errorf("title %q, standfirst %q: not cleaned", art.Title, art.Standfirst)
	}
	b0 := art.Body.Blocks[0]
	if b0.Text != "Premier\nparagraphe avec un lien." {
		t.Errorf("body text %q: not cleaned", b0.Text)
	}
	// The bold mark covered "lien" (runes 29–33 before two characters
	// were dropped): it still does.
	if len(b0.Marks) != 1 || string([]rune(b0.Text)[b0.Marks[0].Start:b0.Marks[0].End]) != "lien" {
		t.Errorf("marks %+v do not cover the same text in %q", b0.Marks, b0.Text)
	}
	if q := art.Body.Blocks[1]; q.Text != "Une citation." || q.Cite != "Un auteur" {
		t.Errorf("quote %+v: not cleaned", q)
	}
	if l := art.Body.Blocks[2]; len(l.Items) != 2 || l.Items[0] != "un\n" && l.Items[0] != "un" || l.Items[1] != "deux trois" {
		t.Errorf("list items %q: not cleaned", l.Items)
	}
	guid := guidPrefix + art.ID
	checkFeedsWellFormed(t, a, "", guid)
	checkFeedsWellFormed(t, a, a.Token(access.RolePartner, "full_text"), guid)
}

// TestFeedForbiddenCharactersInStoredRow: a row written before the rule
// (here, written directly, past the service) still gives well-formed feeds:
// the feed writers clean what they emit.
func TestFeedForbiddenCharactersInStoredRow(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	id := a.Article("summit-fr").ID
	dirty := "A\vB\x03C\x1bD\uFFFE"
	err := a.DB.Write(context.Background()).Exec(
		"UPDATE articles SET title = ?, standfirst = ?, preview_html = ?, body_html = ? WHERE id = ?",
		"Titre "+dirty, "Chapeau "+dirty, "<p>Aperçu "+dirty+"</p>", "<p>Corps "+dirty+"</p>", id).Error
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.Write(context.Background()).Exec("UPDATE tags SET name = ? WHERE slug = 'eau'", "Eau "+dirty).Error
	if err != nil {
		t.Fatal(err)
	}
	a.Content.CommentsChanged(id) // forget the cached feeds and taxonomy
	guid := guidPrefix + id
	checkFeedsWellFormed(t, a, "", guid)
	checkFeedsWellFormed(t, a, a.Token(access.RolePartner, "full_text"), guid)
}

// TestCommentForbiddenCharacters: the comment path strips characters XML
// forbids from the body and the guest's name, rather than refusing them.
func TestCommentForbiddenCharacters(t *testing.T) {
	t.Parallel()
	a := commentApp(t, "trusted", true)
	ref := a.Article("summit-fr").ID
	r := postComment(a, ref, "", `{"author_name":"Zed\u001b Zorro","email":"z@example.org","body":"Bonjour\u000bà tous\u0003, fin\u001b."}`)
	if r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
		t.Fatalf("comment with forbidden characters: %d %s", r.Status, r.Body)
	}
	var got struct {
		Body       string `json:"body"`
		AuthorName string `json:"author_name"`
	}
	r.JSON(t, &got)
	var stored struct{ Body, AuthorName string }
	if err := a.DB.Read(context.Background()).Raw("SELECT body, author_name FROM comments ORDER BY created_at DESC, id DESC LIMIT 1").Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{got.Body, got.AuthorName, stored.Body, stored.AuthorName} {
		for _, c := range xmlForbidden {
			if strings.Contains(s, c) {
				t.Errorf("%q still holds %q", s, c)
			}
		}
	}
	if stored.Body != "Bonjour\nà tous, fin." || stored.AuthorName != "Zed Zorro" {
		t.Errorf("stored %q by %q", stored.Body, stored.AuthorName)
	}
}
