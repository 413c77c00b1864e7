package content_test

import (
	"context"
	"testing"

	"masthead/internal/blocks"
	"masthead/internal/content"
)

// TestWritesStripForbiddenCharacters: every text the newsroom writes is
// cleaned of the characters XML 1.0 forbids before it is stored: article
// title, standfirst, source and body; section, tag and author names; an
// author's bio; a photo's caption, credit and alt.
func TestWritesStripForbiddenCharacters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newService(t)

	in := validInput("forbidden")
	in.Title, in.Standfirst = "Le\vpuits\x03 a\x1b sec\xff", "Un\fchapeau\uFFFE."
	in.Source = content.Source{Name: "Agence\x03 X"}
	in.Body = []blocks.Block{para("Un\vdeux\x1b."), {Type: blocks.TypeList, Items: []string{"a\x00", "b"}}}
	a, err := svc.CreateArticle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.AnyArticle(ctx, content.Lookup{IDOrSlug: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Le puits a sec\uFFFD" || got.Standfirst != "Un chapeau." || got.Source.Name != "Agence X" {
		t.Errorf("title %q, standfirst %q, source %q", got.Title, got.Standfirst, got.Source.Name)
	}
	if got.Body.Text != "Un\ndeux.\n\n- a\n- b" {
		t.Errorf("body text %q", got.Body.Text)
	}

	sec, err := svc.AddSection(ctx, content.SectionInput{Slug: "eau", Names: []content.LangName{{Lang: "fr", Name: "L’eau\x03"}}})
	if err != nil || sec.Names["fr"] != "L’eau" {
		t.Errorf("section %+v, %v", sec.Names, err)
	}
	tag, err := svc.AddTag(ctx, content.TagInput{Slug: "puits", Name: "Puits\x1b", Kind: content.TagTopic})
	if err != nil || tag.Name != "Puits" {
		t.Errorf("tag %q, %v", tag.Name, err)
	}
	au, err := svc.AddAuthor(ctx, content.AuthorInput{Slug: "lea", Name: "Léa\vMorvand", Bio: "Journaliste.\vEau\x03."})
	if err != nil || au.Name != "Léa Morvand" || au.Bio != "Journaliste.\nEau." {
		t.Errorf("author %q %q, %v", au.Name, au.Bio, err)
	}
	ph, err := svc.CreatePhoto(ctx, content.Photo{Hash: "h", Width: 1, Height: 1, Mime: "image/jpeg", Original: "o",
		Caption: "Le\vpuits\x03", Credit: "Agence\vX", Alt: "Un\x1b puits"})
	if err != nil || ph.Caption != "Le\npuits" || ph.Credit != "Agence X" || ph.Alt != "Un puits" {
		t.Errorf("photo %q %q %q, %v", ph.Caption, ph.Credit, ph.Alt, err)
	}
	caption := "Nouvelle\x03 légende\v"
	ph, err = svc.UpdatePhoto(ctx, ph.ID, content.PhotoPatch{Caption: &caption}, 0)
	if err != nil || ph.Caption != "Nouvelle légende" {
		t.Errorf("photo caption %q, %v", ph.Caption, err)
	}
}
