package media

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeBucket serves an in-memory S3 (gofakes3) over real HTTP and returns
// the options that reach bucket on it.
func fakeBucket(t *testing.T, buckets ...string) (BucketOptions, *s3mem.Backend) {
	t.Helper()
	be := s3mem.New()
	for _, b := range buckets {
		if err := be.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	return BucketOptions{
		Endpoint: strings.TrimPrefix(srv.URL, "http://"), Bucket: "photos",
		AccessKeyID: "k", SecretAccessKey: "s", PathStyle: true,
	}, be
}

func TestNewBucketChecksTheBucket(t *testing.T) {
	t.Parallel()
	o, _ := fakeBucket(t, "other")
	_, err := NewBucket(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), `bucket "photos" does not exist`) {
		t.Errorf("missing bucket: %v", err)
	}

	// Nothing listens: refused at once, naming the bucket.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Endpoint = l.Addr().String()
	l.Close()
	_, err = NewBucket(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), `cannot check bucket "photos"`) || strings.Contains(err.Error(), o.SecretAccessKey+"@") {
		t.Errorf("unreachable endpoint: %v", err)
	}

	if _, err := NewBucket(t.Context(), BucketOptions{Endpoint: "s3.example"}); err == nil {
		t.Error("no bucket accepted")
	}
}

// The Objects contract, on a folder and on a bucket alike.
func TestObjects(t *testing.T) {
	t.Parallel()
	o, _ := fakeBucket(t, "photos")
	b, err := NewBucket(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, objs := range map[string]Objects{"dir": d, "bucket": b} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			key := "ab/abcdef-320.jpg"
			if _, err := objs.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat of a missing key: %v", err)
			}
			if _, err := objs.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open of a missing key: %v", err)
			}
			data := bytes.Repeat([]byte("0123456789"), 1000)
			if err := objs.Put(ctx, key, data, MimeJPEG); err != nil {
				t.Fatal(err)
			}
			if info, err := objs.Stat(ctx, key); err != nil || info.Size != int64(len(data)) || info.ModTime.IsZero() {
				t.Errorf("Stat: %+v %v", info, err)
			}
			f, err := objs.Open(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if f.Size != int64(len(data)) {
				t.Errorf("Open: size %d", f.Size)
			}
			if _, err := f.Seek(9990, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			tail, err := io.ReadAll(f)
			f.Close()
			if err != nil || !bytes.Equal(tail, data[9990:]) {
				t.Errorf("read after Seek: %q %v", tail, err)
			}
			if err := objs.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := objs.Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat after Delete: %v", err)
			}
			if err := objs.Delete(ctx, key); err != nil {
				t.Errorf("Delete of a missing key: %v", err)
			}
		})
	}
}

// A Store on a bucket stores, reuses and removes as on a folder.
func TestStoreOnBucket(t *testing.T) {
	t.Parallel()
	o, be := fakeBucket(t, "photos")
	b, err := NewBucket(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(b, []int{64, 128}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Root() != "" {
		t.Errorf("Root() = %q on a bucket", s.Root())
	}
	data := encJPEG(t, pattern(300, 200))
	img, err := s.Put(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	keys := func() []string {
		list, err := be.ListBucket("photos", nil, gofakes3.ListBucketPage{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list.Contents {
			out = append(out, c.Key)
		}
		return out
	}
	want := []string{img.Original, img.Renditions[0].Path, img.Renditions[1].Path, s.metaPath(img.Hash)}
	if got := keys(); len(got) != len(want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	again, err := s.Put(t.Context(), data)
	if err != nil || again.Original != img.Original || again.Blurhash != img.Blurhash {
		t.Errorf("second Put: %+v %v", again, err)
	}
	if err := s.Remove(t.Context(), img, nil); err != nil {
		t.Fatal(err)
	}
	if got := keys(); len(got) != 0 {
		t.Errorf("keys after Remove: %q", got)
	}
}
