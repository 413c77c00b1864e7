// Package demo loads Masthead's demo content — a fictional newsroom's
// sections, tags, authors, articles, photos and comments, written for the
// project — into an empty database. `serve --demo` uses it, and so do the
// tests, as fixtures. It composes the domain services; it owns no table.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/internal/blocks"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/media"
)

// ErrNotEmpty is returned when the database already has articles: the demo
// never touches real content.
var ErrNotEmpty = errors.New("the database already has content")

// Loader writes the dataset through the domain services.
type Loader struct {
	Content  *content.Service
	Comments *comments.Service
	Media    *media.Store
	Now      func() time.Time // nil: time.Now
	// PictureWidth, when set, draws the pictures this wide instead of their
	// nominal size (tests use small ones; serve uses the real thing).
	PictureWidth int
}

// Summary tells what was loaded.
type Summary struct {
	Articles int
	Photos   int
	Comments int
	// Refs maps the dataset's article refs to the stored IDs.
	Refs map[string]content.Article
}

// Load fills an empty database. It fails with ErrNotEmpty otherwise.
func (l Loader) Load(ctx context.Context) (Summary, error) {
	n, err := l.Content.CountArticles(ctx)
	if err != nil {
		return Summary{}, err
	}
	if n > 0 {
		return Summary{}, ErrNotEmpty
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	ds := dataset()
	sum := Summary{Refs: map[string]content.Article{}}

	sections := map[string]string{}
	for i, s := range ds.Sections { // parents come before their children
		sec, err := l.Content.CreateSection(ctx, content.Section{Slug: s.Slug, ParentID: sections[s.Parent], Names: s.Names, Position: i})
		if err != nil {
			return sum, err
		}
		sections[s.Slug] = sec.ID
	}
	tags := map[string]string{}
	for _, t := range ds.Tags {
		tag, err := l.Content.CreateTag(ctx, content.Tag{Slug: t.Slug, Name: t.Name, Kind: t.Kind})
		if err != nil {
			return sum, err
		}
		tags[t.Slug] = tag.ID
	}
	authors := map[string]string{}
	for _, a := range ds.Authors {
		au, err := l.Content.CreateAuthor(ctx, content.Author{Slug: a.Slug, Name: a.Name, Bio: a.Bio})
		if err != nil {
			return sum, err
		}
		authors[a.Slug] = au.ID
	}

	for _, da := range ds.Articles {
		photo, err := l.photo(ctx, da.Photo)
		if err != nil {
			return sum, fmt.Errorf("article %s: %w", da.Ref, err)
		}
		sum.Photos++
		body := make([]blocks.Block, len(da.Body))
		copy(body, da.Body)
		inline := 0
		for i := range body {
			if body[i].Type != "photo" {
				continue
			}
			if inline >= len(da.InlinePhotos) {
				return sum, fmt.Errorf("article %s: photo block %d has no inline photo", da.Ref, i)
			}
			p, err := l.photo(ctx, da.InlinePhotos[inline])
			if err != nil {
				return sum, fmt.Errorf("article %s: %w", da.Ref, err)
			}
			sum.Photos++
			body[i].PhotoID = p.ID
			inline++
		}
		at := now().UTC().Add(-time.Duration(da.AgeHours) * time.Hour).Truncate(time.Second)
		in := content.ArticleInput{
			Lang: da.Lang, Slug: da.Slug, Title: da.Title, Standfirst: da.Standfirst,
			SectionID: sections[da.Section], PhotoID: photo.ID,
			Source: content.Source{Name: da.SourceName, URL: da.SourceURL},
			Access: content.Access(da.Access), PreviewBreak: da.PreviewBreak,
			Status: content.Status(da.Status), CommentsEnabled: da.CommentsEnabled,
			Body: body,
		}
		if da.TranslationKey != "" && da.TranslationKey != da.Ref {
			in.TranslationKey = da.TranslationKey
		}
		if in.Status != content.StatusDraft {
			in.PublishAt = &at
		}
		for _, t := range da.Tags {
			in.TagIDs = append(in.TagIDs, tags[t])
		}
		for _, a := range da.Authors {
			in.AuthorIDs = append(in.AuthorIDs, authors[a])
		}
		art, err := l.Content.CreateArticle(ctx, in)
		if err != nil {
			return sum, fmt.Errorf("article %s: %w", da.Ref, err)
		}
		sum.Articles++

		ids := map[string]string{}
		for _, dc := range da.Comments {
			c := comments.Comment{
				ArticleID: art.ID, ParentID: ids[dc.Parent], AuthorName: dc.AuthorName,
				Email: dc.Email, Body: dc.Body, Status: comments.Status(dc.Status),
				CreatedAt: now().UTC().Add(-time.Duration(dc.AgeMinutes) * time.Minute),
			}
			if dc.Member {
				c.UserID = content.NewID()
			}
			stored, err := l.Comments.Create(ctx, c)
			if err != nil {
				return sum, fmt.Errorf("article %s comment %s: %w", da.Ref, dc.Ref, err)
			}
			ids[dc.Ref] = stored.ID
			sum.Comments++
		}
		count, err := l.Comments.CountApproved(ctx, art.ID)
		if err != nil {
			return sum, err
		}
		if err := l.Content.SetCommentCount(ctx, art.ID, count); err != nil {
			return sum, err
		}
		art.CommentCount = count
		sum.Refs[da.Ref] = art
	}
	return sum, nil
}

// photo draws a picture, stores its files and records its metadata.
func (l Loader) photo(ctx context.Context, p Picture) (content.Photo, error) {
	w, h := p.Width, p.Height
	if l.PictureWidth > 0 && l.PictureWidth < w {
		w, h = l.PictureWidth, h*l.PictureWidth/w
	}
	data, err := encodeJPEG(drawPicture(p.Seed, w, h))
	if err != nil {
		return content.Photo{}, fmt.Errorf("draw picture %d: %w", p.Seed, err)
	}
	img, err := l.Media.Put(ctx, data)
	if err != nil {
		return content.Photo{}, fmt.Errorf("store picture %d: %w", p.Seed, err)
	}
	rends := make([]content.Rendition, 0, len(img.Renditions))
	for _, r := range img.Renditions {
		rends = append(rends, content.Rendition{Width: r.Width, Height: r.Height, Path: r.Path})
	}
	return l.Content.CreatePhoto(ctx, content.Photo{
		Hash: img.Hash, Width: img.Width, Height: img.Height, Mime: img.Mime, Original: img.Original,
		Renditions: rends, Blurhash: img.Blurhash, DominantColor: img.DominantColor,
		Caption: p.Caption, Credit: p.Credit, Alt: p.Alt, SourceURL: p.SourceURL,
	})
}
