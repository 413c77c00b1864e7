package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"masthead/internal/blocks"
	"masthead/internal/content"
	"masthead/internal/store"
)

// TestRerenderCommand: a subscribers article of 103 words whose stored
// preview was computed under the old rules (the whole body: it fitted the
// budget) is fixed by `masthead rerender`; a second run changes nothing.
func TestRerenderCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flags := append([]string{"--data", dir}, testDB(t)...)
	if _, _, err := runCmd(t, nil, append([]string{"migrate"}, flags...)...); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := parseConfig("test", flags, env(nil), io.Discard, "data", "db")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	sentence := "Le puits du village est à sec depuis le mois dernier."
	para := func(n int) blocks.Block {
		return blocks.Block{Type: blocks.TypeParagraph, Text: strings.TrimSpace(strings.Repeat(sentence+" ", n))}
	}
	body := []blocks.Block{para(4), para(4), para(1), {Type: blocks.TypeParagraph, Text: "Fin du texte réservé."}}
	if blocks.Words(body) != 103 {
		t.Fatalf("%d words", blocks.Words(body))
	}
	svc := content.NewService(db, content.Options{Now: func() time.Time { return time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC) }})
	paywalled, err := svc.CreateArticle(ctx, content.ArticleInput{
		Lang: "fr", Slug: "puits-court", Title: "Un puits court", Access: content.AccessSubscribers,
		Status: content.StatusPublished, Body: body,
	})
	if err != nil {
		t.Fatal(err)
	}
	public, err := svc.CreateArticle(ctx, content.ArticleInput{
		Lang: "fr", Slug: "puits-public", Title: "Un puits public", Access: content.AccessPublic,
		Status: content.StatusPublished, Body: body,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The old rules: a body under the budget was its own preview.
	err = db.Write(ctx).Exec(`UPDATE articles SET preview_blocks = body_blocks, preview_html = body_html,
		preview_text = body_text, preview_words = word_count, preview_truncated = ? WHERE id = ?`, false, paywalled.ID).Error
	if err != nil {
		t.Fatal(err)
	}
	type stored struct {
		PreviewWords     int
		PreviewTruncated bool
		PreviewText      string
		Version          int
	}
	read := func(id string) stored {
		t.Helper()
		var s stored
		if err := db.Read(ctx).Raw("SELECT preview_words, preview_truncated, preview_text, version FROM articles WHERE id = ?", id).Scan(&s).Error; err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := read(paywalled.ID); s.PreviewWords != 103 || s.PreviewTruncated {
		t.Fatalf("the old preview was not written: %+v", s)
	}

	out, _, err := runCmd(t, nil, append([]string{"rerender"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, ": 1 of 2 article(s) changed") {
		t.Errorf("first run said %q", out)
	}
	s := read(paywalled.ID)
	if !s.PreviewTruncated || s.PreviewWords > 51 || s.PreviewWords == 0 || strings.Contains(s.PreviewText, "Fin du texte") {
		t.Errorf("after rerender: %+v", s)
	}
	if s.Version != paywalled.Version {
		t.Errorf("rerender made version %d of an article at %d", s.Version, paywalled.Version)
	}
	if p := read(public.ID); p.PreviewTruncated || p.PreviewWords != 103 {
		t.Errorf("a public article's preview changed: %+v", p)
	}

	out, _, err = runCmd(t, nil, append([]string{"rerender"}, flags...)...)
	if err != nil || !strings.Contains(out, ": 0 of 2 article(s) changed") {
		t.Errorf("second run: %q %v", out, err)
	}
	if _, _, err := runCmd(t, nil, append([]string{"rerender", "extra"}, flags...)...); err == nil {
		t.Error("an extra argument is accepted")
	}
}
