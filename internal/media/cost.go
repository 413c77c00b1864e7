package media

import (
	"image"
	"image/color"
)

// The cost of an image is the memory that decoding it and making its
// renditions may hold at once, in bytes, estimated from the header alone:
// width × height × the bytes per pixel of the decoded image (from the colour
// model), plus the working buffers of the decoder that produces it and of
// the resizer. It is an upper bound on what Put allocates for the pixels
// (TestCostBoundsAllocation measures it), so a limit on it is a limit on
// memory, which a limit on the pixel count alone is not: a 7000×7000 PNG is
// 196 MB decoded at 8 bits per channel and 392 MB at 16.
//
// By format:
//
//   - JPEG: one byte per sample of each component, per its sampling factors
//     and rounded up to whole MCUs, as image/jpeg allocates; four more per
//     sample for a progressive JPEG, whose coefficients are kept until the
//     last scan; 4 bytes per pixel more for RGB and CMYK JPEGs, which are
//     converted after decoding; and 4 bytes per pixel for the copy that an
//     EXIF orientation other than 1 makes (counted always: the orientation is
//     not read before decoding, and a portrait camera photo has one).
//   - PNG: the bytes per pixel of the colour model (1 paletted, 4 for 8-bit
//     colour, 8 for 16-bit; 4 and 8 for grey, which a tRNS chunk turns into
//     NRGBA), doubled for an interlaced PNG, whose passes are decoded apart
//     and merged.
//   - GIF: one byte per pixel of the logical screen: image.Decode decodes
//     the first frame only, and a frame larger than the screen is refused.
//   - WebP: lossy is 4:2:0 YCbCr in whole macroblocks (1.5 bytes per pixel);
//     its alpha plane is decoded as a lossless NRGBA image first (9 bytes
//     per pixel more, with the colour-indexing expansion and the plane);
//     lossless is NRGBA, twice over with that expansion (8).
//
// A fixed decoderState is added for the decoder's tables and buffers.
//
// The resizer's share is the first rendition: a horizontal pass to the
// largest rendition width over the full height, then the vertical pass,
// 4 bytes per pixel each, for either orientation of the source.
//
// The cost counts memory held, not garbage: encoding a 16-bit original
// allocates 8 short-lived bytes a pixel (image/png boxes each colour), and
// the collector lets garbage grow to the size of the live heap before it
// runs (GOGC=100), so the peak of the process can reach twice the cost. Put
// returns the memory of a large decode at once (releaseAbove); GOMEMLIMIT
// bounds the peak further.
func (s *Store) cost(f format, cfg image.Config, data []byte) int64 {
	long := max(int64(cfg.Width), int64(cfg.Height))
	rw := long
	if len(s.widths) > 0 {
		rw = min(long, int64(s.widths[len(s.widths)-1]))
	}
	return decodedCost(f, cfg, data) + 2*4*rw*long
}

// decodedCost is the decoder's share of the cost, with the orientation copy.
func decodedCost(f format, cfg image.Config, data []byte) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	var decoded int64
	switch f.mime {
	case MimeJPEG:
		decoded = jpegCost(data, cfg) + 4*px // + the orientation copy
	case MimePNG:
		decoded = px * pngBytesPerPixel(cfg.ColorModel)
		if pngInterlaced(data) {
			decoded *= 2
		}
	case MimeGIF:
		decoded = px
	case MimeWebP:
		mbs := ceilDiv(w, 16) * ceilDiv(h, 16) * 256
		switch cfg.ColorModel {
		case color.YCbCrModel:
			decoded = mbs * 3 / 2
		case color.NYCbCrAModel:
			decoded = mbs*3/2 + 9*px
		default: // lossless, NRGBA
			decoded = 8 * px
		}
	default:
		decoded = 8 * px
	}
	return decoded + decoderState
}

// decoderState is what a decoder allocates besides the pixels, whatever
// the size: Huffman tables, zlib and bufio buffers (measured at 30 to
// 110 KiB by TestCostBoundsAllocation).
const decoderState = 256 << 10

// pngBytesPerPixel is what image/png allocates per pixel for a colour model
// its DecodeConfig reports.
func pngBytesPerPixel(m color.Model) int64 {
	switch m {
	case color.NRGBAModel, color.RGBAModel, color.GrayModel:
		return 4
	case color.NRGBA64Model, color.RGBA64Model, color.Gray16Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// pngInterlaced reports the interlace method of the IHDR chunk, which
// always comes first (DecodeConfig has checked it).
func pngInterlaced(data []byte) bool {
	const at = 8 + 8 + 12 // signature, chunk length and type, then byte 12 of IHDR
	return len(data) > at && data[at] != 0
}

// jpegCost is what image/jpeg allocates for the frame: samples, progressive
// coefficients and the RGB or CMYK conversion. When the frame header cannot
// be found by a strict walk of the segments (image/jpeg tolerates some junk
// between them), the worst case for the component count is assumed:
// progressive, no subsampling.
func jpegCost(data []byte, cfg image.Config) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	fr, ok := jpegFrameHeader(data)
	if !ok {
		n := int64(3)
		switch cfg.ColorModel {
		case color.GrayModel:
			n = 1
		case color.CMYKModel:
			n = 4
		}
		fr = jpegFrame{progressive: true}
		for range n {
			fr.comps = append(fr.comps, [2]int64{1, 1})
		}
	}
	var hmax, vmax int64 = 1, 1
	for _, c := range fr.comps {
		hmax, vmax = max(hmax, c[0]), max(vmax, c[1])
	}
	if len(fr.comps) == 1 { // image/jpeg ignores the sampling of a lone component
		hmax, vmax = 1, 1
		fr.comps[0] = [2]int64{1, 1}
	}
	mxx, myy := ceilDiv(w, 8*hmax), ceilDiv(h, 8*vmax)
	var samples int64
	for _, c := range fr.comps {
		samples += 64 * mxx * myy * c[0] * c[1]
	}
	n := samples
	if fr.progressive {
		n += 4 * samples // one int32 per sample
	}
	if len(fr.comps) == 4 || cfg.ColorModel == color.RGBAModel {
		n += 4 * w * h
	}
	return n
}

// jpegFrame is what the cost needs from a JPEG frame header.
type jpegFrame struct {
	progressive bool
	comps       [][2]int64 // horizontal and vertical sampling factors
}

// jpegFrameHeader walks the segments of a JPEG up to its SOFn.
func jpegFrameHeader(data []byte) (jpegFrame, bool) {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return jpegFrame{}, false
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0x01 || (m >= 0xD0 && m <= 0xD8): // no length
			i += 2
			continue
		case m == 0xDA || m == 0xD9: // SOS or EOI before any frame
			return jpegFrame{}, false
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if n < 2 || i+2+n > len(data) {
			return jpegFrame{}, false
		}
		seg := data[i+4 : i+2+n]
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) || seg[5] == 0 {
				return jpegFrame{}, false
			}
			fr := jpegFrame{progressive: m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE}
			for k := range int(seg[5]) {
				hv := seg[6+3*k+1]
				hs, vs := int64(hv>>4), int64(hv&0x0F)
				if hs == 0 || vs == 0 {
					return jpegFrame{}, false
				}
				fr.comps = append(fr.comps, [2]int64{hs, vs})
			}
			return fr, true
		}
		i += 2 + n
	}
	return jpegFrame{}, false
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
