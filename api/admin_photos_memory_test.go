package api_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/color"
	"image/png"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"masthead/internal/access"
	"masthead/internal/config"
	"masthead/internal/demo/demotest"
	"masthead/internal/media"
)

// zeroPNG16 is a real, complete w×h PNG of 16-bit RGBA pixels, all zero,
// like png.Encode makes of an image.NRGBA64 of zeros. Its pixel data (each
// row a filter byte 0 and 8w zero bytes) is deflated by hand, as a zero then
// copies of 258 bytes at distance 1, the densest deflate allows (about
// 1:1000): compressing 392 MB with compress/flate takes minutes under -race.
// 7000×7000 is about 380 KB.
func zeroPNG16(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // 16 bits per channel, RGBA
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", zlibZeros(int64(h)*int64(1+8*w))))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// zlibZeros is a zlib stream of n zero bytes (n ≥ 1): one block with the
// fixed Huffman codes of RFC 1951.
func zlibZeros(n int64) []byte {
	out := []byte{0x78, 0x01}
	var acc uint64
	var bits uint
	put := func(v uint64, nb uint) { // LSB first, as deflate packs fields
		acc |= v << bits
		for bits += nb; bits >= 8; bits -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	// Huffman codes go most significant bit first: these are reversed.
	const (
		literal0 = 0x0C // 00110000, the literal 0
		copy258  = 0xA3 // 11000101, length code 285 (258 bytes), then the 5-bit distance code 0 (distance 1)
	)
	put(1, 1) // final block
	put(1, 2) // fixed codes
	put(literal0, 8)
	left := n - 1
	for ; left >= 258; left -= 258 {
		put(copy258, 13)
	}
	for ; left > 0; left-- {
		put(literal0, 8)
	}
	put(0, 7) // end of block
	if bits > 0 {
		put(0, 8-bits)
	}
	// Adler-32 of n zeros: a stays 1, b adds it n times.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

// gifScreen is a GIF whose logical screen and one frame are w×h, with a
// token LZW stream: decoding it would allocate w×h bytes.
func gifScreen(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	b = append(b, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x2C, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	return append(b, 0, 2, 2, 0x4C, 0x01, 0, 0x3B)
}

// jpegFrame is a JPEG header: SOI, a frame (SOF0, or SOF2 when progressive)
// of w×h with the components' sampling factors (h<<4|v), a start of scan
// and EOI, without any picture.
func jpegFrame(w, h uint16, progressive bool, sampling ...byte) []byte {
	marker := byte(0xC0)
	if progressive {
		marker = 0xC2
	}
	n := 8 + 3*len(sampling)
	b := []byte{0xFF, 0xD8, 0xFF, marker, byte(n >> 8), byte(n), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(sampling))}
	for i, s := range sampling {
		b = append(b, byte(i+1), s, 0)
	}
	return append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0xFF, 0xD9)
}

// TestUploadPhotoMemoryBomb is the report's upload: a 7000×7000 16-bit
// RGBA PNG of a few hundred KB, within the byte and pixel limits, that
// takes 392 MB to decode. With the default settings it is refused with a
// 413 that says why, before decoding (the request allocates little), and
// nothing is stored.
// Not parallel: it bounds what the process allocates during the request.
func TestUploadPhotoMemoryBomb(t *testing.T) {
	a, root := photoApp(t)
	editor := a.Token(access.RoleEditor)
	if img, err := png.Decode(bytes.NewReader(zeroPNG16(300, 200))); err != nil || img.Bounds().Dx() != 300 || img.ColorModel() != color.NRGBA64Model {
		t.Fatalf("the generator makes no valid 16-bit PNG: %v", err)
	}
	bomb := zeroPNG16(7000, 7000)
	t.Logf("the PNG: %d bytes", len(bomb))
	if int64(len(bomb)) > a.Config.UploadLimit || 7000*7000 > media.DefaultMaxPixels {
		t.Fatalf("the PNG (%d bytes) must pass the byte and pixel limits", len(bomb))
	}
	photos, files := countPhotos(t, a), len(mediaFiles(t, root))
	mustStatus(t, a.Get("/healthz", ""), http.StatusOK, "warm-up")

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := upload(a, editor, "bomb.png", "image/png", bomb, map[string]string{"caption": "Bombe"})
	runtime.ReadMemStats(&after)
	mustStatus(t, r, http.StatusRequestEntityTooLarge, "7000×7000 16-bit PNG")
	p := r.Map(t)
	if p["code"] != "payload_too_large" {
		t.Errorf("code %v", p["code"])
	}
	detail, _ := p["detail"].(string)
	for _, want := range []string{"7000×7000", "upload-max-decoded-bytes", "256 MiB"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail %q does not say %q", detail, want)
		}
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("refusing it allocated %d MB: it was decoded", n>>20)
	}
	if n := countPhotos(t, a); n != photos {
		t.Errorf("photos %d, were %d", n, photos)
	}
	if n := len(mediaFiles(t, root)); n != files {
		t.Errorf("media files %d, were %d", n, files)
	}
	if st := a.Media.Decodes(); st.Total != 0 {
		t.Errorf("decodes %+v, want none", st)
	}
}

// TestUploadPhotoDecodedBudget: an image whose cost is exactly the budget
// is accepted, decoded and resized; one a few rows taller is refused.
func TestUploadPhotoDecodedBudget(t *testing.T) {
	t.Parallel()
	fits, over := photoLikeJPEG(t, 1200, 800), photoLikeJPEG(t, 1200, 816)
	probe, err := media.NewStore(t.TempDir(), demotest.RenditionWidths(), media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	budget, _, _, err := probe.Cost(fits)
	if err != nil {
		t.Fatal(err)
	}
	if c, _, _, _ := probe.Cost(over); c <= budget {
		t.Fatalf("the taller image costs %d, the budget is %d", c, budget)
	}
	a, root := photoApp(t, func(c *config.Config) { c.UploadMaxDecoded = budget })
	editor := a.Token(access.RoleEditor)
	photos, files := countPhotos(t, a), len(mediaFiles(t, root))

	r := upload(a, editor, "over.jpg", "image/jpeg", over, nil)
	mustStatus(t, r, http.StatusRequestEntityTooLarge, "over the budget")
	if n := countPhotos(t, a); n != photos {
		t.Errorf("photos %d, were %d", n, photos)
	}
	if n := len(mediaFiles(t, root)); n != files {
		t.Errorf("media files %d, were %d", n, files)
	}

	r = upload(a, editor, "fits.jpg", "image/jpeg", fits, nil)
	mustStatus(t, r, http.StatusCreated, "at the budget")
	var ph photoBody
	r.JSON(t, &ph)
	if ph.Width != 1200 || ph.Height != 800 || len(ph.Renditions) != 2 {
		t.Errorf("photo %+v", ph)
	}
	checkRenditions(t, a, ph, 1200)
	if st := a.Media.Decodes(); st.Total != 1 {
		t.Errorf("decodes %+v, want 1", st)
	}
}

// TestUploadPhotoDecodesAtOnce: many uploads at once all succeed, and no
// more than upload-decodes of them decode at the same time.
func TestUploadPhotoDecodesAtOnce(t *testing.T) {
	t.Parallel()
	const slots, uploads = 2, 6
	a, _ := photoApp(t, func(c *config.Config) { c.UploadDecodes = slots })
	a.Validate = false // the spec validator is not made for concurrent use
	editor := a.Token(access.RoleEditor)
	src := photoLikeJPEG(t, 400, 300)
	var wg sync.WaitGroup
	status := make([]int, uploads)
	for i := range uploads {
		comment := fmt.Sprintf("upload %d", i) // other bytes, another decode
		data := withSegment(src, append([]byte{0xFF, 0xFE, 0, byte(len(comment) + 2)}, comment...))
		wg.Go(func() { status[i] = upload(a, editor, "p.jpg", "image/jpeg", data, nil).Status })
	}
	wg.Wait()
	for i, s := range status {
		if s != http.StatusCreated {
			t.Errorf("upload %d: %d", i, s)
		}
	}
	st := a.Media.Decodes()
	t.Logf("decodes: %+v", st)
	if st.Total != uploads || st.Peak > slots || st.Peak < 1 || st.Active != 0 || st.Waiting != 0 {
		t.Errorf("decodes %+v: want %d, at most %d at once", st, uploads, slots)
	}
}
