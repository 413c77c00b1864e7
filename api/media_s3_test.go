package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/config"
	"masthead/internal/store"
)

const testBucket = "photos"

// fakeS3 is an S3-compatible server in the test process (gofakes3, in
// memory) behind a real HTTP listener; down makes it drop every
// connection, as a server out of reach would.
type fakeS3 struct {
	backend *s3mem.Backend
	url     string
	down    atomic.Bool

	mu   sync.Mutex
	puts map[string]http.Header // key -> headers of its last PUT
}

func startFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New(), puts: map[string]http.Header{}}
	if err := f.backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	s3 := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		if key, ok := strings.CutPrefix(r.URL.Path, "/"+testBucket+"/"); ok && r.Method == http.MethodPut {
			f.mu.Lock()
			f.puts[key] = r.Header.Clone()
			f.mu.Unlock()
		}
		s3.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// configure points the application's media at the fake bucket.
func (f *fakeS3) configure(c *config.Config) {
	c.MediaStorage = "s3"
	c.MediaS3Endpoint = strings.TrimPrefix(f.url, "http://")
	c.MediaS3Bucket = testBucket
	c.MediaS3AccessKeyID, c.MediaS3SecretAccessKey = "test-key", "test-secret"
	c.MediaS3TLS, c.MediaS3PathStyle = false, true
}

// objects returns every object of the bucket with its bytes.
func (f *fakeS3) objects(t *testing.T) map[string][]byte {
	t.Helper()
	list, err := f.backend.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, c := range list.Contents {
		obj, err := f.backend.GetObject(testBucket, c.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[c.Key] = b
	}
	return out
}

func TestMediaInS3(t *testing.T) {
	t.Parallel()
	s3 := startFakeS3(t)
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: s3.configure})
	if a.MediaRoot != "" {
		t.Errorf("MediaRoot %q with an S3 store", a.MediaRoot)
	}
	editor := a.Token(access.RoleEditor)

	up := upload(a, editor, "valley.jpg", "image/jpeg", jpegBytes(t, 400, 200), map[string]string{"caption": "La vallée"})
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	var ph photoBody
	up.JSON(t, &ph)
	if len(ph.Renditions) == 0 {
		t.Fatal("no rendition")
	}

	// The original, each rendition and the metadata are in the bucket,
	// named as on disk, with their type and an immutable Cache-Control.
	objs := s3.objects(t)
	if len(objs) != len(ph.Renditions)+2 {
		t.Errorf("bucket holds %d objects, want %d renditions + original + metadata: %v", len(objs), len(ph.Renditions), keysOf(objs))
	}
	for _, r := range ph.Renditions {
		key, ok := strings.CutPrefix(r.URL, "/media/")
		if !ok {
			t.Fatalf("rendition URL %q", r.URL)
		}
		body, ok := objs[key]
		if !ok {
			t.Fatalf("no object %s in %v", key, keysOf(objs))
		}
		head, err := s3.backend.HeadObject(testBucket, key)
		if err != nil {
			t.Fatal(err)
		}
		if ct := head.Metadata["Content-Type"]; ct != "image/jpeg" {
			t.Errorf("%s stored as %q", key, ct)
		}
		// gofakes3 keeps no Cache-Control: the PUT is what tells.
		s3.mu.Lock()
		cc := s3.puts[key].Get("Cache-Control")
		s3.mu.Unlock()
		if cc != cacheForever {
			t.Errorf("%s put with Cache-Control %q", key, cc)
		}

		// Through Masthead: the same bytes and headers as from a folder.
		m := a.Get(r.URL, "")
		if m.Status != http.StatusOK || !bytes.Equal(m.Body, body) {
			t.Fatalf("GET %s: %d, %d bytes, want the bucket's %d", r.URL, m.Status, len(m.Body), len(body))
		}
		for k, want := range map[string]string{
			"Content-Type": "image/jpeg", "Cache-Control": cacheForever, "Content-Security-Policy": wantMediaCSP,
			"X-Content-Type-Options": "nosniff",
		} {
			if got := m.Header.Get(k); got != want {
				t.Errorf("GET %s: %s %q, want %q", r.URL, k, got, want)
			}
		}
		etag := m.Header.Get("ETag")
		if etag == "" || !strings.Contains(key, strings.Trim(etag, `"`)) {
			t.Errorf("GET %s: ETag %q", r.URL, etag)
		}
		if nm := a.Get(r.URL, "", "If-None-Match", etag); nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("If-None-Match %s: %d, %d bytes", etag, nm.Status, len(nm.Body))
		}
		rg := a.Get(r.URL, "", "Range", "bytes=0-9")
		if rg.Status != http.StatusPartialContent || !bytes.Equal(rg.Body, body[:10]) {
			t.Errorf("Range: %d %d bytes", rg.Status, len(rg.Body))
		}
	}
	for _, p := range []string{"/media/nope.jpg", "/media/" + ph.Renditions[0].URL[len("/media/"):len("/media/")+2] + "/missing.jpg"} {
		if m := a.Get(p, ""); m.Status != http.StatusNotFound || m.Map(t)["code"] != "not_found" {
			t.Errorf("GET %s: %d %s", p, m.Status, m.Body)
		}
	}
	// The metadata object is never served.
	for key := range objs {
		if strings.HasSuffix(key, ".json") {
			if m := a.Get("/media/"+key, ""); m.Status != http.StatusNotFound {
				t.Errorf("GET metadata %s: %d", key, m.Status)
			}
		}
	}

	// The same bytes again: a second photo, no new object.
	var twin photoBody
	upload(a, editor, "valley-again.jpg", "image/jpeg", jpegBytes(t, 400, 200), nil).JSON(t, &twin)
	if twin.ID == "" || twin.ID == ph.ID || len(s3.objects(t)) != len(objs) {
		t.Fatalf("second upload: %q, %d objects", twin.ID, len(s3.objects(t)))
	}

	// Deleting one of the two keeps the shared objects; the last one
	// takes them away.
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+twin.ID, editor, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete twin: %d %s", r.Status, r.Body)
	}
	if n := len(s3.objects(t)); n != len(objs) {
		t.Errorf("%d objects after deleting one of two photos, want %d", n, len(objs))
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+ph.ID, editor, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if left := s3.objects(t); len(left) != 0 {
		t.Errorf("objects left after deleting the photo: %v", keysOf(left))
	}
	if m := a.Get(ph.Renditions[0].URL, ""); m.Status != http.StatusNotFound {
		t.Errorf("deleted file: %d", m.Status)
	}
}

// A bucket out of reach is a 503 problem: no photo recorded, no object
// left behind, and the files already stored answer 503, not 500 or 404.
func TestMediaInS3Down(t *testing.T) {
	t.Parallel()
	s3 := startFakeS3(t)
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: s3.configure})
	editor := a.Token(access.RoleEditor)

	var ph photoBody
	upload(a, editor, "before.jpg", "image/jpeg", jpegBytes(t, 300, 200), nil).JSON(t, &ph)
	if ph.ID == "" || len(ph.Renditions) == 0 {
		t.Fatal("upload before the outage failed")
	}
	photos, objects := countPhotos(t, a), len(s3.objects(t))

	s3.down.Store(true)
	up := upload(a, editor, "during.jpg", "image/jpeg", jpegBytes(t, 320, 200), nil)
	if up.Status != http.StatusServiceUnavailable || up.Map(t)["code"] != "unavailable" || up.Header.Get("Retry-After") == "" {
		t.Errorf("upload with the bucket down: %d %v %s", up.Status, up.Header, up.Body)
	}
	if m := a.Get(ph.Renditions[0].URL, ""); m.Status != http.StatusServiceUnavailable || m.Map(t)["code"] != "unavailable" {
		t.Errorf("GET a file with the bucket down: %d %s", m.Status, m.Body)
	}
	s3.down.Store(false)

	if n := countPhotos(t, a); n != photos {
		t.Errorf("%d photos after the failed upload, were %d", n, photos)
	}
	if n := len(s3.objects(t)); n != objects {
		t.Errorf("%d objects after the failed upload, were %d", n, objects)
	}
	// Back up: the same upload goes through.
	if r := upload(a, editor, "during.jpg", "image/jpeg", jpegBytes(t, 320, 200), nil); r.Status != http.StatusCreated {
		t.Errorf("upload after the outage: %d %s", r.Status, r.Body)
	}
}

// A row that cannot be written takes back the objects its upload wrote.
func TestMediaInS3RowFails(t *testing.T) {
	t.Parallel()
	s3 := startFakeS3(t)
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: s3.configure})
	// A trigger refusing new photos stands for a database that fails
	// after the files are written.
	refuse := []string{`CREATE TRIGGER refuse_photos BEFORE INSERT ON photos BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	if a.DB.Dialect == store.Postgres {
		refuse = []string{
			`CREATE FUNCTION refuse_photos() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_photos BEFORE INSERT ON photos FOR EACH ROW EXECUTE FUNCTION refuse_photos()`,
		}
	}
	for _, q := range refuse {
		if err := a.DB.Write(t.Context()).Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	a.Validate = false // the spec lists no 500
	r := upload(a, a.Token(access.RoleEditor), "refused.jpg", "image/jpeg", jpegBytes(t, 300, 200), nil)
	if r.Status != http.StatusInternalServerError {
		t.Errorf("upload with the row refused: %d %s", r.Status, r.Body)
	}
	if left := s3.objects(t); len(left) != 0 {
		t.Errorf("objects left by the refused upload: %v", keysOf(left))
	}
	if n := countPhotos(t, a); n != 0 {
		t.Errorf("%d photos", n)
	}
}

// With media-public-url, photo URLs point at the bucket or CDN (feeds and
// ninjs take the same base: absMediaURL).
func TestMediaPublicURL(t *testing.T) {
	t.Parallel()
	s3 := startFakeS3(t)
	const cdn = "https://cdn.example/masthead"
	a := apitest.New(t, apitest.Options{NoDemo: true, Configure: func(c *config.Config) {
		s3.configure(c)
		c.MediaPublicURL = cdn // no trailing slash: one is added
	}})
	up := upload(a, a.Token(access.RoleEditor), "cdn.jpg", "image/jpeg", jpegBytes(t, 400, 200), nil)
	var ph photoBody
	up.JSON(t, &ph)
	if len(ph.Renditions) == 0 {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	objs := s3.objects(t)
	for _, r := range ph.Renditions {
		key, ok := strings.CutPrefix(r.URL, cdn+"/")
		if !ok {
			t.Fatalf("rendition URL %q is not on %s", r.URL, cdn)
		}
		if _, ok := objs[key]; !ok {
			t.Errorf("%s names no object", r.URL)
		}
	}
	var got photoBody
	a.Get("/v1/photos/"+ph.ID, "").JSON(t, &got)
	if len(got.Renditions) == 0 || got.Renditions[0].URL != ph.Renditions[0].URL {
		t.Errorf("GET photo: %+v", got.Renditions)
	}
}

func keysOf(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
