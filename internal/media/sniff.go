package media

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"
)

// Content types recognised by ContentType.
const (
	MimeJPEG = "image/jpeg"
	MimePNG  = "image/png"
	MimeGIF  = "image/gif"
	MimeWebP = "image/webp"
)

// Importing image/jpeg, image/png, image/gif and x/image/webp above also
// registers their decoders with package image, which imaging.Decode uses.
// imaging itself registers BMP and TIFF too; those are never reached because
// Put only decodes data that sniff accepted.

// format describes one accepted input format.
type format struct {
	mime   string
	config func(r *bytes.Reader) (image.Config, error)
}

// formats lists the accepted input formats with the header-only decoder of
// each. Calling the format's own DecodeConfig (rather than image.DecodeConfig)
// guarantees the header is parsed by the decoder matching the sniffed type.
var formats = []struct {
	match func([]byte) bool
	format
}{
	{isJPEG, format{MimeJPEG, func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }}},
	{isPNG, format{MimePNG, func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }}},
	{isGIF, format{MimeGIF, func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) }}},
	{isWebP, format{MimeWebP, func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) }}},
}

func isJPEG(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) }

func isPNG(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }

func isGIF(b []byte) bool {
	return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
}

func isWebP(b []byte) bool {
	return len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

// sniff returns the format whose magic bytes start data.
func sniff(data []byte) (format, error) {
	for _, f := range formats {
		if f.match(data) {
			return f.format, nil
		}
	}
	n := min(len(data), 8)
	return format{}, fmt.Errorf("media: unrecognised leading bytes % x: %w", data[:n], ErrUnsupported)
}

// ContentType reports the MIME type of data judged only by its leading magic
// bytes: one of MimeJPEG, MimePNG, MimeGIF or MimeWebP. Any other content
// yields an error wrapping ErrUnsupported. It does not validate the rest of
// the data.
func ContentType(data []byte) (string, error) {
	f, err := sniff(data)
	if err != nil {
		return "", err
	}
	return f.mime, nil
}
