// Command wxrgen writes a synthetic WordPress export and the image files
// of its attachments, for the import benchmark (make bench-import):
//
//	wxrgen -out DIR -posts 20000 -comments 5 -attachments 5000
//
// writes DIR/export.xml and DIR/uploads/<year>/<month>/img-N.jpg (small
// real JPEGs, each a little different, so that none is deduplicated).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"

	"masthead/internal/wordpress"
)

func main() {
	out := flag.String("out", "", "the folder to write export.xml and uploads/ into (required)")
	posts := flag.Int("posts", 20000, "posts")
	perPost := flag.Int("comments", 5, "comments per post")
	atts := flag.Int("attachments", 5000, "attachments (image files)")
	polylang := flag.Bool("polylang", true, "tag posts fr and en by turns, paired as translations")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *posts, *perPost, *atts, *polylang); err != nil {
		fmt.Fprintln(os.Stderr, "wxrgen:", err)
		os.Exit(1)
	}
}

func run(out string, posts, perPost, atts int, polylang bool) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, "export.xml"))
	if err != nil {
		return err
	}
	err = wordpress.WriteSynthetic(f, wordpress.SyntheticOptions{Posts: posts, CommentsPerPost: perPost, Attachments: atts, Seed: 1, Polylang: polylang})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for n := 1; n <= atts; n++ {
		img := image.NewRGBA(image.Rect(0, 0, 480, 320))
		for y := range 320 {
			for x := range 480 {
				img.SetRGBA(x, y, color.RGBA{uint8(x + n), uint8(y + 3*n), uint8(n * 7), 255})
			}
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			return err
		}
		p := filepath.Join(out, "uploads", filepath.FromSlash(wordpress.SyntheticAttachmentFile(n)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
