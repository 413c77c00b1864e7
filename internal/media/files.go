package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
)

// maxMetaBytes bounds the metadata file read back by loadMeta.
const maxMetaBytes = 64 << 10

// writeFile writes the output of encode to key, as contentType. Unless
// overwrite is set, an existing object is kept and encode is not called:
// keys are content-addressed, so an existing object already has the right
// content. wrote reports whether the object was written.
func (s *Store) writeFile(ctx context.Context, key string, overwrite bool, contentType string, encode func(io.Writer) error) (wrote bool, err error) {
	if !overwrite {
		_, err := s.objects.Stat(ctx, key)
		if err == nil {
			return false, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return false, fmt.Errorf("media: encode %s: %w", key, err)
	}
	if err := s.objects.Put(ctx, key, buf.Bytes(), contentType); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Store) metaPath(hash string) string {
	return path.Join(hash[:2], hash+".json")
}

// saveMeta records img; its presence marks the image as completely stored.
func (s *Store) saveMeta(ctx context.Context, img Image) error {
	_, err := s.writeFile(ctx, s.metaPath(img.Hash), true, "application/json", func(w io.Writer) error {
		return json.NewEncoder(w).Encode(img)
	})
	return err
}

// loadMeta returns the recorded Image for hash if it is present, consistent
// with this store's configuration, and all its files exist. Anything else
// (missing, unreadable, stale) reports false, and the caller regenerates;
// a store that fails is an error (ErrStorage).
func (s *Store) loadMeta(ctx context.Context, hash string) (Image, bool, error) {
	f, err := s.objects.Open(ctx, s.metaPath(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return Image{}, false, nil
	}
	if err != nil {
		return Image{}, false, err
	}
	defer f.Close()
	var img Image
	if err := json.NewDecoder(io.LimitReader(f, maxMetaBytes)).Decode(&img); err != nil {
		if errors.Is(err, ErrStorage) {
			return Image{}, false, err
		}
		return Image{}, false, nil
	}
	return s.consistent(ctx, hash, img)
}

// consistent reports whether img is what this store would produce for hash
// and whether every file it names exists.
func (s *Store) consistent(ctx context.Context, hash string, img Image) (Image, bool, error) {
	var ext string
	switch img.Mime {
	case MimeJPEG:
		ext = ".jpg"
	case MimePNG:
		ext = ".png"
	default:
		return Image{}, false, nil
	}
	if img.Hash != hash || img.Width <= 0 || img.Height <= 0 ||
		img.Original != path.Join(hash[:2], hash+ext) {
		return Image{}, false, nil
	}
	widths := make([]int, len(img.Renditions))
	for i, r := range img.Renditions {
		if r.Path != path.Join(hash[:2], fmt.Sprintf("%s-%d%s", hash, r.Width, ext)) ||
			r.Height != scaledHeight(img.Width, img.Height, r.Width) {
			return Image{}, false, nil
		}
		widths[i] = r.Width
	}
	if !slices.Equal(widths, s.plan(img.Width)) {
		return Image{}, false, nil
	}
	for _, key := range append([]string{img.Original}, renditionPaths(img)...) {
		_, err := s.objects.Stat(ctx, key)
		if errors.Is(err, fs.ErrNotExist) {
			return Image{}, false, nil
		}
		if err != nil {
			return Image{}, false, err
		}
	}
	return img, true, nil
}

func renditionPaths(img Image) []string {
	ps := make([]string, len(img.Renditions))
	for i, r := range img.Renditions {
		ps[i] = r.Path
	}
	return ps
}
