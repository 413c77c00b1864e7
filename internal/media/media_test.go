package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buckket/go-blurhash"
	"github.com/disintegration/imaging"
)

// --- image fixtures -------------------------------------------------------

// pattern draws a w×h image with gradients and fine texture, so that
// encoders and resamplers do real work.
func pattern(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			n := uint8((x*7 + y*13 + (x*y)%31) & 0x3f)
			img.Pix[i+0] = uint8(x*255/max(w-1, 1)) ^ n
			img.Pix[i+1] = uint8(y*255/max(h-1, 1)) ^ n
			img.Pix[i+2] = uint8((x + y) & 0xff)
			img.Pix[i+3] = 0xff
		}
	}
	return img
}

func solid(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

func encJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encGIF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withHole returns a copy of img as NRGBA whose central quarter is fully
// transparent.
func withHole(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if x > b.Dx()/4 && x < 3*b.Dx()/4 && y > b.Dy()/4 && y < 3*b.Dy()/4 {
				c.A = 0
			}
			out.SetNRGBA(x, y, c)
		}
	}
	return out
}

// pngChunk builds one PNG chunk with a correct CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data))) // a bytes.Buffer does not fail
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// pngBomb is a tiny, well-formed-looking PNG whose IHDR claims w×h RGBA
// pixels; its IDAT is a few bytes of zlib data.
func pngBomb(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// gpsMarker is an ASCII value placed in the GPS IFD so that tests can look
// for it in the output.
const gpsMarker = "GPSMARK"

// exifAPP1 builds a JPEG APP1 segment holding a big-endian TIFF structure:
// IFD0 with Orientation=orient and a GPSInfo pointer to a GPS IFD carrying
// GPSVersionID, GPSLatitudeRef and a GPSMapDatum string (gpsMarker).
func exifAPP1(orient uint16) []byte {
	be := binary.BigEndian
	var t bytes.Buffer
	w := func(v any) { _ = binary.Write(&t, be, v) } // a bytes.Buffer does not fail
	entry := func(tag, typ uint16, count uint32, value [4]byte) {
		w(tag)
		w(typ)
		w(count)
		t.Write(value[:])
	}
	const (
		ifd0 = 8
		gps  = ifd0 + 2 + 2*12 + 4 // 38
		str  = gps + 2 + 3*12 + 4  // 80: out-of-line ASCII data
	)
	t.WriteString("MM")
	w(uint16(42))
	w(uint32(ifd0))
	// IFD0
	w(uint16(2))
	entry(0x0112, 3, 1, [4]byte{byte(orient >> 8), byte(orient), 0, 0}) // Orientation, SHORT
	entry(0x8825, 4, 1, [4]byte{0, 0, 0, gps})                          // GPSInfo IFD pointer, LONG
	w(uint32(0))
	// GPS IFD
	w(uint16(3))
	entry(0x0000, 1, 4, [4]byte{2, 2, 0, 0})                          // GPSVersionID
	entry(0x0001, 2, 2, [4]byte{'N', 0, 0, 0})                        // GPSLatitudeRef
	entry(0x0012, 2, uint32(len(gpsMarker)+1), [4]byte{0, 0, 0, str}) // GPSMapDatum
	w(uint32(0))
	t.WriteString(gpsMarker + "\x00")

	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// withEXIF inserts an APP1 segment right after the SOI marker of a JPEG.
func withEXIF(jpg, app1 []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	return append(out, jpg[2:]...)
}

// --- helpers ---------------------------------------------------------------

func newStore(t testing.TB, widths []int, lim Limits) *Store {
	t.Helper()
	s, err := NewStore(filepath.Join(t.TempDir(), "media"), widths, lim)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, s *Store, data []byte) Image {
	t.Helper()
	img, err := s.Put(context.Background(), data)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return img
}

// open reads and fully decodes a stored file, checking its type by sniffing.
func open(t *testing.T, s *Store, rel, wantMime string) image.Image {
	t.Helper()
	if strings.Contains(rel, `\`) || filepath.IsAbs(rel) {
		t.Fatalf("path %q is not relative and slash-separated", rel)
	}
	data, err := os.ReadFile(filepath.Join(s.Root(), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ContentType(data); err != nil || got != wantMime {
		t.Fatalf("%s: content type %q, %v; want %q", rel, got, err, wantMime)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return img
}

// files lists regular files below root with their modification times.
func files(t *testing.T, root string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = info.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// backdate sets the modification time of every file under root to one in
// 2001.
func backdate(t *testing.T, root string) {
	t.Helper()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for p := range files(t, root) {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

func near(a, b uint8, tol int) bool {
	d := int(a) - int(b)
	return d >= -tol && d <= tol
}

// --- tests -------------------------------------------------------------------

func TestContentType(t *testing.T) {
	t.Parallel()
	webp := []byte("RIFF\x10\x00\x00\x00WEBPVP8 ")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"jpeg", encJPEG(t, pattern(8, 8)), MimeJPEG},
		{"png", encPNG(t, pattern(8, 8)), MimePNG},
		{"gif", encGIF(t, pattern(8, 8)), MimeGIF},
		{"webp", webp, MimeWebP},
		{"text", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ""},
		{"empty", nil, ""},
		{"riff not webp", []byte("RIFF\x10\x00\x00\x00WAVEfmt "), ""},
		{"short", []byte{0xFF, 0xD8}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ContentType(tt.data)
			if tt.want == "" {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("got %q, %v; want ErrUnsupported", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestNewStore(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "a", "b")
	s, err := NewStore(root, []int{640, 320, 640}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Fatalf("root not created: %v", err)
	}
	if s.Root() != root {
		t.Errorf("Root() = %q, want %q", s.Root(), root)
	}
	if !reflect.DeepEqual(s.widths, []int{320, 640}) {
		t.Errorf("widths = %v", s.widths)
	}
	if s.limits.MaxBytes != 20<<20 || s.limits.MaxPixels != 50_000_000 {
		t.Errorf("default limits = %+v", s.limits)
	}
	if _, err := NewStore(root, []int{320, 0}, Limits{}); err == nil {
		t.Error("width 0 accepted")
	}
}

func TestPutJPEGRenditions(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{1280, 320, 640}, Limits{})
	data := encJPEG(t, pattern(1000, 600))
	img := put(t, s, data)

	if len(img.Hash) != 64 || img.Hash[:2] != img.Original[:2] {
		t.Errorf("hash %q, original %q", img.Hash, img.Original)
	}
	if img.Width != 1000 || img.Height != 600 || img.Mime != MimeJPEG {
		t.Errorf("got %dx%d %s", img.Width, img.Height, img.Mime)
	}
	if want := img.Hash[:2] + "/" + img.Hash + ".jpg"; img.Original != want {
		t.Errorf("Original = %q, want %q", img.Original, want)
	}
	if b := open(t, s, img.Original, MimeJPEG).Bounds(); b.Dx() != 1000 || b.Dy() != 600 {
		t.Errorf("original decodes as %v", b)
	}

	// 1280 ≥ 1000 is skipped: no upscaling.
	want := []Rendition{
		{320, 192, img.Hash[:2] + "/" + img.Hash + "-320.jpg"},
		{640, 384, img.Hash[:2] + "/" + img.Hash + "-640.jpg"},
	}
	if !reflect.DeepEqual(img.Renditions, want) {
		t.Fatalf("renditions = %+v, want %+v", img.Renditions, want)
	}
	for _, r := range img.Renditions {
		b := open(t, s, r.Path, MimeJPEG).Bounds()
		if b.Dx() != r.Width || b.Dy() != r.Height {
			t.Errorf("%s decodes as %dx%d, want %dx%d", r.Path, b.Dx(), b.Dy(), r.Width, r.Height)
		}
		if got, want := float64(b.Dx())/float64(b.Dy()), 1000.0/600; math.Abs(got-want) > 0.01 {
			t.Errorf("%s aspect %.3f, want %.3f", r.Path, got, want)
		}
	}

	// The blurhash is 4x3 and decodes.
	if x, y, err := blurhash.Components(img.Blurhash); err != nil || x != 4 || y != 3 {
		t.Errorf("blurhash %q components %d,%d %v", img.Blurhash, x, y, err)
	}
	if _, err := blurhash.Decode(img.Blurhash, 32, 20, 1); err != nil {
		t.Errorf("blurhash decode: %v", err)
	}
	if len(img.DominantColor) != 7 || img.DominantColor[0] != '#' {
		t.Errorf("DominantColor = %q", img.DominantColor)
	}
}

func TestPutNeverUpscales(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		w, h   int
		widths []int
		want   []int
	}{
		{"all larger", 200, 100, []int{320, 640}, []int{200}},
		{"equal is skipped", 640, 400, []int{320, 640}, []int{320}},
		{"only equal", 320, 200, []int{320, 640}, []int{320}},
		{"some smaller", 700, 350, []int{320, 640, 1280}, []int{320, 640}},
		{"no widths", 90, 60, nil, []int{90}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, tt.widths, Limits{})
			img := put(t, s, encJPEG(t, pattern(tt.w, tt.h)))
			var got []int
			for _, r := range img.Renditions {
				got = append(got, r.Width)
				b := open(t, s, r.Path, MimeJPEG).Bounds()
				if b.Dx() != r.Width || b.Dy() != r.Height || r.Height != r.Width*tt.h/tt.w {
					t.Errorf("%s: decoded %v, recorded %dx%d", r.Path, b, r.Width, r.Height)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("widths %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPutSolidColour(t *testing.T) {
	t.Parallel()
	want := color.RGBA{200, 40, 90, 255}
	s := newStore(t, []int{64}, Limits{})
	img := put(t, s, encJPEG(t, solid(300, 200, want)))

	var r, g, b uint8
	if err := parseHex(img.DominantColor, &r, &g, &b); err != nil {
		t.Fatalf("DominantColor %q: %v", img.DominantColor, err)
	}
	if !near(r, want.R, 6) || !near(g, want.G, 6) || !near(b, want.B, 6) {
		t.Errorf("DominantColor %s, want close to #%02x%02x%02x", img.DominantColor, want.R, want.G, want.B)
	}

	bh, err := blurhash.Decode(img.Blurhash, 8, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := color.NRGBAModel.Convert(bh.At(4, 4)).(color.NRGBA)
	if !near(c.R, want.R, 10) || !near(c.G, want.G, 10) || !near(c.B, want.B, 10) {
		t.Errorf("blurhash centre %v, want close to %v", c, want)
	}
}

// parseHex parses "#rrggbb".
func parseHex(s string, r, g, b *uint8) error {
	if len(s) != 7 || s[0] != '#' {
		return errors.New("not #rrggbb")
	}
	var v [3]uint8
	for i := range v {
		var n uint8
		for _, c := range s[1+2*i : 3+2*i] {
			switch {
			case c >= '0' && c <= '9':
				n = n<<4 | uint8(c-'0')
			case c >= 'a' && c <= 'f':
				n = n<<4 | uint8(c-'a'+10)
			default:
				return errors.New("bad hex digit")
			}
		}
		v[i] = n
	}
	*r, *g, *b = v[0], v[1], v[2]
	return nil
}

func TestPutFormats(t *testing.T) {
	t.Parallel()
	src := pattern(400, 300)
	pal := image.NewPaletted(image.Rect(0, 0, 400, 300), color.Palette{
		color.Transparent, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255},
	})
	palOpaque := image.NewPaletted(pal.Rect, pal.Palette[1:])
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			pal.SetColorIndex(x, y, uint8((x/50+y/50)%3))
			palOpaque.SetColorIndex(x, y, uint8((x/50+y/50)%2))
		}
	}
	tests := []struct {
		name     string
		data     []byte
		wantMime string
	}{
		{"png opaque", encPNG(t, src), MimeJPEG},
		{"png alpha", encPNG(t, withHole(src)), MimePNG},
		{"gif opaque", encGIF(t, palOpaque), MimeJPEG},
		{"gif transparent", encGIF(t, pal), MimePNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, []int{100, 200}, Limits{})
			img := put(t, s, tt.data)
			if img.Mime != tt.wantMime || img.Width != 400 || img.Height != 300 {
				t.Fatalf("got %s %dx%d, want %s 400x300", img.Mime, img.Width, img.Height, tt.wantMime)
			}
			ext := map[string]string{MimeJPEG: ".jpg", MimePNG: ".png"}[tt.wantMime]
			for _, rel := range append([]string{img.Original}, img.Renditions[0].Path, img.Renditions[1].Path) {
				if !strings.HasSuffix(rel, ext) {
					t.Errorf("%s: want extension %s", rel, ext)
				}
				m := open(t, s, rel, tt.wantMime)
				if tt.wantMime == MimePNG {
					// The centre of every copy is transparent.
					b := m.Bounds()
					if _, _, _, a := m.At(b.Dx()/2, b.Dy()/2).RGBA(); a != 0 && tt.name == "png alpha" {
						t.Errorf("%s: centre alpha %d, want 0", rel, a)
					}
				}
			}
			if got := []int{img.Renditions[0].Width, img.Renditions[1].Width}; got[0] != 100 || got[1] != 200 {
				t.Errorf("renditions %v", img.Renditions)
			}
		})
	}
}

func TestPutEXIFOrientationAndStripping(t *testing.T) {
	t.Parallel()
	// 60x40, with a red block in the top-left corner and blue elsewhere.
	src := solid(60, 40, color.RGBA{0, 0, 255, 255})
	for y := 0; y < 15; y++ {
		for x := 0; x < 15; x++ {
			src.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	data := withEXIF(encJPEG(t, src), exifAPP1(6))
	if !bytes.Contains(data, []byte("Exif")) || !bytes.Contains(data, []byte(gpsMarker)) {
		t.Fatal("fixture lacks EXIF")
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 60 {
		t.Fatalf("fixture is not a valid 60-wide JPEG: %v %+v", err, cfg)
	}

	s := newStore(t, []int{20, 30, 200}, Limits{})
	img := put(t, s, data)
	if img.Width != 40 || img.Height != 60 {
		t.Fatalf("got %dx%d, want 40x60 (orientation 6 rotates)", img.Width, img.Height)
	}
	if len(img.Renditions) != 2 || img.Renditions[0].Height != 30 || img.Renditions[1].Height != 45 {
		t.Errorf("renditions %+v", img.Renditions)
	}

	// Orientation 6 means "rotate 90° clockwise to display": the red
	// top-left corner ends up top-right.
	orig := open(t, s, img.Original, MimeJPEG)
	if b := orig.Bounds(); b.Dx() != 40 || b.Dy() != 60 {
		t.Fatalf("original decodes as %v", b)
	}
	tr := color.RGBAModel.Convert(orig.At(35, 3)).(color.RGBA)
	tl := color.RGBAModel.Convert(orig.At(3, 3)).(color.RGBA)
	if tr.R < 200 || tr.B > 60 || tl.B < 200 || tl.R > 60 {
		t.Errorf("top-right %v (want red), top-left %v (want blue)", tr, tl)
	}

	for p := range files(t, s.Root()) {
		if strings.HasSuffix(p, ".json") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte(gpsMarker)) {
			t.Errorf("%s still carries EXIF/GPS data", p)
		}
	}
}

func TestPutTwiceWritesOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{64, 128}, Limits{})
	data := encJPEG(t, pattern(300, 200))
	first := put(t, s, data)
	// Files dated long ago: a rewrite, whenever it happens, dates one now.
	backdate(t, s.Root())
	before := files(t, s.Root())
	if len(before) != 4 { // original, two renditions, metadata
		t.Fatalf("after one Put: %d files: %v", len(before), before)
	}

	second := put(t, s, data)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("second Put = %+v, want %+v", second, first)
	}
	if after := files(t, s.Root()); !reflect.DeepEqual(before, after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}

	// Without the metadata the image is decoded again, but the image
	// files already present are reused, not rewritten.
	meta := filepath.Join(s.Root(), filepath.FromSlash(s.metaPath(first.Hash)))
	if err := os.Remove(meta); err != nil {
		t.Fatal(err)
	}
	third := put(t, s, data)
	if !reflect.DeepEqual(first, third) {
		t.Errorf("third Put = %+v, want %+v", third, first)
	}
	after := files(t, s.Root())
	for p, mt := range before {
		if p != meta && !after[p].Equal(mt) {
			t.Errorf("%s rewritten", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("files: %v", after)
	}
}

func TestPutConcurrentSameBytes(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{64}, Limits{})
	data := encPNG(t, pattern(200, 100))
	var wg sync.WaitGroup
	got := make([]Image, 6)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = s.Put(context.Background(), data) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !reflect.DeepEqual(got[i], got[0]) {
			t.Errorf("Put %d = %+v, %v", i, got[i], errs[i])
		}
	}
	if n := len(files(t, s.Root())); n != 3 {
		t.Errorf("%d files, want 3 (no temporary files left)", n)
	}
}

func TestPutRejects(t *testing.T) {
	t.Parallel()
	good := encJPEG(t, pattern(200, 150))
	webpGarbage := append([]byte("RIFF\x40\x00\x00\x00WEBPVP8 \x20\x00\x00\x00"), bytes.Repeat([]byte{0xA5}, 40)...)
	tests := []struct {
		name    string
		lim     Limits
		data    []byte
		want    error
		message string // must appear in the error
	}{
		{"text", Limits{}, []byte("hello, this is not an image at all"), ErrUnsupported, ""},
		{"svg", Limits{}, []byte(`<?xml version="1.0"?><svg/>`), ErrUnsupported, ""},
		{"truncated jpeg", Limits{}, good[:len(good)/2], ErrCorrupt, ""},
		{"jpeg header only", Limits{}, good[:20], ErrCorrupt, ""},
		{"webp garbage", Limits{}, webpGarbage, ErrCorrupt, ""},
		{"png bad crc", Limits{}, func() []byte {
			b := pngBomb(10, 10)
			b[29] ^= 0xFF // inside the IHDR CRC
			return b
		}(), ErrCorrupt, ""},
		{"png bomb", Limits{}, pngBomb(100000, 100000), ErrTooLarge, "50000000"},
		{"over MaxPixels", Limits{MaxPixels: 10_000}, good, ErrTooLarge, "10000 pixels"},
		{"over MaxBytes", Limits{MaxBytes: 1000}, good, ErrTooLarge, "1000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, []int{64}, tt.lim)
			img, err := s.Put(context.Background(), tt.data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Put = %+v, %v; want %v", img, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not mention %q", err, tt.message)
			}
			if n := len(files(t, s.Root())); n != 0 {
				t.Errorf("%d files written for rejected input", n)
			}
		})
	}
}

func TestPutBombDoesNotAllocate(t *testing.T) {
	s := newStore(t, []int{64}, Limits{})
	data := pngBomb(100000, 100000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := s.Put(context.Background(), data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("rejecting the bomb allocated %d bytes", d)
	}
}

func TestPutCancelled(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{64}, Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, encJPEG(t, pattern(100, 100))); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(files(t, s.Root())); n != 0 {
		t.Errorf("%d files written", n)
	}
}

// --- benchmarks --------------------------------------------------------------

var benchJPEG = struct {
	once sync.Once
	big  []byte
}{}

func bigJPEG(b *testing.B) []byte {
	benchJPEG.once.Do(func() { benchJPEG.big = encJPEG(b, pattern(6000, 4000)) })
	return benchJPEG.big
}

func benchPut(b *testing.B, data []byte) {
	ctx := context.Background()
	dir := b.TempDir()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		root, err := os.MkdirTemp(dir, "store-")
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewStore(root, []int{320, 640, 1280}, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Put(ctx, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPut6000x4000 stores a 24-megapixel JPEG into a fresh store each
// iteration.
func BenchmarkPut6000x4000(b *testing.B) { benchPut(b, bigJPEG(b)) }

// BenchmarkPutSmall stores a 1600×1067 JPEG into a fresh store each iteration.
func BenchmarkPutSmall(b *testing.B) { benchPut(b, encJPEG(b, pattern(1600, 1067))) }

// BenchmarkResize compares the resampling choices for the renditions of a
// 6000×4000 source (320, 640, 1280 wide): each filter, either resizing every
// width from the source ("direct") or each from the next larger rendition
// ("cascade", what Put does).
func BenchmarkResize(b *testing.B) {
	src, err := decode(bigJPEG(b))
	if err != nil {
		b.Fatal(err)
	}
	widths := []int{1280, 640, 320}
	for _, f := range []struct {
		name   string
		filter imaging.ResampleFilter
	}{{"Lanczos", imaging.Lanczos}, {"CatmullRom", imaging.CatmullRom}} {
		b.Run(f.name+"/direct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, w := range widths {
					imaging.Resize(src, w, 0, f.filter)
				}
			}
		})
		b.Run(f.name+"/cascade", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				prev := src
				for _, w := range widths {
					prev = imaging.Resize(prev, w, 0, f.filter)
				}
			}
		})
	}
}
