package media

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// maxMetaBytes bounds the metadata file read back by loadMeta.
const maxMetaBytes = 64 << 10

// abs returns the filesystem path of a slash-separated path relative to root.
func (s *Store) abs(rel string) string {
	return filepath.Join(s.root, filepath.FromSlash(rel))
}

func (s *Store) mkdir(rel string) error {
	if err := os.MkdirAll(s.abs(rel), 0o755); err != nil {
		return fmt.Errorf("media: create directory: %w", err)
	}
	return nil
}

// writeFile atomically writes the output of encode to rel: into a temporary
// file in the same directory, synced, then renamed into place. Unless
// overwrite is set, an existing file is kept and encode is not called; files
// are content-addressed, so an existing file already has the right content.
func (s *Store) writeFile(rel string, overwrite bool, encode func(io.Writer) error) (err error) {
	dst := s.abs(rel)
	if !overwrite {
		if _, err := os.Stat(dst); err == nil {
			return nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return fmt.Errorf("media: write %s: %w", rel, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
			err = fmt.Errorf("media: write %s: %w", rel, err)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = encode(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func (s *Store) metaPath(hash string) string {
	return path.Join(hash[:2], hash+".json")
}

// saveMeta records img; its presence marks the image as completely stored.
func (s *Store) saveMeta(img Image) error {
	return s.writeFile(s.metaPath(img.Hash), true, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(img)
	})
}

// loadMeta returns the recorded Image for hash if it is present, consistent
// with this store's configuration, and all its files exist. Anything else
// (missing, unreadable, stale) reports false, and the caller regenerates.
func (s *Store) loadMeta(hash string) (Image, bool) {
	f, err := os.Open(s.abs(s.metaPath(hash)))
	if err != nil {
		return Image{}, false
	}
	defer f.Close()
	var img Image
	if err := json.NewDecoder(io.LimitReader(f, maxMetaBytes)).Decode(&img); err != nil {
		return Image{}, false
	}
	if !s.consistent(hash, img) {
		return Image{}, false
	}
	return img, true
}

// consistent reports whether img is what this store would produce for hash
// and whether every file it names exists.
func (s *Store) consistent(hash string, img Image) bool {
	var ext string
	switch img.Mime {
	case MimeJPEG:
		ext = ".jpg"
	case MimePNG:
		ext = ".png"
	default:
		return false
	}
	if img.Hash != hash || img.Width <= 0 || img.Height <= 0 ||
		img.Original != path.Join(hash[:2], hash+ext) {
		return false
	}
	widths := make([]int, len(img.Renditions))
	for i, r := range img.Renditions {
		if r.Path != path.Join(hash[:2], fmt.Sprintf("%s-%d%s", hash, r.Width, ext)) ||
			r.Height != scaledHeight(img.Width, img.Height, r.Width) {
			return false
		}
		widths[i] = r.Width
	}
	if !slices.Equal(widths, s.plan(img.Width)) {
		return false
	}
	for _, rel := range append([]string{img.Original}, renditionPaths(img)...) {
		if _, err := os.Stat(s.abs(rel)); err != nil {
			return false
		}
	}
	return true
}

func renditionPaths(img Image) []string {
	ps := make([]string, len(img.Renditions))
	for i, r := range img.Renditions {
		ps[i] = r.Path
	}
	return ps
}
