package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/labstack/echo/v4"
)

// Cache policies.
const (
	cachePublic  = "public, max-age=60"
	cachePrivate = "private, max-age=0, must-revalidate"
)

// sendJSON writes v with an ETag computed from the exact bytes (so each
// representation — preview or full, one format or another — has its own),
// Last-Modified, and the cache policy; it answers 304 when the client's copy
// is current.
func sendJSON(c echo.Context, v any, lastModified time.Time, cacheControl string, fields map[string]bool) error {
	b, err := encode(v, fields)
	if err != nil {
		return err
	}
	return sendBytes(c, b, lastModified, cacheControl)
}

// encode marshals v and applies fields=.
func encode(v any, fields map[string]bool) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	if fields != nil {
		if b, err = selectFields(b, fields); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// sendVersioned answers a newsroom read or write with a versioned resource:
// the version's ETag (what If-Match names), Last-Modified, and no shared
// caching; a GET whose If-None-Match holds that version is a 304.
func sendVersioned(c echo.Context, status int, id string, version int, updated time.Time, v any) error {
	b, err := encode(v, nil)
	if err != nil {
		return err
	}
	etag := versionETag(id, version)
	h := c.Response().Header()
	h.Set(headerETag, etag)
	h.Set(echo.HeaderLastModified, httpTime(updated))
	h.Set(echo.HeaderCacheControl, cacheNewsroom)
	if c.Request().Method == http.MethodGet && notModified(c.Request(), etag, updated) {
		return c.NoContent(http.StatusNotModified)
	}
	return writeBody(c, status, b, nil)
}

// etagOf is a weak validator over the exact bytes: their xxHash64, the
// same in every process (FNV, before it, hashed a byte at a time: a
// 300 KB page of the change log spent a seventh of its time there).
func etagOf(b []byte) string {
	var buf [20]byte
	out := append(buf[:0], `W/"`...)
	out = strconv.AppendUint(out, xxhash.Sum64(b), 36)
	return string(append(out, '"'))
}

func sendBytes(c echo.Context, b []byte, lastModified time.Time, cacheControl string) error {
	return sendRep(c, newRep(b, lastModified), cacheControl)
}

// sendRep writes an encoded representation, or 304 when the client has it.
func sendRep(c echo.Context, rep cachedRep, cacheControl string) error {
	h := c.Response().Header()
	h.Set(headerETag, rep.etag)
	if rep.lastModText != "" {
		h.Set(echo.HeaderLastModified, rep.lastModText)
	}
	h.Set(echo.HeaderCacheControl, cacheControl)
	if notModified(c.Request(), rep.etag, rep.lastMod) {
		return c.NoContent(http.StatusNotModified)
	}
	return writeBody(c, http.StatusOK, rep.body, rep.coded)
}

// writeBody sends body (JSON unless a Content-Type is already set) in the
// best coding the client accepts, with its Content-Length. coded holds the
// compressed forms already made (nil: compress for this response only).
// The ETag stays the same in every coding: it is weak, and a weak
// validator names the content, not its coding (RFC 9110, 8.8.1).
func writeBody(c echo.Context, status int, body []byte, coded *forms) error {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if h.Get(echo.HeaderContentType) == "" {
		h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if e := negotiate(c.Request().Header.Get(echo.HeaderAcceptEncoding)); e != identity {
		if coded == nil {
			coded = new(forms)
		}
		if z := coded.get(e, body); z != nil {
			body = z
			h.Set(echo.HeaderContentEncoding, e.token())
		}
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}

// httpTime formats t as an HTTP date.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// notModified applies If-None-Match (weak comparison), and If-Modified-Since
// only when no If-None-Match was sent (RFC 9110, 13.2.2).
func notModified(r *http.Request, etag string, lastModified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastModified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !lastModified.Truncate(time.Second).After(t)
	}
	return false
}

// selectFields keeps the top-level keys of a JSON object (or of each object
// in a list's "data") that fields names; "id" always stays.
func selectFields(b []byte, fields map[string]bool) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("select fields: %w", err)
	}
	if data, ok := obj["data"]; ok && bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("select fields: %w", err)
		}
		for _, it := range items {
			keep(it, fields)
		}
		nb, err := json.Marshal(items)
		if err != nil {
			return nil, fmt.Errorf("select fields: %w", err)
		}
		obj["data"] = nb
		return json.Marshal(obj)
	}
	keep(obj, fields)
	return json.Marshal(obj)
}

func keep(obj map[string]json.RawMessage, fields map[string]bool) {
	for k := range obj {
		if k != "id" && !fields[k] {
			delete(obj, k)
		}
	}
}

const headerETag = "ETag"
