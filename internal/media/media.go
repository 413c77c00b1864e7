// Package media stores photos on disk, named by the SHA-256 of their bytes,
// together with downscaled renditions, a blurhash and a dominant colour.
//
// Input is treated as hostile: the type is sniffed from magic bytes, the size
// and the pixel count announced by the header are checked before any pixel is
// decoded, and everything written is re-encoded from pixels so that metadata
// such as EXIF (including GPS positions) never reaches disk.
//
// Layout under the root, for a hash h whose first two hex digits are hh:
//
//	hh/h.jpg        the full-size original, re-encoded (or h.png)
//	hh/h-640.jpg    one file per rendition width
//	hh/h.json       the Image metadata, written last as a commit marker
//
// Storing the same bytes again returns the recorded Image without decoding.
package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Sentinel errors returned (wrapped) by Put and ContentType.
var (
	// ErrUnsupported means the bytes are not JPEG, PNG, GIF or WebP.
	ErrUnsupported = errors.New("unsupported image type")
	// ErrTooLarge means the input exceeds Limits.MaxBytes or Limits.MaxPixels.
	ErrTooLarge = errors.New("image too large")
	// ErrCorrupt means the type was recognised but the image could not be
	// decoded (bad header, truncated or damaged data).
	ErrCorrupt = errors.New("corrupt image")
)

// Default limits used when a Limits field is zero or negative.
const (
	DefaultMaxBytes  int64 = 20 << 20
	DefaultMaxPixels       = 50_000_000
)

// Rendition is one stored downscaled copy of an image.
type Rendition struct {
	Width, Height int
	// Path is relative to the store root and slash-separated,
	// e.g. "3f/3fa1…c2-640.jpg".
	Path string
}

// Image describes a stored image.
type Image struct {
	Hash          string      // hex SHA-256 of the input bytes
	Width, Height int         // after EXIF orientation is applied
	Mime          string      // of the stored files: "image/jpeg" or "image/png"
	Blurhash      string      // 4x3 components
	DominantColor string      // "#rrggbb", the mean colour of the image
	Original      string      // relative path of the full-size re-encoded file
	Renditions    []Rendition // ascending width
}

// Limits bounds what Put accepts.
type Limits struct {
	MaxBytes  int64 // size of the input; default DefaultMaxBytes
	MaxPixels int   // width*height from the header; default DefaultMaxPixels
}

// Store writes images and their renditions below a root directory.
// It is safe for concurrent use.
type Store struct {
	root   string
	widths []int // ascending, unique, positive
	limits Limits

	mu       sync.Mutex
	inflight map[string]chan struct{} // hash -> closed when that Put ends
}

// NewStore returns a Store rooted at root, creating the directory if needed.
// widths are the rendition widths to produce, e.g. []int{320, 640, 1280};
// their order does not matter and they must be positive. Zero or negative
// limits are replaced by the defaults.
func NewStore(root string, widths []int, limits Limits) (*Store, error) {
	if root == "" {
		return nil, errors.New("media: empty root")
	}
	ws := slices.Clone(widths)
	for _, w := range ws {
		if w <= 0 {
			return nil, fmt.Errorf("media: rendition width %d is not positive", w)
		}
	}
	slices.Sort(ws)
	ws = slices.Compact(ws)
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultMaxBytes
	}
	if limits.MaxPixels <= 0 {
		limits.MaxPixels = DefaultMaxPixels
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("media: create root: %w", err)
	}
	return &Store{
		root:     filepath.Clean(root),
		widths:   ws,
		limits:   limits,
		inflight: make(map[string]chan struct{}),
	}, nil
}

// Root returns the directory the store writes to.
func (s *Store) Root() string { return s.root }

// Put stores data and returns its description.
//
// The type is sniffed from the bytes, never a name. The byte size and the
// pixel count announced by the header are checked against the limits before
// the image is decoded. The decoded image is turned per its EXIF orientation,
// then the original and the renditions are re-encoded and written atomically.
// Renditions are never upscaled: widths at or above the source width are
// skipped, and when no configured width is smaller than the source, the source
// width itself is the one rendition.
//
// Storing the same bytes twice writes them once: files already present are
// reused. Errors wrap ErrUnsupported, ErrTooLarge or ErrCorrupt where the
// input is at fault; ctx is checked between steps.
func (s *Store) Put(ctx context.Context, data []byte) (Image, error) {
	if err := ctx.Err(); err != nil {
		return Image{}, err
	}
	if int64(len(data)) > s.limits.MaxBytes {
		return Image{}, fmt.Errorf("media: %d bytes exceeds the limit of %d bytes: %w",
			len(data), s.limits.MaxBytes, ErrTooLarge)
	}
	f, err := sniff(data)
	if err != nil {
		return Image{}, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])

	release, err := s.lock(ctx, hash)
	if err != nil {
		return Image{}, err
	}
	defer release()

	if img, ok := s.loadMeta(hash); ok {
		return img, nil
	}
	img, err := s.process(ctx, f, hash, data)
	if err != nil {
		return Image{}, err
	}
	if err := s.saveMeta(img); err != nil {
		return Image{}, err
	}
	return img, nil
}

// lock serialises Puts of the same hash within this Store so that a second,
// concurrent Put of the same bytes waits and then reuses the first one's work.
func (s *Store) lock(ctx context.Context, hash string) (release func(), err error) {
	for {
		s.mu.Lock()
		ch, busy := s.inflight[hash]
		if !busy {
			ch = make(chan struct{})
			s.inflight[hash] = ch
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.inflight, hash)
				s.mu.Unlock()
				close(ch)
			}, nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// plan returns the rendition widths for a source srcW pixels wide.
func (s *Store) plan(srcW int) []int {
	var ws []int
	for _, w := range s.widths {
		if w < srcW {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		ws = []int{srcW}
	}
	return ws
}
