package seed_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/seed"
	"masthead/internal/store/storetest"
)

// TestSeedPhotos: with Photos, seed.Run stores that many real JPEGs with
// renditions, caption, credit and alt text, and shares them between the
// articles: most stories have a featured photo (the same in each of their
// languages), some photos illustrate several stories, some stories have a
// photo block too, and every photo an article names exists. The articles'
// text is what the same seed writes without photos.
func TestSeedPhotos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := func() time.Time { return end }
	const articles, photos = 120, 6

	db := storetest.Open(t)
	svc := content.NewService(db, content.Options{Now: now})
	root := t.TempDir()
	ms, err := media.NewStore(root, []int{320, 640}, media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := seed.Run(ctx, svc, seed.Options{Articles: articles, Seed: 7, Now: now, Photos: photos, Media: ms})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Photos != photos {
		t.Fatalf("summary: %d photos, want %d", sum.Photos, photos)
	}

	var rows []struct {
		ID, Title, Lang, TranslationKey string
		PhotoID                         *string
		BodyBlocks                      string
	}
	if err := db.Read(ctx).Raw("SELECT id, title, lang, translation_key, photo_id, body_blocks FROM articles ORDER BY id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	uses := map[string]int{}
	withPhoto, withBlock := 0, 0
	byKey := map[string]string{}
	for _, r := range rows {
		if r.PhotoID == nil {
			continue
		}
		withPhoto++
		uses[*r.PhotoID]++
		if r.TranslationKey != "" {
			if p, ok := byKey[r.TranslationKey]; ok && p != *r.PhotoID {
				t.Errorf("translations of %s have photos %s and %s", r.TranslationKey, p, *r.PhotoID)
			}
			byKey[r.TranslationKey] = *r.PhotoID
		}
		if bytes.Contains([]byte(r.BodyBlocks), []byte(`"photo_id"`)) {
			withBlock++
		}
	}
	if withPhoto < len(rows)/2 || withPhoto == len(rows) {
		t.Errorf("%d of %d articles have a featured photo: want most, not all", withPhoto, len(rows))
	}
	if withBlock == 0 {
		t.Error("no article has a photo block")
	}
	shared := 0
	for _, n := range uses {
		if n > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("no photo is shared: %v", uses)
	}

	for id := range uses {
		ph, err := svc.Photo(ctx, id)
		if err != nil {
			t.Fatalf("photo %s: %v", id, err)
		}
		if ph.Caption == "" || ph.Credit == "" || ph.Alt == "" || ph.Width != 1600 || ph.Height != 1000 || len(ph.Renditions) != 2 {
			t.Errorf("photo %s: %+v", id, ph)
		}
		for _, r := range ph.Renditions {
			f, err := ms.Objects().Open(ctx, r.Path)
			if err != nil {
				t.Fatalf("rendition %s: %v", r.Path, err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("rendition %s does not decode: %v", r.Path, err)
			}
			if img.Bounds().Dx() != r.Width {
				t.Errorf("rendition %s is %d wide, want %d", r.Path, img.Bounds().Dx(), r.Width)
			}
		}
	}
	// A live article shows its photo.
	for _, r := range rows {
		if r.PhotoID == nil {
			continue
		}
		a, _, err := svc.LiveArticle(ctx, content.Lookup{IDOrSlug: r.ID})
		if err != nil {
			continue // not live (scheduled in the future): fine
		}
		if a.Photo == nil || a.Photo.ID != *r.PhotoID || a.Photo.Alt == "" {
			t.Errorf("article %s: photo %+v, want %s", r.ID, a.Photo, *r.PhotoID)
		}
		break
	}

	// Same seed without photos: the same titles.
	plain := storetest.Open(t)
	psvc := content.NewService(plain, content.Options{Now: now})
	if _, err := seed.Run(ctx, psvc, seed.Options{Articles: articles, Seed: 7, Now: now}); err != nil {
		t.Fatal(err)
	}
	var titles []string
	if err := plain.Read(ctx).Raw("SELECT title FROM articles ORDER BY slug, lang").Scan(&titles).Error; err != nil {
		t.Fatal(err)
	}
	var withTitles []string
	if err := db.Read(ctx).Raw("SELECT title FROM articles ORDER BY slug, lang").Scan(&withTitles).Error; err != nil {
		t.Fatal(err)
	}
	if len(titles) != len(withTitles) {
		t.Fatalf("%d articles without photos, %d with", len(titles), len(withTitles))
	}
	for i := range titles {
		if titles[i] != withTitles[i] {
			t.Fatalf("title %d: %q without photos, %q with", i, titles[i], withTitles[i])
		}
	}
}

func TestAutoPhotos(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]int{1: 1, 5: 5, 12: 12, 1000: 12, 5000: 50, 100000: 400, 1000000: 400} {
		if got := seed.AutoPhotos(n); got != want {
			t.Errorf("AutoPhotos(%d) = %d, want %d", n, got, want)
		}
	}
}
