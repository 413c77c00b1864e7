package wordpress

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// BenchmarkReader streams a synthetic export of 2,000 posts (10,000
// comments, 500 attachments): MB/s through SetBytes, items/s, and the
// allocations per export.
func BenchmarkReader(b *testing.B) {
	data := synthetic(b, SyntheticOptions{Posts: 2000, CommentsPerPost: 5, Attachments: 500, Seed: 1, Polylang: true})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	items := 0
	for b.Loop() {
		rd := NewReader(bytes.NewReader(data), Limits{})
		items = 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			items++
		}
	}
	b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkConvertBody converts the bodies of a synthetic export, block
// editor and classic.
func BenchmarkConvertBody(b *testing.B) {
	_, items := readAll(b, bytes.NewReader(synthetic(b, SyntheticOptions{Posts: 100, Attachments: 10, Seed: 1})), Limits{})
	urls := NewAttachmentURLs()
	var bodies []string
	size := 0
	for _, it := range items {
		if it.Type == "attachment" {
			urls.Add(it.ID, it.AttachmentURL)
		} else {
			bodies = append(bodies, it.Content)
			size += len(it.Content)
		}
	}
	opt := BodyOptions{URLs: urls, Photo: func(id int64, _ string) (string, bool) { return photoID(id), id > 0 }}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range bodies {
			if _, err := ConvertBody(s, opt); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(bodies))*float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
}
