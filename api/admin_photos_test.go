package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	_ "image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/app"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/media"
)

// testImage draws a w×h picture with gradients and some texture, so that
// encoders have real work to do and renditions differ from each other.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(x * 255 / max(w-1, 1))
			img.Pix[i+1] = uint8(y * 255 / max(h-1, 1))
			img.Pix[i+2] = uint8((x ^ y) & 0xff)
			img.Pix[i+3] = 0xff
		}
	}
	return img
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBytes is a PNG with a translucent left half: the store keeps pictures
// with transparency as PNG (opaque ones become JPEG, whatever came in).
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := testImage(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w/2; x++ {
			img.Pix[img.PixOffset(x, y)+3] = 0x80
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data))) // a bytes.Buffer does not fail
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// bombPNG is a valid PNG header announcing w×h RGB pixels, followed by a
// token IDAT: decoding it fully would need w*h*3 bytes.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// gpsMark is the GPSMapDatum written into the test EXIF; it must never
// reach a stored file.
const gpsMark = "MASTHEAD-GPS-MARK"

// gpsLatitude is 48° 51' 24.06" as three little-endian RATIONALs.
var gpsLatitude = []uint32{48, 1, 51, 1, 2406, 100}

// exifAPP1 builds, by hand, an APP1 "Exif" segment with a little-endian TIFF
// body: IFD0 holds Orientation and a pointer to a GPS IFD with latitude
// reference, latitude and map datum.
func exifAPP1(orientation uint16) []byte {
	le := binary.LittleEndian
	var tiff bytes.Buffer
	w16 := func(v uint16) { _ = binary.Write(&tiff, le, v) } // a bytes.Buffer does not fail
	w32 := func(v uint32) { _ = binary.Write(&tiff, le, v) }
	entry := func(tag, typ uint16, count, value uint32) { w16(tag); w16(typ); w32(count); w32(value) }

	const ifd0 = 8
	const gpsIFD = ifd0 + 2 + 2*12 + 4 // 38
	const gpsData = gpsIFD + 2 + 3*12 + 4
	const markAt = gpsData + 6*4
	tiff.WriteString("II")
	w16(42)
	w32(ifd0)
	// IFD0
	w16(2)
	entry(0x0112, 3, 1, uint32(orientation)) // Orientation, SHORT, inline
	entry(0x8825, 4, 1, gpsIFD)              // GPSInfo IFD pointer
	w32(0)
	// GPS IFD
	w16(3)
	entry(0x0001, 2, 2, uint32('N'))                 // GPSLatitudeRef "N\0", inline
	entry(0x0002, 5, 3, gpsData)                     // GPSLatitude
	entry(0x0012, 2, uint32(len(gpsMark)+1), markAt) // GPSMapDatum
	w32(0)
	for _, v := range gpsLatitude {
		w32(v)
	}
	tiff.WriteString(gpsMark + "\x00")

	var seg bytes.Buffer
	seg.Write([]byte{0xFF, 0xE1})
	_ = binary.Write(&seg, binary.BigEndian, uint16(2+6+tiff.Len()))
	seg.WriteString("Exif\x00\x00")
	seg.Write(tiff.Bytes())
	return seg.Bytes()
}

// withSegment inserts a JPEG segment right after SOI.
func withSegment(jpg, seg []byte) []byte {
	out := make([]byte, 0, len(jpg)+len(seg))
	out = append(out, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// multipartBody builds an upload form: the file part (name and content type
// as given) and text fields.
// Writing to a bytes.Buffer cannot fail.
func multipartBody(filename, ctype string, data []byte, fields map[string]string) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
		h.Set("Content-Type", ctype)
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(data)
	}
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

func upload(a *apitest.App, token, filename, ctype string, data []byte, fields map[string]string) apitest.Response {
	body, ct := multipartBody(filename, ctype, data, fields)
	return a.Do(http.MethodPost, "/v1/admin/photos", token, body, "Content-Type", ct)
}

// photoBody is the part of a photo the tests read.
type photoBody struct {
	ID            string `json:"id"`
	Width         int    `json:"width"`
	Height        int    `json:"height"`
	Mime          string `json:"mime"`
	Blurhash      string `json:"blurhash"`
	DominantColor string `json:"dominant_color"`
	Caption       string `json:"caption"`
	Credit        string `json:"credit"`
	Alt           string `json:"alt"`
	SourceURL     string `json:"source_url"`
	Renditions    []struct {
		Width  int    `json:"width"`
		Height int    `json:"height"`
		URL    string `json:"url"`
	} `json:"renditions"`
}

// photoApp starts an application and reports its media folder.
func photoApp(t *testing.T, configure ...func(*config.Config)) (*apitest.App, string) {
	t.Helper()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		for _, f := range configure {
			f(c)
		}
	}})
	return a, a.MediaRoot
}

func countPhotos(t *testing.T, a *apitest.App) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Read(context.Background()).Table("photos").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// mediaFiles lists every file under the media folder with its bytes.
func mediaFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUploadPhoto(t *testing.T) {
	t.Parallel()
	a, _ := photoApp(t)
	editor := a.Token(access.RoleEditor)
	src := jpegBytes(t, 500, 300)
	r := upload(a, editor, "valley.jpg", "image/jpeg", src, map[string]string{
		"caption": "  Le col au petit matin ", "credit": "Photo : Test", "alt": "A mountain pass", "source_url": "https://agence.example/p/1",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var ph photoBody
	r.JSON(t, &ph)
	if loc := r.Header.Get("Location"); loc != "/v1/photos/"+ph.ID {
		t.Errorf("Location %q, want /v1/photos/%s", loc, ph.ID)
	}
	if ph.Width != 500 || ph.Height != 300 || ph.Mime != "image/jpeg" || ph.Blurhash == "" || !strings.HasPrefix(ph.DominantColor, "#") {
		t.Errorf("photo %+v", ph)
	}
	if ph.Caption != "Le col au petit matin" || ph.Credit != "Photo : Test" || ph.Alt != "A mountain pass" || ph.SourceURL != "https://agence.example/p/1" {
		t.Errorf("metadata %+v", ph)
	}
	// The harness makes 160 and 320 renditions: both smaller than 500.
	if len(ph.Renditions) != 2 {
		t.Fatalf("renditions %+v", ph.Renditions)
	}
	checkRenditions(t, a, ph, 500)

	// The same as GET /v1/photos/{id}.
	g := a.Get("/v1/photos/"+ph.ID, "")
	if g.Status != http.StatusOK {
		t.Fatalf("get: %d", g.Status)
	}
	var got photoBody
	g.JSON(t, &got)
	if fmt.Sprint(got) != fmt.Sprint(ph) {
		t.Errorf("GET %+v\nPOST %+v", got, ph)
	}

	// A picture narrower than every rendition width is never upscaled.
	r = upload(a, editor, "small.jpg", "image/jpeg", jpegBytes(t, 100, 80), nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("small upload: %d %s", r.Status, r.Body)
	}
	var small photoBody
	r.JSON(t, &small)
	if len(small.Renditions) != 1 || small.Renditions[0].Width != 100 || small.Renditions[0].Height != 80 {
		t.Errorf("small renditions %+v", small.Renditions)
	}
	checkRenditions(t, a, small, 100)

	// Over the 1M limit of JSON bodies: the upload has its own limit.
	big := image.NewNRGBA(image.Rect(0, 0, 700, 700))
	seed := uint32(1)
	for i := range big.Pix {
		seed = seed*1664525 + 1013904223
		big.Pix[i] = byte(seed >> 24)
	}
	var bigPNG bytes.Buffer
	if err := png.Encode(&bigPNG, big); err != nil {
		t.Fatal(err)
	}
	if bigPNG.Len() < 3<<19 {
		t.Fatalf("test PNG is only %d bytes", bigPNG.Len())
	}
	if r := upload(a, editor, "big.png", "image/png", bigPNG.Bytes(), nil); r.Status != http.StatusCreated {
		t.Fatalf("upload of %d bytes: %d %s", bigPNG.Len(), r.Status, r.Body)
	}
	// The JSON routes keep theirs.
	huge := `{"caption":"` + strings.Repeat("x", 2<<20) + `"}`
	if r := a.Do(http.MethodPatch, "/v1/admin/photos/"+ph.ID, editor, strings.NewReader(huge), "Content-Type", "application/json"); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("PATCH of 2M: %d", r.Status)
	}

	// The same bytes again: a new photo (its own metadata), the same files.
	r = upload(a, editor, "again.jpg", "image/jpeg", src, map[string]string{"caption": "Autre légende"})
	if r.Status != http.StatusCreated {
		t.Fatalf("second upload: %d %s", r.Status, r.Body)
	}
	var again photoBody
	r.JSON(t, &again)
	if again.ID == ph.ID || again.Caption != "Autre légende" {
		t.Errorf("second upload %+v", again)
	}
	if fmt.Sprint(again.Renditions) != fmt.Sprint(ph.Renditions) {
		t.Errorf("same bytes, other files: %+v vs %+v", again.Renditions, ph.Renditions)
	}
}

// checkRenditions fetches every rendition and checks it decodes to the
// announced size, no wider than the source.
func checkRenditions(t *testing.T, a *apitest.App, ph photoBody, srcW int) {
	t.Helper()
	for _, rd := range ph.Renditions {
		if rd.Width > srcW {
			t.Errorf("rendition %d wider than the source %d", rd.Width, srcW)
		}
		m := a.Get(rd.URL, "")
		if m.Status != http.StatusOK {
			t.Fatalf("%s: %d", rd.URL, m.Status)
		}
		if cc := m.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", rd.URL, cc)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(m.Body))
		if err != nil {
			t.Fatalf("%s: %v", rd.URL, err)
		}
		if cfg.Width != rd.Width || cfg.Height != rd.Height {
			t.Errorf("%s is %dx%d, announced %dx%d", rd.URL, cfg.Width, cfg.Height, rd.Width, rd.Height)
		}
		if "image/"+format != ph.Mime {
			t.Errorf("%s is %s, announced %s", rd.URL, format, ph.Mime)
		}
	}
}

func TestUploadPhotoSniffsType(t *testing.T) {
	t.Parallel()
	a, _ := photoApp(t)
	// A JPEG decoder, trusting the name or the part's type, would fail on
	// these bytes; the store sniffs PNG and keeps the transparency.
	r := upload(a, a.Token(access.RoleAdmin), "photo.jpg", "image/jpeg", pngBytes(t, 240, 120), nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var ph photoBody
	r.JSON(t, &ph)
	if ph.Mime != "image/png" {
		t.Errorf("a PNG named .jpg is stored as %s", ph.Mime)
	}
	for _, rd := range ph.Renditions {
		if !strings.HasSuffix(rd.URL, ".png") {
			t.Errorf("rendition %s", rd.URL)
		}
	}
	checkRenditions(t, a, ph, 240)
}

func TestUploadPhotoStripsEXIF(t *testing.T) {
	t.Parallel()
	a, root := photoApp(t)
	// 300×200 pixels, orientation 6 (turn 90° clockwise): shown as 200×300.
	src := withSegment(jpegBytes(t, 300, 200), exifAPP1(6))
	lat := make([]byte, 24)
	for i, v := range gpsLatitude {
		binary.LittleEndian.PutUint32(lat[i*4:], v)
	}
	// The test input really carries what must disappear.
	for _, needle := range [][]byte{[]byte("Exif\x00\x00"), []byte(gpsMark), lat} {
		if !bytes.Contains(src, needle) {
			t.Fatalf("test input lacks %q", needle)
		}
	}
	if _, err := jpeg.DecodeConfig(bytes.NewReader(src)); err != nil {
		t.Fatalf("test input does not parse: %v", err)
	}
	r := upload(a, a.Token(access.RoleEditor), "gps.jpg", "image/jpeg", src, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var ph photoBody
	r.JSON(t, &ph)
	if ph.Width != 200 || ph.Height != 300 {
		t.Errorf("orientation not applied: %dx%d", ph.Width, ph.Height)
	}
	served := 0
	for _, rd := range ph.Renditions {
		m := a.Get(rd.URL, "")
		if m.Status != http.StatusOK {
			t.Fatalf("%s: %d", rd.URL, m.Status)
		}
		served++
		for _, needle := range [][]byte{[]byte("Exif"), []byte(gpsMark), lat} {
			if bytes.Contains(m.Body, needle) {
				t.Errorf("%s contains %q", rd.URL, needle)
			}
		}
	}
	if served == 0 {
		t.Fatal("no rendition")
	}
	// Every file on disk, the full-size original included.
	for p, b := range mediaFiles(t, root) {
		if strings.HasSuffix(p, ".json") {
			continue
		}
		for _, needle := range [][]byte{[]byte("Exif"), []byte(gpsMark), lat} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s contains %q", p, needle)
			}
		}
	}
}

func TestUploadPhotoRefused(t *testing.T) {
	const limit = 256 << 10
	a, root := photoApp(t, func(c *config.Config) { c.UploadLimit, c.UploadMaxDecoded = limit, 32<<20 })
	editor := a.Token(access.RoleEditor)
	jpg := jpegBytes(t, 200, 150)
	photosBefore, filesBefore := countPhotos(t, a), len(mediaFiles(t, root))

	noise := make([]byte, limit+1000)
	copy(noise, jpg[:3]) // JPEG magic, then garbage
	for i := 3; i < len(noise); i++ {
		noise[i] = byte(i * 7)
	}
	cases := []struct {
		name   string
		send   func() apitest.Response
		status int
		code   string
		field  string
	}{
		{"text named .jpg", func() apitest.Response {
			return upload(a, editor, "photo.jpg", "image/jpeg", []byte("this is not a picture, whatever its name says"), nil)
		}, 415, "unsupported_media_type", ""},
		{"svg", func() apitest.Response {
			return upload(a, editor, "x.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), nil)
		}, 415, "unsupported_media_type", ""},
		{"truncated jpeg", func() apitest.Response {
			return upload(a, editor, "cut.jpg", "image/jpeg", jpg[:len(jpg)/2], nil)
		}, 422, "validation_failed", "file"},
		{"png bomb", func() apitest.Response {
			return upload(a, editor, "bomb.png", "image/png", bombPNG(100000, 100000), nil)
		}, 413, "payload_too_large", ""},
		// Within the pixel limit, over the 32 MiB memory budget.
		{"gif screen over the memory budget", func() apitest.Response {
			return upload(a, editor, "wide.gif", "image/gif", gifScreen(8000, 6000), nil)
		}, 413, "payload_too_large", ""},
		{"progressive jpeg header over the memory budget", func() apitest.Response {
			return upload(a, editor, "prog.jpg", "image/jpeg", jpegFrame(4000, 3000, true, 0x22, 0x11, 0x11), nil)
		}, 413, "payload_too_large", ""},
		{"over the limit", func() apitest.Response {
			return upload(a, editor, "big.jpg", "image/jpeg", noise, nil)
		}, 413, "payload_too_large", ""},
		{"far over the limit", func() apitest.Response {
			return upload(a, editor, "huge.jpg", "image/jpeg", bytes.Repeat(noise, 3), nil)
		}, 413, "payload_too_large", ""},
		{"no file", func() apitest.Response {
			return upload(a, editor, "", "", nil, map[string]string{"caption": "x"})
		}, 400, "bad_request", ""},
		{"not multipart", func() apitest.Response {
			return a.Do(http.MethodPost, "/v1/admin/photos", editor, strings.NewReader(`{"caption":"x"}`), "Content-Type", "application/json")
		}, 400, "bad_request", ""},
		{"malformed multipart", func() apitest.Response {
			return a.Do(http.MethodPost, "/v1/admin/photos", editor, strings.NewReader("--b\r\nnope"), "Content-Type", "multipart/form-data; boundary=b")
		}, 400, "bad_request", ""},
		{"unknown field", func() apitest.Response {
			return upload(a, editor, "a.jpg", "image/jpeg", jpg, map[string]string{"owner": "me"})
		}, 400, "bad_request", ""},
		{"bad source_url", func() apitest.Response {
			return upload(a, editor, "a.jpg", "image/jpeg", jpg, map[string]string{"source_url": "javascript:alert(1)"})
		}, 422, "validation_failed", "source_url"},
		{"reader", func() apitest.Response {
			return upload(a, a.Token(access.RoleReader), "a.jpg", "image/jpeg", jpg, nil)
		}, 403, "forbidden", ""},
		{"subscriber", func() apitest.Response {
			return upload(a, a.Token(access.RoleSubscriber), "a.jpg", "image/jpeg", jpg, nil)
		}, 403, "forbidden", ""},
		{"anonymous", func() apitest.Response {
			return upload(a, "", "a.jpg", "image/jpeg", jpg, nil)
		}, 401, "unauthenticated", ""},
	}
	// Not parallel: the refusals are bounded by what the process allocates
	// while each is made, and no other test runs beside a sequential one.
	// One request first, for the one-time costs (the spec validator's).
	const allocBound = 64 << 20
	mustStatus(t, a.Get("/healthz", ""), http.StatusOK, "warm-up")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := tc.send()
			runtime.ReadMemStats(&after)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			p := r.Map(t)
			if p["code"] != tc.code {
				t.Errorf("code %v, want %s", p["code"], tc.code)
			}
			if tc.field != "" && !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
				t.Errorf("no error on field %s: %s", tc.field, r.Body)
			}
			// Decoding the bomb alone would take 40 GB; any picture within
			// the limits, several MB.
			if n := after.TotalAlloc - before.TotalAlloc; n > allocBound {
				t.Errorf("the request allocated %d MB: decoded what it should have refused?", n>>20)
			}
		})
	}
	if n := countPhotos(t, a); n != photosBefore {
		t.Errorf("refused uploads stored photos: %d, was %d", n, photosBefore)
	}
	if n := len(mediaFiles(t, root)); n != filesBefore {
		t.Errorf("refused uploads wrote files: %d, were %d", n, filesBefore)
	}
}

func TestPatchPhoto(t *testing.T) {
	t.Parallel()
	a, _ := photoApp(t)
	editor := a.Token(access.RoleEditor)
	id := a.Article("wells").PhotoID
	if id == "" {
		t.Fatal("wells has no photo")
	}
	before := a.Get("/v1/photos/"+id, "")
	path := "/v1/admin/photos/" + id
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "bad source_url", Method: http.MethodPatch, Path: path, Body: `{"caption":"x","source_url":"ftp://x"}`,
			Token: tokenOf(access.RoleEditor), WantStatus: 422, WantCode: "validation_failed", WantContains: []string{`"field":"source_url"`}},
		{Name: "caption too long", Method: http.MethodPatch, Path: path, Body: `{"caption":"` + strings.Repeat("é", 2001) + `"}`,
			Token: tokenOf(access.RoleEditor), WantStatus: 422, WantCode: "validation_failed"},
		{Name: "unknown field", Method: http.MethodPatch, Path: path, Body: `{"width":1}`,
			Token: tokenOf(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "malformed", Method: http.MethodPatch, Path: path, Body: `{"caption":`,
			Token: tokenOf(access.RoleEditor), WantStatus: 400, WantCode: "bad_request"},
		{Name: "reader", Method: http.MethodPatch, Path: path, Body: `{"caption":"x"}`,
			Token: tokenOf(access.RoleReader), WantStatus: 403, WantCode: "forbidden"},
		{Name: "anonymous", Method: http.MethodPatch, Path: path, Body: `{"caption":"x"}`,
			WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "unknown id", Method: http.MethodPatch, Path: "/v1/admin/photos/" + content.NewID(), Body: `{"caption":"x"}`,
			Token: tokenOf(access.RoleEditor), WantStatus: 404, WantCode: "not_found"},
		{Name: "not an id", Method: http.MethodPatch, Path: "/v1/admin/photos/nope", Body: `{"caption":"x"}`,
			Token: tokenOf(access.RoleEditor), WantStatus: 404, WantCode: "not_found"},
	})
	if after := a.Get("/v1/photos/"+id, ""); !bytes.Equal(after.Body, before.Body) {
		t.Fatalf("refused patches changed the photo:\n%s\n%s", before.Body, after.Body)
	}
	r := a.Do(http.MethodPatch, path, editor, strings.NewReader(`{"caption":"Nouvelle légende","source_url":"https://x.example/1"}`),
		"Content-Type", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	var old, ph photoBody
	before.JSON(t, &old)
	r.JSON(t, &ph)
	if ph.Caption != "Nouvelle légende" || ph.SourceURL != "https://x.example/1" || ph.Credit != old.Credit || ph.Alt != old.Alt {
		t.Errorf("patched %+v (was %+v)", ph, old)
	}
	var got photoBody
	a.Get("/v1/photos/"+id, "").JSON(t, &got)
	if fmt.Sprint(got) != fmt.Sprint(ph) {
		t.Errorf("GET after PATCH %+v", got)
	}
	// Clearing the source URL.
	r = a.Do(http.MethodPatch, path, editor, strings.NewReader(`{"source_url":""}`), "Content-Type", "application/json")
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "source_url") {
		t.Errorf("clear source_url: %d %s", r.Status, r.Body)
	}
}

func tokenOf(role access.Role) func(*apitest.App) string {
	return func(a *apitest.App) string { return a.Token(role) }
}

func TestDeletePhoto(t *testing.T) {
	t.Parallel()
	a, root := photoApp(t)
	editor := a.Token(access.RoleEditor)
	ctx := context.Background()

	// Featured photo of a demo article.
	featured := a.Article("wells").PhotoID
	photos := countPhotos(t, a)
	r := a.Do(http.MethodDelete, "/v1/admin/photos/"+featured, editor, nil)
	if r.Status != http.StatusConflict || r.Map(t)["code"] != "conflict" {
		t.Fatalf("delete featured: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(string(r.Body), a.Article("wells").ID) {
		t.Errorf("the conflict does not name the article: %s", r.Body)
	}
	if a.Get("/v1/photos/"+featured, "").Status != http.StatusOK || countPhotos(t, a) != photos {
		t.Fatal("a refused delete deleted something")
	}

	// A photo only in a body block of a draft.
	up := upload(a, editor, "inline.jpg", "image/jpeg", jpegBytes(t, 200, 100), nil)
	var inline photoBody
	up.JSON(t, &inline)
	_, err := a.Content.CreateArticle(ctx, content.ArticleInput{
		Lang: "fr", Slug: "brouillon-photo", Title: "Brouillon avec photo", Access: content.AccessPublic,
		Status: content.StatusDraft,
		Body:   []blocks.Block{{Type: blocks.TypeParagraph, Text: "Avant."}, {Type: blocks.TypePhoto, PhotoID: inline.ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r = a.Do(http.MethodDelete, "/v1/admin/photos/"+inline.ID, editor, nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("delete photo of a body block: %d %s", r.Status, r.Body)
	}

	// Portrait of an author.
	up = upload(a, editor, "portrait.jpg", "image/jpeg", jpegBytes(t, 120, 120), nil)
	var portrait photoBody
	up.JSON(t, &portrait)
	if _, err := a.Content.CreateAuthor(ctx, content.Author{Slug: "portrait-test", Name: "P. Test", PhotoID: portrait.ID}); err != nil {
		t.Fatal(err)
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+portrait.ID, editor, nil); r.Status != http.StatusConflict {
		t.Fatalf("delete portrait: %d %s", r.Status, r.Body)
	}

	// An unused photo: its files go with its last photo (they are
	// content-addressed, shared by the photos of the same bytes).
	unusedBytes := jpegBytes(t, 210, 100)
	up = upload(a, editor, "unused.jpg", "image/jpeg", unusedBytes, nil)
	var unused, twin photoBody
	up.JSON(t, &unused)
	upload(a, editor, "twin.jpg", "image/jpeg", unusedBytes, nil).JSON(t, &twin)
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "reader", Method: http.MethodDelete, Path: "/v1/admin/photos/" + unused.ID, Token: tokenOf(access.RoleReader),
			WantStatus: 403, WantCode: "forbidden"},
		{Name: "anonymous", Method: http.MethodDelete, Path: "/v1/admin/photos/" + unused.ID,
			WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "unknown", Method: http.MethodDelete, Path: "/v1/admin/photos/" + content.NewID(), Token: tokenOf(access.RoleAdmin),
			WantStatus: 404, WantCode: "not_found"},
	})
	if a.Get("/v1/photos/"+unused.ID, "").Status != http.StatusOK {
		t.Fatal("refused deletes deleted the photo")
	}
	files := len(mediaFiles(t, root))
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+twin.ID, editor, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete twin: %d %s", r.Status, r.Body)
	}
	if n := len(mediaFiles(t, root)); n != files {
		t.Errorf("files %d after deleting one of two photos of the same bytes, were %d", n, files)
	}
	if m := a.Get(unused.Renditions[0].URL, ""); m.Status != http.StatusOK {
		t.Errorf("file shared with a remaining photo: %d", m.Status)
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+unused.ID, editor, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete unused: %d %s", r.Status, r.Body)
	}
	if g := a.Get("/v1/photos/"+unused.ID, ""); g.Status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", g.Status)
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/photos/"+unused.ID, editor, nil); r.Status != http.StatusNotFound {
		t.Errorf("second DELETE: %d", r.Status)
	}
	// The original, the one rendition (160 px wide) and the metadata.
	if n := len(mediaFiles(t, root)); n != files-3 {
		t.Errorf("files %d after delete, were %d", n, files)
	}
	if m := a.Get(unused.Renditions[0].URL, ""); m.Status != http.StatusNotFound {
		t.Errorf("file of a deleted photo: %d", m.Status)
	}
}

// photoLikeJPEG encodes a w×h 4:2:0 picture with gradients and grain, so
// that its size is that of a camera JPEG (several MB) rather than of a
// smooth test pattern. It builds the YCbCr planes directly: generating the
// input costs little memory next to what the upload itself uses.
func photoLikeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(2463534242)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			v := (x*200/w + y*55/h) + int(seed%48) - 24
			img.Y[img.YOffset(x, y)] = uint8(min(max(v, 0), 255))
		}
	}
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < (w+1)/2; x++ {
			i := y*img.CStride + x
			img.Cb[i] = uint8(96 + x*64/w)
			img.Cr[i] = uint8(160 - y*64/h)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkUpload6000x4000 uploads a 6000×4000 JPEG through the real router
// and HTTP server, multipart and all. Each iteration carries a different
// comment segment, so the bytes (and their hash) differ and the media store
// decodes, resizes and encodes every time.
func BenchmarkUpload6000x4000(b *testing.B) {
	// The production rendition widths (internal/app), not the harness's.
	a := apitest.New(b, apitest.Options{NoDemo: true, Services: func(s *app.Services, _ func() time.Time) {
		ms, err := media.NewStore(s.MediaRoot, app.RenditionWidths, media.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		s.Media = ms
	}})
	a.Validate = false
	editor := a.Token(access.RoleEditor)
	src := photoLikeJPEG(b, 6000, 4000)
	b.Logf("source: %d bytes", len(src))
	runtime.GC()
	debug.FreeOSMemory()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		comment := fmt.Sprintf("iteration %d", i)
		seg := append([]byte{0xFF, 0xFE, 0, byte(len(comment) + 2)}, comment...)
		body, ct := multipartBody("big.jpg", "image/jpeg", withSegment(src, seg), nil)
		b.StartTimer()
		r := a.Do(http.MethodPost, "/v1/admin/photos", editor, body, "Content-Type", ct)
		if r.Status != http.StatusCreated {
			b.Fatalf("upload: %d %s", r.Status, r.Body)
		}
	}
}

// FuzzUploadPhoto sends arbitrary bytes as the file of an upload (or, with
// raw, as the whole multipart body): whatever they are, the answer is a
// photo or a client error, never a 500, and nothing hangs.
func FuzzUploadPhoto(f *testing.F) {
	// Small limits: a legal but huge image (a few bytes of lossless WebP
	// can announce 50 megapixels) would cost seconds per execution.
	a := apitest.New(f, apitest.Options{NoDemo: true, Configure: func(c *config.Config) { c.UploadLimit = 1 << 20 },
		Services: func(s *app.Services, _ func() time.Time) {
			ms, err := media.NewStore(s.MediaRoot, []int{16}, media.Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 18, MaxDecoded: 4 << 20})
			if err != nil {
				f.Fatal(err)
			}
			s.Media = ms
		}})
	a.Validate = false
	editor := a.Token(access.RoleEditor)
	jpg := jpegBytes(f, 40, 30)
	f.Add(jpg, false)
	f.Add(jpg[:len(jpg)/3], false)
	f.Add(pngBytes(f, 20, 10), false)
	f.Add(bombPNG(1<<20, 1<<20), false)
	f.Add(zeroPNG16(600, 400), false)
	f.Add(gifScreen(500, 400), false)
	f.Add(jpegFrame(640, 480, true, 0x22, 0x11, 0x11), false)
	f.Add(withSegment(jpg, exifAPP1(8)), false)
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), false)
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), false)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xff\xd8\xff\r\n--b--\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		var (
			body *bytes.Buffer
			ct   string
		)
		if raw {
			body, ct = bytes.NewBuffer(data), "multipart/form-data; boundary=b"
		} else {
			body, ct = multipartBody("f.jpg", "image/jpeg", data, nil)
		}
		req, err := http.NewRequest(http.MethodPost, a.URL+"/v1/admin/photos", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+editor)
		req.Header.Set("Content-Type", ct)
		res, err := a.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch res.StatusCode {
		case 201, 400, 413, 415, 422:
		default:
			t.Fatalf("status %d for %d bytes (raw %v)", res.StatusCode, len(data), raw)
		}
	})
}
