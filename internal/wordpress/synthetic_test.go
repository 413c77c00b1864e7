package wordpress

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/blocks"
)

func synthetic(t testing.TB, o SyntheticOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteSynthetic(t *testing.T) {
	o := SyntheticOptions{Posts: 60, CommentsPerPost: 11, Attachments: 9, Seed: 3, Polylang: true}
	data := synthetic(t, o)
	site, items := readAll(t, bytes.NewReader(data), Limits{})
	if site.Title != "The Lakeside Courier" || len(site.Authors) != 4 || len(site.Categories) != 8 || len(site.Languages()) != 2 {
		t.Errorf("site %q: %d authors, %d categories, %d languages", site.Title, len(site.Authors), len(site.Categories), len(site.Languages()))
	}
	groups, err := site.TranslationGroups(TaxonomyPostTranslations)
	if err != nil || len(groups) != 30 {
		t.Fatalf("%d translation groups, %v", len(groups), err)
	}

	urls := NewAttachmentURLs()
	var posts, attachments, comments, drafts, pingbacks int
	seenComment := map[int64]bool{}
	for _, it := range items {
		switch it.Type {
		case "attachment":
			attachments++
			urls.Add(it.ID, it.AttachmentURL)
			n, _ := strconv.Atoi(strings.TrimPrefix(it.Title, "img-"))
			if f, _ := it.Meta.Get("_wp_attached_file"); f != SyntheticAttachmentFile(n) ||
				it.AttachmentURL != SyntheticUploads+f || it.Excerpt == "" {
				t.Errorf("attachment %d: file %q url %q", it.ID, f, it.AttachmentURL)
			}
			if _, ok := it.Meta.Get("_wp_attachment_image_alt"); !ok {
				t.Errorf("attachment %d has no alt text", it.ID)
			}
		case "post":
			posts++
			if it.Status == "draft" {
				drafts++
				if !it.Date.IsZero() {
					t.Errorf("draft %d: date %v", it.ID, it.Date)
				}
			} else if it.Date.IsZero() || len(Permalinks(site, it, "")) != 2 {
				t.Errorf("post %d: date %v, permalinks %q", it.ID, it.Date, Permalinks(site, it, ""))
			}
			if g := groups[it.TranslationGroup()]; g[it.Language()] != it.ID {
				t.Errorf("post %d (%s) not in its translation group %v", it.ID, it.Language(), g)
			}
			for _, c := range it.Comments {
				comments++
				if c.Type == "pingback" {
					pingbacks++
				}
				if c.Parent != 0 && !seenComment[c.Parent] {
					t.Errorf("comment %d replies to %d, not an earlier comment of the post", c.ID, c.Parent)
				}
				seenComment[c.ID] = true
			}
		}
	}
	if posts != 60 || attachments != 9 || drafts != 8 || comments != 60*11 || pingbacks != 60 {
		t.Errorf("%d posts (%d drafts), %d attachments, %d comments (%d pingbacks)", posts, drafts, attachments, comments, pingbacks)
	}

	// Every body converts, and its images are the attachments.
	opt := BodyOptions{URLs: urls, Photo: func(id int64, _ string) (string, bool) { return photoID(id), id > 0 }}
	for _, it := range items {
		if it.Type != "post" {
			continue
		}
		b, err := ConvertBody(it.Content, opt)
		if err != nil || len(b.Dropped) > 0 || len(b.Attachments) != 1 || b.PreviewBreak == nil {
			t.Errorf("post %d: %v, dropped %q, attachments %v, break %v", it.ID, err, b.Dropped, b.Attachments, b.PreviewBreak)
		}
		if thumb, _ := it.Meta.Get("_thumbnail_id"); thumb != strconv.FormatInt(b.Attachments[0], 10) {
			t.Errorf("post %d shows attachment %v, its featured image is %s", it.ID, b.Attachments, thumb)
		}
		if errs := blocks.Validate(b.Blocks); errs != nil {
			t.Errorf("post %d: %v", it.ID, errs)
		}
	}

	// Deterministic by seed.
	if !bytes.Equal(data, synthetic(t, o)) {
		t.Error("the same options gave different bytes")
	}
	o.Seed++
	if bytes.Equal(data, synthetic(t, o)) {
		t.Error("another seed gave the same bytes")
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteSyntheticError(t *testing.T) {
	err := WriteSynthetic(&failingWriter{after: 100 << 10}, SyntheticOptions{Posts: 500, CommentsPerPost: 3, Attachments: 10})
	if err == nil || err.Error() != "disk full" {
		t.Errorf("error %v, want the writer's", err)
	}
	// Nothing at all is still a valid export.
	_, items := readAll(t, bytes.NewReader(synthetic(t, SyntheticOptions{})), Limits{})
	if len(items) != 0 {
		t.Errorf("%d items", len(items))
	}
}
