package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"masthead/internal/fault"
)

// ErrStorage is a media store that failed or did not answer (a bucket out
// of reach, a full disk): nothing is wrong with the request, and the same
// request may succeed later. Errors of an Objects wrap it.
var ErrStorage = fault.Unavailable("the media store cannot be reached; try again shortly")

// Objects is where a Store keeps its files, by key: a slash-separated name
// such as "3f/3fa1…c2-640.jpg". Dir keeps them in a folder, Bucket in an
// S3-compatible bucket. Implementations are safe for concurrent use, and
// their errors wrap ErrStorage, except a missing key, which is
// fs.ErrNotExist.
type Objects interface {
	// Put writes data under key, whole or not at all: a reader never sees
	// a partly written object.
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Stat reports the size and time of key.
	Stat(ctx context.Context, key string) (Info, error)
	// Open returns key for reading; the caller closes it.
	Open(ctx context.Context, key string) (*File, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
}

// Info is what Stat knows of an object.
type Info struct {
	Size    int64
	ModTime time.Time
}

// File is an object open for reading, with its Info. Seek lets a server
// answer range requests.
type File struct {
	io.ReadSeekCloser
	Info
}

// Dir keeps objects as files below a folder: the key's slashes are folders.
// It is the default store, one machine's disk.
type Dir struct {
	root string
}

// NewDir returns the store rooted at root, creating the folder if needed.
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("media: empty root")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("media: create root: %w", err)
	}
	return &Dir{root: filepath.Clean(root)}, nil
}

// Root returns the folder.
func (d *Dir) Root() string { return d.root }

// abs returns the filesystem path of a key.
func (d *Dir) abs(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// storageError wraps err in ErrStorage, unless it says the file is missing.
func storageError(op, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %s %s: %w", op, key, fs.ErrNotExist)
	}
	return fmt.Errorf("media: %s %s: %w: %w", op, key, err, ErrStorage)
}

// Put writes data into a temporary file in the key's folder, synced, then
// renamed into place.
func (d *Dir) Put(_ context.Context, key string, data []byte, _ string) (err error) {
	dst := d.abs(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return storageError("create the folder of", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return storageError("write", key, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
			err = storageError("write", key, err)
		}
	}()
	_, err = io.Copy(tmp, bytes.NewReader(data))
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

// Stat reports a regular file's size and modification time; a folder is
// missing.
func (d *Dir) Stat(_ context.Context, key string) (Info, error) {
	fi, err := os.Stat(d.abs(key))
	if err != nil {
		return Info{}, storageError("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, storageError("stat", key, fs.ErrNotExist)
	}
	return Info{Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Open opens a regular file.
func (d *Dir) Open(_ context.Context, key string) (*File, error) {
	f, err := os.Open(d.abs(key))
	if err != nil {
		return nil, storageError("open", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, storageError("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, storageError("open", key, fs.ErrNotExist)
	}
	return &File{ReadSeekCloser: f, Info: Info{Size: fi.Size(), ModTime: fi.ModTime()}}, nil
}

// Delete removes the file; its folder stays.
func (d *Dir) Delete(_ context.Context, key string) error {
	if err := os.Remove(d.abs(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return storageError("delete", key, err)
	}
	return nil
}
