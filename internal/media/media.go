// Package media stores photos, named by the SHA-256 of their bytes,
// together with downscaled renditions, a blurhash and a dominant colour.
// The files go to an Objects: a folder on disk (Dir, the default) or an
// S3-compatible bucket (Bucket) that every process shares.
//
// Input is treated as hostile: the type is sniffed from magic bytes, the size,
// the pixel count and the memory that decoding needs (estimated from the
// header, see Store.Cost) are checked before any pixel is decoded, at most
// Limits.Decodes images are decoded at once, and everything written is
// re-encoded from pixels so that metadata such as EXIF (including GPS
// positions) never reaches disk.
//
// Keys (paths under the folder, names in the bucket), for a hash h whose
// first two hex digits are hh:
//
//	hh/h.jpg        the full-size original, re-encoded (or h.png)
//	hh/h-640.jpg    one file per rendition width
//	hh/h.json       the Image metadata, written last as a commit marker
//
// Storing the same bytes again returns the recorded Image without decoding.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/fault"
)

// Sentinel errors returned (wrapped) by Put and ContentType.
var (
	// ErrUnsupported means the bytes are not JPEG, PNG, GIF or WebP.
	ErrUnsupported = errors.New("unsupported image type")
	// ErrTooLarge means the input exceeds Limits.MaxBytes, Limits.MaxPixels
	// or Limits.MaxDecoded; the latter two come as a *TooLargeError.
	ErrTooLarge = errors.New("image too large")
	// ErrBusy means no decoding slot freed up before the context's deadline:
	// the upload may succeed a moment later.
	ErrBusy = fault.Unavailable("the server is busy decoding other photos; try again after the delay in Retry-After")
	// ErrCorrupt means the type was recognised but the image could not be
	// decoded (bad header, truncated or damaged data).
	ErrCorrupt = errors.New("corrupt image")
)

// Default limits used when a Limits field is zero or negative.
const (
	DefaultMaxBytes   int64 = 20 << 20
	DefaultMaxPixels        = 50_000_000
	DefaultMaxDecoded int64 = 256 << 20
	DefaultDecodes          = 2
)

// releaseAbove is the cost above which Put hands the freed memory back to
// the operating system as soon as the image is done. The Go runtime keeps
// freed heap for reuse and returns it only slowly (a 400 MB decode left
// the process at 800 MB); a forced collection costs a few milliseconds,
// nothing next to a decode of this size.
const releaseAbove = 64 << 20

// TooLargeError is a refusal by the header: too many pixels, or more memory
// to decode than the limit. It matches ErrTooLarge.
type TooLargeError struct {
	Width, Height int
	// Need is the cost of decoding (Store.Cost) and Limit the largest
	// allowed, both in bytes; or, for a refusal by pixel count, the pixel
	// count and its limit.
	Need, Limit int64
	Pixels      bool // the pixel count was refused, not the cost
}

func (e *TooLargeError) Error() string {
	if e.Pixels {
		return fmt.Sprintf("media: %dx%d is %d pixels, over the limit of %d pixels", e.Width, e.Height, e.Need, e.Limit)
	}
	return fmt.Sprintf("media: %dx%d needs %d bytes to decode, over the limit of %d bytes", e.Width, e.Height, e.Need, e.Limit)
}

func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

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

// Limits bounds what Put accepts and how much it decodes at once.
type Limits struct {
	MaxBytes  int64 // size of the input; default DefaultMaxBytes
	MaxPixels int   // width*height from the header; default DefaultMaxPixels
	// MaxDecoded bounds the cost of an image (Store.Cost), in bytes;
	// default DefaultMaxDecoded.
	MaxDecoded int64
	// Decodes is how many Puts may decode at once; the others wait for a
	// slot. Default DefaultDecodes.
	Decodes int
}

// DecodeStats counts the decodes of a Store since it was made.
type DecodeStats struct {
	Active  int64 // decoding now
	Waiting int64 // waiting for a slot now
	Peak    int64 // most decoding at once
	Total   int64 // decodes started
}

// Store makes images and their renditions and writes them to its Objects.
// It is safe for concurrent use.
type Store struct {
	objects Objects
	widths  []int // ascending, unique, positive
	limits  Limits

	mu       sync.Mutex
	inflight map[string]chan struct{} // hash -> closed when that Put ends

	slots                         chan struct{} // one token per decode running
	active, waiting, peak, starts atomic.Int64
	// decoding, when set (by tests), is called while a slot is held,
	// before the image is decoded.
	decoding func()
}

// NewStore returns a Store on the folder root (a Dir), creating the folder
// if needed; see New.
func NewStore(root string, widths []int, limits Limits) (*Store, error) {
	d, err := NewDir(root)
	if err != nil {
		return nil, err
	}
	return New(d, widths, limits)
}

// New returns a Store writing to objects. widths are the rendition widths
// to produce, e.g. []int{320, 640, 1280}; their order does not matter and
// they must be positive. Zero or negative limits are replaced by the
// defaults.
func New(objects Objects, widths []int, limits Limits) (*Store, error) {
	if objects == nil {
		return nil, errors.New("media: no objects store")
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
	if limits.MaxDecoded <= 0 {
		limits.MaxDecoded = DefaultMaxDecoded
	}
	if limits.Decodes <= 0 {
		limits.Decodes = DefaultDecodes
	}
	return &Store{
		objects:  objects,
		widths:   ws,
		limits:   limits,
		inflight: make(map[string]chan struct{}),
		slots:    make(chan struct{}, limits.Decodes),
	}, nil
}

// Decodes reports the decodes of the store so far.
func (s *Store) Decodes() DecodeStats {
	return DecodeStats{Active: s.active.Load(), Waiting: s.waiting.Load(), Peak: s.peak.Load(), Total: s.starts.Load()}
}

// Cost returns the memory, in bytes, that Put would need to decode data and
// make its renditions, estimated from the header alone (see cost.go), and
// the header's width and height. Errors wrap ErrUnsupported or ErrCorrupt.
func (s *Store) Cost(data []byte) (cost int64, width, height int, err error) {
	f, err := sniff(data)
	if err != nil {
		return 0, 0, 0, err
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("media: read %s header: %w: %w", f.mime, err, ErrCorrupt)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, 0, fmt.Errorf("media: %s header has size %dx%d: %w", f.mime, cfg.Width, cfg.Height, ErrCorrupt)
	}
	return s.cost(f, cfg, data), cfg.Width, cfg.Height, nil
}

// check refuses data whose header announces more pixels or a larger cost
// than the limits, before anything is decoded.
func (s *Store) check(data []byte) (cost int64, width, height int, err error) {
	cost, w, h, err := s.Cost(data)
	if err != nil {
		return 0, 0, 0, err
	}
	if px := int64(w) * int64(h); px > int64(s.limits.MaxPixels) {
		return 0, 0, 0, &TooLargeError{Width: w, Height: h, Need: px, Limit: int64(s.limits.MaxPixels), Pixels: true}
	}
	if cost > s.limits.MaxDecoded {
		return 0, 0, 0, &TooLargeError{Width: w, Height: h, Need: cost, Limit: s.limits.MaxDecoded}
	}
	return cost, w, h, nil
}

// acquire waits for a decoding slot, as long as ctx allows. A deadline
// passing while waiting is ErrBusy; a cancellation is ctx's error.
func (s *Store) acquire(ctx context.Context) (release func(), err error) {
	s.waiting.Add(1)
	select {
	case s.slots <- struct{}{}:
		s.waiting.Add(-1)
	case <-ctx.Done():
		s.waiting.Add(-1)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("media: waited for a decoding slot until the deadline: %w", ErrBusy)
		}
		return nil, ctx.Err()
	}
	n := s.active.Add(1)
	s.starts.Add(1)
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	return func() {
		s.active.Add(-1)
		<-s.slots
	}, nil
}

// Root returns the folder the store writes to, or "" when its Objects are
// not a Dir.
func (s *Store) Root() string {
	if d, ok := s.objects.(*Dir); ok {
		return d.Root()
	}
	return ""
}

// Objects returns where the store keeps its files.
func (s *Store) Objects() Objects { return s.objects }

// Put stores data and returns its description.
//
// The type is sniffed from the bytes, never a name. The byte size, and the
// pixel count and the cost (Cost) announced by the header, are checked
// against the limits before the image is decoded; then Put waits for one of
// the Limits.Decodes slots (ErrBusy if ctx's deadline passes first). The
// decoded image is turned per its EXIF orientation,
// then the original and the renditions are re-encoded and written atomically.
// Renditions are never upscaled: widths at or above the source width are
// skipped, and when no configured width is smaller than the source, the source
// width itself is the one rendition.
//
// Storing the same bytes twice writes them once: files already present are
// reused. Errors wrap ErrUnsupported, ErrTooLarge or ErrCorrupt where the
// input is at fault, ErrStorage where the Objects failed; ctx is checked
// between steps. What a failed Put wrote is deleted again.
func (s *Store) Put(ctx context.Context, data []byte) (Image, error) {
	return s.PutThen(ctx, data, nil)
}

// PutThen is Put, then commit (when not nil) with the stored image, while
// no other call of this Store on the same bytes runs (see Remove): the
// caller records the image there, such as a database row. When commit
// fails, the files this call wrote are deleted again, and its error is
// returned; files that were already stored are kept, since another record
// may name them.
func (s *Store) PutThen(ctx context.Context, data []byte, commit func(Image) error) (Image, error) {
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
	cost, w, h, err := s.check(data)
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

	img, stored, err := s.loadMeta(ctx, hash)
	if err != nil {
		return Image{}, err
	}
	var wrote []string
	if !stored {
		img, wrote, err = s.decodeAndWrite(ctx, f, hash, data, w, h, cost)
		if err == nil {
			err = s.saveMeta(ctx, img)
		}
		if err != nil {
			s.takeBack(ctx, wrote)
			return Image{}, err
		}
	}
	if commit != nil {
		if err := commit(img); err != nil {
			if !stored {
				// The metadata first: without it, the image counts as not
				// stored, whatever remains of it.
				s.takeBack(ctx, append([]string{s.metaPath(hash)}, wrote...))
			}
			return Image{}, err
		}
	}
	return img, nil
}

// cleanupTimeout bounds the deletions after a failed Put or a Remove that
// run when the request's own context is over.
const cleanupTimeout = 10 * time.Second

// takeBack deletes keys, as far as the store lets it: a key left behind is
// an unused file, never a record naming a missing one.
func (s *Store) takeBack(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, k := range keys {
		if s.objects.Delete(ctx, k) != nil {
			return
		}
	}
}

// Remove deletes the files of img (its metadata first, then the original
// and the renditions), unless inUse, asked while no Put of the same hash
// runs in this Store, reports that a record still names them: files are
// shared by every photo made from the same bytes. Errors wrap ErrStorage.
//
// Between processes nothing serialises a Remove and a Put of the same
// bytes: a Put whose record is written between inUse and the deletions
// names files that are gone. The window is narrow (the same picture
// uploaded again while its last photo is deleted).
func (s *Store) Remove(ctx context.Context, img Image, inUse func(context.Context) (bool, error)) error {
	if len(img.Hash) < 2 {
		return fmt.Errorf("media: remove: bad hash %q", img.Hash)
	}
	release, err := s.lock(ctx, img.Hash)
	if err != nil {
		return err
	}
	defer release()
	if inUse != nil {
		used, err := inUse(ctx)
		if err != nil || used {
			return err
		}
	}
	for _, k := range append([]string{s.metaPath(img.Hash), img.Original}, renditionPaths(img)...) {
		if k == "" {
			continue
		}
		if err := s.objects.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Open returns a stored file for reading; a missing one is fs.ErrNotExist.
func (s *Store) Open(ctx context.Context, key string) (*File, error) {
	return s.objects.Open(ctx, key)
}

// decodeAndWrite runs process in a decoding slot, then gives the memory of
// a large decode back to the operating system.
func (s *Store) decodeAndWrite(ctx context.Context, f format, hash string, data []byte, w, h int, cost int64) (Image, []string, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return Image{}, nil, err
	}
	if s.decoding != nil {
		s.decoding()
	}
	img, wrote, err := s.process(ctx, f, hash, data, w, h)
	release()
	if cost > releaseAbove {
		debug.FreeOSMemory()
	}
	return img, wrote, err
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
