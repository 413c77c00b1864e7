package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

const (
	defaultLimit = 20
	maxLimit     = 100
)

// parseLimit reads ?limit=: 1 to 100, default 20; anything else is a 400.
func parseLimit(c echo.Context) (int, error) {
	s := c.QueryParam("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, badParam("limit", fmt.Sprintf("must be a whole number from 1 to %d", maxLimit))
	}
	return n, nil
}

// parseCursor reads ?cursor= for the named list; absent is nil.
func (s *Server) parseCursor(c echo.Context, list string) (*position, error) {
	raw := c.QueryParam("cursor")
	if raw == "" {
		return nil, nil //nolint:nilnil // no cursor: the first page, not a failure
	}
	p, err := s.cursors.decode(list, raw)
	if err != nil {
		return nil, badParam("cursor", "is not a cursor this list issued; start again without it")
	}
	return &p, nil
}

// parseSet reads a comma-separated parameter whose values must come from
// allowed; it returns nil when the parameter is absent.
func parseSet(c echo.Context, name string, allowed []string) (map[string]bool, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return nil, nil //nolint:nilnil // an absent parameter selects nothing, which callers read as all
	}
	ok := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		ok[a] = true
	}
	out := map[string]bool{}
	for _, f := range strings.Split(raw, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !ok[f] {
			return nil, badParam(name, fmt.Sprintf("has an unknown value %q; allowed: %s", f, strings.Join(allowed, ", ")))
		}
		out[f] = true
	}
	if len(out) == 0 {
		return nil, badParam(name, "is empty")
	}
	return out, nil
}

// parseLang reads an optional two-letter language parameter.
func parseLang(c echo.Context) (string, error) {
	l := c.QueryParam("lang")
	if l == "" {
		return "", nil
	}
	if len(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
		return "", badParam("lang", "must be a two-letter, lower-case language code such as fr or en")
	}
	return l, nil
}

// parseSlug checks a slug-like path or query value.
func validSlug(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// decodeJSON reads a write's body strictly: JSON only, one value, no unknown
// fields. Anything else is a 400 (or 415 for another media type) that
// changes nothing.
func decodeJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) != echo.MIMEApplicationJSON {
		return &problemError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			detail: "send the body as application/json"}
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &problemError{status: http.StatusRequestEntityTooLarge, code: "payload_too_large", detail: "the body is too large"}
		}
		return badRequest("the body is not valid JSON for this request: " + jsonProblem(err))
	}
	if dec.More() {
		return badRequest("the body must hold one JSON value")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing internals.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, te.Type.Kind())
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "malformed JSON"
}

// ifMatch reads the If-Match of a write to the versioned resource id: the
// version it names, or 0 when there is none or it is "*" (write whatever the
// current version). When required, its absence is a 428. A tag that names no
// version of this resource is noMatch, a version no resource has. Whether the
// named version is current is the domain's to check, in the same transaction
// as the write: after the resource was found (a 404 comes first), a version
// that is not current is its ErrStale, a 412.
func ifMatch(c echo.Context, id string, required bool) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	switch {
	case h == "" && required:
		return 0, &problemError{status: http.StatusPreconditionRequired, code: "precondition_required",
			detail: "send If-Match with the ETag you last read"}
	case h == "" || h == "*":
		return 0, nil
	}
	prefix := `"` + id + `.v`
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		num, ok := strings.CutPrefix(t, prefix)
		if !ok {
			continue
		}
		num, ok = strings.CutSuffix(num, `"`)
		if !ok || len(num) > 9 {
			continue
		}
		if n, err := strconv.Atoi(num); err == nil && n > 0 && versionETag(id, n) == t {
			return n, nil
		}
	}
	return noMatch, nil
}

// versionedPath reads the id of the versioned resource of kind a write names
// in its path (a shape that is no id is a 404) and the version its If-Match
// names (see ifMatch).
func versionedPath(c echo.Context, kind string, required bool) (id string, version int, err error) {
	if id, err = pathID(c, kind); err != nil {
		return "", 0, err
	}
	version, err = ifMatch(c, id, required)
	return id, version, err
}

// noMatch is the version an If-Match names when none of its tags is one of
// the resource's: every domain's check refuses it as stale.
const noMatch = -1

// versionETag is the ETag of a versioned resource on the newsroom side:
// strong, and derived from the version that If-Match names.
func versionETag(id string, version int) string {
	return fmt.Sprintf(`"%s.v%d"`, id, version)
}
