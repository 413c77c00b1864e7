package wordpress

import (
	"net/url"
	"regexp"
	"strings"
)

// AttachmentURLs finds which attachment an image address in a body shows.
// WordPress bodies point at the uploaded file or at one of the sizes it
// made of it: photo.jpg, photo-300x200.jpg, photo-1024x683.jpg, and since
// WordPress 5.3 a large original is kept as photo-scaled.jpg, while an image
// edited in WordPress gets a suffix such as photo-e1712345678901.jpg. All
// of them lead to the attachment. The host is ignored when the path is
// under an uploads folder (http and https, a CDN in front of the site).
//
// The zero value is not usable; call NewAttachmentURLs. An AttachmentURLs
// is not safe for concurrent writes.
type AttachmentURLs struct {
	exact map[string]int64 // by the key of the address as it is
	base  map[string]int64 // by the key without size and edit suffixes
}

// NewAttachmentURLs returns an empty index.
func NewAttachmentURLs() *AttachmentURLs {
	return &AttachmentURLs{exact: map[string]int64{}, base: map[string]int64{}}
}

// Add records the attachment id whose file is at fileURL (an item's
// AttachmentURL). The first attachment recorded for an address keeps it.
func (a *AttachmentURLs) Add(id int64, fileURL string) {
	k := urlKey(fileURL)
	if k == "" || id <= 0 {
		return
	}
	if _, ok := a.exact[k]; !ok {
		a.exact[k] = id
	}
	if b := stripSizes(k); b != "" {
		if _, ok := a.base[b]; !ok {
			a.base[b] = id
		}
	}
}

// Len returns how many addresses were recorded.
func (a *AttachmentURLs) Len() int { return len(a.exact) }

// Find returns the attachment an image address shows, if any.
func (a *AttachmentURLs) Find(src string) (int64, bool) {
	k := urlKey(src)
	if k == "" {
		return 0, false
	}
	if id, ok := a.exact[k]; ok {
		return id, true
	}
	id, ok := a.base[stripSizes(k)]
	return id, ok
}

// urlKey reduces an address to what identifies the file: the path from the
// uploads folder on ("uploads/2026/03/photo.jpg"), or else host and path,
// lowercased with escapes decoded. Scheme, query and fragment go.
func urlKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(strings.ToLower(s), "data:") {
		return ""
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	p := strings.ToLower(decodePath(u.EscapedPath(), true))
	if i := strings.LastIndex(p, "/uploads/"); i >= 0 {
		return p[i+1:]
	}
	if u.Host == "" {
		return strings.TrimPrefix(p, "/")
	}
	return strings.ToLower(u.Host) + p
}

// sizeSuffix matches the suffixes WordPress adds to an upload's name
// before its extension: -300x200 (a size), -scaled, -rotated, -e and a
// 13-digit time (an edit); several may follow one another.
var sizeSuffix = regexp.MustCompile(`(?:-\d{1,5}x\d{1,5}|-scaled|-rotated|-e\d{13})+(\.[a-z0-9]{1,5})$`)

func stripSizes(k string) string { return sizeSuffix.ReplaceAllString(k, "$1") }
