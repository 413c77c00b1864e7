package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/blocks"
)

// seededArticle is what a seeded article is compared on: everything but
// its ID and creation time, and its publication time relative to the
// newest article's (the archive ends at the time of the run).
type seededArticle struct {
	Lang, Slug, TranslationKey, Title, Standfirst, Access, Status string
	BodyBlocks, BodyText                                          string
	WordCount                                                     int
	PublishedAt                                                   time.Time
	Tags, Authors                                                 int
	PhotoID                                                       string // the photo's rank among the photos, by id
}

func readSeeded(t *testing.T, dsn string) []seededArticle {
	t.Helper()
	db := openTestDB(t, dsn)
	defer db.Close()
	var list []seededArticle
	err := db.Read(t.Context()).Raw(`SELECT lang, slug, translation_key, title, standfirst, access, status,
		body_blocks, body_text, word_count, published_at,
		(SELECT COUNT(*) FROM article_tags t WHERE t.article_id = a.id) AS tags,
		(SELECT COUNT(*) FROM article_authors w WHERE w.article_id = a.id) AS authors,
		COALESCE(a.photo_id, '') AS photo_id
		FROM articles a ORDER BY lang, slug`).Scan(&list).Error
	if err != nil {
		t.Fatal(err)
	}
	// Photo ids differ from run to run: name each by its rank.
	var photos []string
	if err := db.Read(t.Context()).Raw("SELECT id FROM photos ORDER BY id").Scan(&photos).Error; err != nil {
		t.Fatal(err)
	}
	for i := range list {
		for rank, id := range photos {
			r := "photo-" + strconv.Itoa(rank)
			list[i].BodyBlocks = strings.ReplaceAll(list[i].BodyBlocks, id, r)
			if list[i].PhotoID == id {
				list[i].PhotoID = r
			}
		}
	}
	var newest time.Time
	for _, a := range list {
		if a.PublishedAt.After(newest) {
			newest = a.PublishedAt
		}
	}
	for i := range list {
		list[i].PublishedAt = time.Time{}.Add(newest.Sub(list[i].PublishedAt))
	}
	return list
}

// TestSeedCommand: `masthead seed --articles 300` writes 300 valid
// published articles in the four languages, at every access level, with
// translations, tags and authors, over ten years; the same seed writes the
// same archive and another seed another one; a second run refuses the
// database unless --append.
func TestSeedCommand(t *testing.T) {
	t.Parallel()
	seedInto := func(args ...string) (string, []string, string) {
		t.Helper()
		dir, dbArgs, dsn := testData(t)
		flags := append([]string{"--data", dir}, dbArgs...)
		out, _, err := runCmd(t, nil, append(append([]string{"seed"}, flags...), args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return out, flags, dsn
	}
	out, flags, dsn := seedInto("--articles", "300", "--seed", "7", "--photos", "3")
	if !strings.Contains(out, ": 300 articles, 0 comments and 3 photos written (seed 7; 7 sections, 20 tags, 9 authors created)") {
		t.Errorf("said %q", out)
	}
	list := readSeeded(t, dsn)
	if len(list) != 300 {
		t.Fatalf("%d articles", len(list))
	}
	illustrated := map[string]int{}
	for _, a := range list {
		if a.PhotoID != "" {
			illustrated[a.PhotoID]++
		}
	}
	if n := illustrated["photo-0"] + illustrated["photo-1"] + illustrated["photo-2"]; len(illustrated) != 3 || n < 150 || n == 300 {
		t.Errorf("featured photos: %v", illustrated)
	}
	langs, levels, groups := map[string]int{}, map[string]int{}, map[string]map[string]bool{}
	for _, a := range list {
		langs[a.Lang]++
		levels[a.Access]++
		if groups[a.TranslationKey] == nil {
			groups[a.TranslationKey] = map[string]bool{}
		}
		if groups[a.TranslationKey][a.Lang] {
			t.Errorf("two %s articles in translation group %s", a.Lang, a.TranslationKey)
		}
		groups[a.TranslationKey][a.Lang] = true
		if a.Status != "published" || a.Tags < 1 || a.Authors < 1 {
			t.Errorf("%s: status %s, %d tags, %d authors", a.Slug, a.Status, a.Tags, a.Authors)
		}
		if age := a.PublishedAt.Sub(time.Time{}); age < 0 || age > 10*366*24*time.Hour {
			t.Errorf("%s: published %s before the newest", a.Slug, age)
		}
		var body []blocks.Block
		if err := json.Unmarshal([]byte(a.BodyBlocks), &body); err != nil {
			t.Fatalf("%s: %v", a.Slug, err)
		}
		if errs := blocks.Validate(body); len(errs) > 0 {
			t.Errorf("%s: invalid body: %v", a.Slug, errs)
		}
		if len(body) < 2 || a.WordCount < 200 || a.WordCount > 2200 || a.WordCount != blocks.Words(body) {
			t.Errorf("%s: %d blocks, %d words", a.Slug, len(body), a.WordCount)
		}
	}
	for _, l := range []string{"fr", "en", "de", "ru"} {
		if langs[l] < 20 {
			t.Errorf("%d articles in %s: %v", langs[l], l, langs)
		}
	}
	if len(langs) != 4 || langs["fr"] <= langs["ru"] {
		t.Errorf("languages: %v", langs)
	}
	if levels["public"] < 150 || levels["public"] > 210 || levels["registered"] < 30 || levels["subscribers"] < 30 || len(levels) != 3 {
		t.Errorf("access levels: %v", levels)
	}
	translated := 0
	for _, g := range groups {
		if len(g) > 1 {
			translated++
		}
	}
	if translated < 5 {
		t.Errorf("%d translation groups", translated)
	}
	var oldest time.Duration
	for _, a := range list {
		oldest = max(oldest, a.PublishedAt.Sub(time.Time{}))
	}
	if oldest < 5*365*24*time.Hour {
		t.Errorf("the archive goes back %s only", oldest)
	}
	var accents, cyrillic, hyphenated bool
	for _, a := range list {
		accents = accents || strings.Contains(a.BodyText, "États-Unis") || strings.Contains(a.BodyText, "Ouzbékistan")
		cyrillic = cyrillic || strings.Contains(a.BodyText, "Санкт-Петербург")
		hyphenated = hyphenated || strings.Contains(a.BodyText, "Nordrhein-Westfalen")
	}
	if !accents || !cyrillic || !hyphenated {
		t.Errorf("place names: accented %v, Cyrillic %v, hyphenated %v", accents, cyrillic, hyphenated)
	}

	// The same seed, the same archive; another seed, another one.
	_, _, same := seedInto("--articles", "300", "--seed", "7", "--photos", "3")
	again := readSeeded(t, same)
	for i := range list {
		a, b := list[i], again[i]
		if strings.HasPrefix(a.TranslationKey, "seed-") != strings.HasPrefix(b.TranslationKey, "seed-") || strings.HasPrefix(a.TranslationKey, "seed-") && a.TranslationKey != b.TranslationKey {
			t.Fatalf("article %d: translation keys %s and %s", i, a.TranslationKey, b.TranslationKey)
		}
		a.TranslationKey, b.TranslationKey = "", ""
		if a != b {
			t.Fatalf("article %d differs with the same seed:\n%+v\n%+v", i, a, b)
		}
	}
	_, _, other := seedInto("--articles", "300", "--seed", "8", "--photos", "0")
	if o := readSeeded(t, other); o[0].Title == list[0].Title && o[1].Title == list[1].Title && o[2].BodyText == list[2].BodyText {
		t.Error("seed 8 wrote what seed 7 did")
	}

	// A database with articles: refused, unless --append.
	_, _, err := runCmd(t, nil, append([]string{"seed", "--articles", "10"}, flags...)...)
	if err == nil || !strings.Contains(err.Error(), "--append") {
		t.Errorf("a second seed: %v", err)
	}
	out, _, err = runCmd(t, nil, append([]string{"seed", "--articles", "10", "--append", "--photos", "0"}, flags...)...)
	if err != nil || !strings.Contains(out, ": 10 articles, 0 comments and 0 photos written (seed 1; 0 sections, 0 tags, 0 authors created)") {
		t.Errorf("--append: %q %v", out, err)
	}
	if n := len(readSeeded(t, dsn)); n != 310 {
		t.Errorf("%d articles after --append", n)
	}
	for _, args := range [][]string{{"seed"}, {"seed", "--articles", "0"}, {"seed", "--articles", "5", "extra"}, {"seed", "--articles", "5", "--photos", "x"}} {
		if _, _, err := runCmd(t, nil, append(args, flags...)...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
