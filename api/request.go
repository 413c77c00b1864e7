package api

import (
	"fmt"
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
		return nil, nil
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
		return nil, nil
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
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
