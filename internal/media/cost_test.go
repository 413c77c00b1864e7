package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"runtime"
	"sync"
	"testing"
	"time"
)

// pngHeader is a PNG whose IHDR announces w×h pixels of the given bit depth,
// colour type and interlace method, followed by a token IDAT: its header is
// valid, its pixels are not there.
func pngHeader(w, h uint32, depth, colorType, interlace byte) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9], ihdr[12] = depth, colorType, interlace
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// jpegHeader is SOI, a frame header (SOF0, or SOF2 when progressive) for
// w×h with the given components' sampling factors (h<<4|v), a start of
// scan and EOI.
func jpegHeader(w, h uint16, progressive bool, sampling ...byte) []byte {
	sof := []byte{0xFF, 0xC0}
	if progressive {
		sof[1] = 0xC2
	}
	n := 8 + 3*len(sampling)
	sof = append(sof, byte(n>>8), byte(n), 8, byte(h>>8), byte(h), byte(w>>8), byte(w), byte(len(sampling)))
	for i, s := range sampling {
		sof = append(sof, byte(i+1), s, 0)
	}
	out := append([]byte{0xFF, 0xD8}, sof...)
	// image/jpeg reads the header up to the start of scan.
	out = append(out, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0)
	return append(out, 0xFF, 0xD9)
}

// gifHeader is a GIF whose logical screen and only frame are w×h, with a
// token LZW stream.
func gifHeader(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	b = append(b, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF) // 2-colour global table
	b = append(b, 0x2C, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	return append(b, 0, 2, 2, 0x4C, 0x01, 0, 0x3B)
}

// TestPutRefusesByCost: headers whose pixel count is within MaxPixels but
// whose decode would need more memory than MaxDecoded are refused before
// anything is decoded, with the figures, and nothing is written.
func TestPutRefusesByCost(t *testing.T) {
	widths := []int{320, 640, 1280} // the production ones
	tests := []struct {
		name string
		lim  Limits
		data []byte
	}{
		// 392 MB of NRGBA64: the report's 381 KB PNG.
		{"7000x7000 16-bit RGBA PNG", Limits{}, pngHeader(7000, 7000, 16, 6, 0)},
		{"7000x7000 16-bit RGB PNG", Limits{}, pngHeader(7000, 7000, 16, 2, 0)},
		{"6000x6000 interlaced 8-bit RGBA PNG", Limits{}, pngHeader(6000, 6000, 8, 6, 1)},
		// Coefficients of a progressive JPEG are kept: 4 bytes a sample.
		{"7000x7000 progressive 4:4:4 JPEG", Limits{}, jpegHeader(7000, 7000, true, 0x11, 0x11, 0x11)},
		{"7000x7000 CMYK JPEG", Limits{}, jpegHeader(7000, 7000, false, 0x11, 0x11, 0x11, 0x11)},
		{"8000x6000 GIF, 32M budget", Limits{MaxDecoded: 32 << 20}, gifHeader(8000, 6000)},
		{"4000x3000 baseline JPEG, 32M budget", Limits{MaxDecoded: 32 << 20}, jpegHeader(4000, 3000, false, 0x22, 0x11, 0x11)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, widths, tt.lim)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := s.Put(context.Background(), tt.data)
			runtime.ReadMemStats(&after)
			var tle *TooLargeError
			if !errors.As(err, &tle) || !errors.Is(err, ErrTooLarge) || tle.Pixels {
				t.Fatalf("Put: %v, want a TooLargeError on the cost", err)
			}
			if tle.Need <= s.limits.MaxDecoded || tle.Limit != s.limits.MaxDecoded {
				t.Errorf("need %d, limit %d (MaxDecoded %d)", tle.Need, tle.Limit, s.limits.MaxDecoded)
			}
			if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
				t.Errorf("refusing allocated %d bytes", d)
			}
			if n := len(files(t, s.Root())); n != 0 {
				t.Errorf("%d files written", n)
			}
			if st := s.Decodes(); st.Total != 0 {
				t.Errorf("decodes %+v, want none", st)
			}
		})
	}
}

// TestCostDefaults pins the figures the default budget was chosen from: a
// 24-megapixel camera JPEG, baseline, 4:2:0, 4:2:2 or 4:4:4, passes; a
// progressive one, a 36-megapixel one and a 7000×7000 16-bit PNG do not.
func TestCostDefaults(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{320, 640, 1280}, Limits{})
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"6000x4000 baseline 4:2:0", jpegHeader(6000, 4000, false, 0x22, 0x11, 0x11), true},
		{"6000x4000 baseline 4:2:2", jpegHeader(6000, 4000, false, 0x21, 0x11, 0x11), true},
		{"6000x4000 baseline 4:4:4", jpegHeader(6000, 4000, false, 0x11, 0x11, 0x11), true},
		{"6000x4000 progressive 4:2:0", jpegHeader(6000, 4000, true, 0x22, 0x11, 0x11), false},
		{"7360x4912 baseline 4:2:2", jpegHeader(7360, 4912, false, 0x21, 0x11, 0x11), false},
		{"7000x7000 8-bit RGBA PNG", pngHeader(7000, 7000, 8, 6, 0), true},
		{"7000x7000 16-bit RGBA PNG", pngHeader(7000, 7000, 16, 6, 0), false},
	} {
		cost, w, h, err := s.Cost(tc.data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, _, _, cerr := s.check(tc.data)
		t.Logf("%s: %d×%d costs %d bytes (%d MiB, rounded up)", tc.name, w, h, cost, (cost+1<<20-1)>>20)
		if (cerr == nil) != tc.ok {
			t.Errorf("%s: check = %v, want accepted %v", tc.name, cerr, tc.ok)
		}
	}
}

// TestCostBoundsAllocation decodes real images of every kind the standard
// encoders make and checks that the decoder's share of the cost, announced
// from the header, is at least what the decode allocates, and not wildly
// more: a bound that holds is what makes the budget a memory limit. What the
// whole Put allocates (encoders' garbage included) is logged beside it.
// Not parallel: it reads the process's allocation counter.
func TestCostBoundsAllocation(t *testing.T) {
	const w, h = 600, 400
	pal := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
	gray := image.NewGray(image.Rect(0, 0, w, h))
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	src := pattern(w, h)
	for y := range h {
		for x := range w {
			c := src.RGBAAt(x, y)
			pal.Pix[pal.PixOffset(x, y)] = c.R ^ c.G
			gray.Set(x, y, c)
			gray16.Set(x, y, c)
			rgba64.Set(x, y, color.NRGBA64{uint16(c.R) << 8, uint16(c.G) << 8, uint16(c.B) << 8, uint16(x) << 4})
		}
	}
	yc := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio444)
	for y := range h {
		for x := range w {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			yc.Y[yc.YOffset(x, y)], yc.Cb[yc.COffset(x, y)], yc.Cr[yc.COffset(x, y)] = yy, cb, cr
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"jpeg 4:2:0", encJPEG(t, src)},
		{"jpeg 4:4:4", encJPEG(t, yc)},
		{"jpeg grey", encJPEG(t, gray)},
		{"png rgba", encPNG(t, src)},
		{"png nrgba with alpha", encPNG(t, withHole(src))},
		{"png 16-bit rgba", encPNG(t, rgba64)},
		{"png paletted", encPNG(t, pal)},
		{"png grey", encPNG(t, gray)},
		{"png grey 16", encPNG(t, gray16)},
		{"gif", encGIF(t, src)},
	} {
		s := newStore(t, []int{64, 320}, Limits{})
		cost, _, _, err := s.Cost(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := sniff(tc.data)
		cfg, _ := f.config(bytes.NewReader(tc.data))
		want := decodedCost(f, cfg, tc.data)
		if f.mime == MimeJPEG {
			want -= 4 * w * h // no EXIF orientation here: no copy
		}
		decoded := allocated(func() {
			if _, err := decode(tc.data); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		})
		put := allocated(func() {
			if _, err := s.Put(context.Background(), tc.data); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		})
		t.Logf("%-22s decode: cost %8d, allocated %8d; Put: cost %8d, allocated %8d", tc.name, want, decoded, cost, put)
		if decoded > want {
			t.Errorf("%s: decoding allocated %d bytes, more than its cost %d", tc.name, decoded, want)
		}
		if want > 4*decoded {
			t.Errorf("%s: cost %d is over 4 times the %d bytes the decode allocated", tc.name, want, decoded)
		}
	}
}

// TestPutDecodeSlots: however many Puts run at once, at most Limits.Decodes
// decode at the same time; the others wait and then all succeed.
func TestPutDecodeSlots(t *testing.T) {
	t.Parallel()
	const slots, puts = 2, 6
	s := newStore(t, []int{32}, Limits{Decodes: slots})
	var (
		mu      sync.Mutex
		inside  int
		most    int
		proceed = make(chan struct{})
	)
	s.decoding = func() {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		<-proceed
		mu.Lock()
		inside--
		mu.Unlock()
	}
	var wg sync.WaitGroup
	errs := make([]error, puts)
	for i := range puts {
		data := encPNG(t, solid(40+i, 30, color.RGBA{uint8(i * 40), 0, 0, 255}))
		wg.Go(func() { _, errs[i] = s.Put(context.Background(), data) })
	}
	// Every Put is either decoding (stopped in the hook) or waiting.
	waitFor(t, func() bool { st := s.Decodes(); return st.Active == slots && st.Waiting == puts-slots })
	if st := s.Decodes(); st.Peak != slots {
		t.Errorf("with all %d Puts started: %+v", puts, st)
	}
	close(proceed)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put %d: %v", i, err)
		}
	}
	st := s.Decodes()
	if st.Peak != slots || most != slots || st.Total != puts || st.Active != 0 || st.Waiting != 0 {
		t.Errorf("stats %+v, most inside at once %d; want peak %d of %d", st, most, slots, puts)
	}
}

// TestPutBusy: a Put waiting for a slot gives up at its deadline with
// ErrBusy (a client that goes away gets its own error), writing nothing.
func TestPutBusy(t *testing.T) {
	t.Parallel()
	s := newStore(t, []int{32}, Limits{Decodes: 1})
	hold, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.decoding = func() { once.Do(func() { close(held); <-hold }) }
	first := make(chan error, 1)
	go func() {
		_, err := s.Put(context.Background(), encPNG(t, solid(20, 20, color.Black)))
		first <- err
	}()
	<-held
	data := encPNG(t, solid(30, 20, color.White))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Put(ctx, data); !errors.Is(err, ErrBusy) {
		t.Errorf("past its deadline: %v, want ErrBusy", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, data); !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := len(files(t, s.Root())); n != 3 { // the first one's original, rendition and metadata
		t.Errorf("%d files, want the first Put's 3", n)
	}
	if st := s.Decodes(); st.Total != 1 || st.Waiting != 0 {
		t.Errorf("stats %+v", st)
	}
}

// allocated is what do allocates, in bytes.
func allocated(do func()) int64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	do()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// waitFor polls cond until it holds, failing after a generous while.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// FuzzCost: whatever the bytes, the header check never panics, and any cost
// it accepts covers at least one byte per pixel announced.
func FuzzCost(f *testing.F) {
	f.Add(pngHeader(7000, 7000, 16, 6, 0))
	f.Add(pngHeader(10, 10, 8, 3, 1))
	f.Add(jpegHeader(6000, 4000, true, 0x22, 0x11, 0x11))
	f.Add(jpegHeader(100, 100, false, 0x11))
	f.Add(gifHeader(300, 200))
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\xff\xff\xff\x0f\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add(encJPEG(f, pattern(16, 16)))
	s := newStore(f, []int{320, 640, 1280}, Limits{})
	f.Fuzz(func(t *testing.T, data []byte) {
		cost, w, h, err := s.Cost(data)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Cost: %v", err)
			}
			return
		}
		if w <= 0 || h <= 0 || cost < int64(w)*int64(h) {
			t.Fatalf("%d×%d costs %d", w, h, cost)
		}
	})
}

// BenchmarkCost is the header check alone, on a 6000×4000 JPEG: what every
// upload pays before it is decoded, or refused.
func BenchmarkCost(b *testing.B) {
	s := newStore(b, []int{320, 640, 1280}, Limits{})
	data := bigJPEG(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := s.Cost(data); err != nil {
			b.Fatal(err)
		}
	}
}
