package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/content"
)

// Every editable resource follows one contract: its ETag is
// "<id>.v<version>", each write moves the version by one, an If-Match on
// another version (or on another resource) is a 412 that changes nothing,
// no If-Match writes over whatever is current, and an unknown id is a 404
// even with an If-Match.
func TestEveryResourceIsVersioned(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	admin := a.Token(access.RoleAdmin)
	jsonHdr := []string{"Content-Type", "application/json"}

	create := func(path, body string) string {
		t.Helper()
		r := a.Do(http.MethodPost, path, admin, strings.NewReader(body), jsonHdr...)
		mustStatus(t, r, http.StatusCreated, "create "+path)
		var v struct {
			ID      string `json:"id"`
			Partner struct {
				ID string `json:"id"`
			} `json:"partner"`
		}
		r.JSON(t, &v)
		if v.ID == "" {
			v.ID = v.Partner.ID
		}
		if want := fmt.Sprintf(`"%s.v1"`, v.ID); r.Header.Get("ETag") != want {
			t.Errorf("create %s: ETag %q, want %q", path, r.Header.Get("ETag"), want)
		}
		return v.ID
	}

	resources := []struct {
		name, path, patch, field string
	}{
		{"section", "/v1/admin/sections/" + create("/v1/admin/sections", `{"names":{"fr":"Sciences"}}`), `{"position":%d}`, "position"},
		{"tag", "/v1/admin/tags/" + create("/v1/admin/tags", `{"name":"Hydrologie","kind":"topic"}`), `{"name":"Hydrologie %d"}`, "name"},
		{"author", "/v1/admin/authors/" + create("/v1/admin/authors", `{"name":"B. Martin"}`), `{"bio":"Bio %d"}`, "bio"},
		{"partner", "/v1/admin/partners/" + create("/v1/admin/partners", `{"name":"Agence Nord","scopes":["headlines"]}`), `{"rate_limit":%d}`, "rate_limit"},
		{"photo", "/v1/admin/photos/" + a.Article("wells").PhotoID, `{"caption":"Légende %d"}`, "caption"},
	}
	for _, res := range resources {
		t.Run(res.name, func(t *testing.T) {
			id := res.path[strings.LastIndexByte(res.path, '/')+1:]
			etag := func(v int) string { return fmt.Sprintf(`"%s.v%d"`, id, v) }
			patch := func(n int, ifMatch ...string) apitest.Response {
				hdr := jsonHdr
				if len(ifMatch) > 0 {
					hdr = append([]string{"If-Match", ifMatch[0]}, jsonHdr...)
				}
				return a.Do(http.MethodPatch, res.path, admin, strings.NewReader(fmt.Sprintf(res.patch, n)), hdr...)
			}
			value := func(r apitest.Response) string {
				t.Helper()
				var m map[string]json.RawMessage
				r.JSON(t, &m)
				return string(m[res.field])
			}

			r := patch(2, etag(1))
			mustStatus(t, r, http.StatusOK, "write at the version read")
			if r.Header.Get("ETag") != etag(2) {
				t.Fatalf("ETag after one write %q, want %q", r.Header.Get("ETag"), etag(2))
			}
			written := value(r)

			for what, tag := range map[string]string{
				"an older version":   etag(1),
				"a later version":    etag(3),
				"another resource's": fmt.Sprintf(`"%s.v2"`, content.NewID()),
				"a weak tag":         "W/" + etag(2),
			} {
				r := patch(7, tag)
				mustStatus(t, r, http.StatusPreconditionFailed, "If-Match on "+what)
				if code := problemCode(t, r); code != "precondition_failed" {
					t.Errorf("If-Match on %s: code %q", what, code)
				}
			}
			// The refused writes moved nothing: version 2 is still current.
			r = patch(3, etag(2))
			mustStatus(t, r, http.StatusOK, "write after the refusals")
			if value(r) == written {
				t.Errorf("the write did not apply")
			}
			if r.Header.Get("ETag") != etag(3) {
				t.Errorf("refused writes moved the version: %q", r.Header.Get("ETag"))
			}

			// Without If-Match, or with "*", the write applies to the current version.
			r = patch(4)
			mustStatus(t, r, http.StatusOK, "write without If-Match")
			next := r.Header.Get("ETag")
			r = patch(5, "*")
			mustStatus(t, r, http.StatusOK, "write with If-Match: *")
			if r.Header.Get("ETag") == next {
				t.Errorf("If-Match * did not move the version from %s", next)
			}

			// A DELETE follows the same rule, where the resource has one.
			if res.name == "section" || res.name == "tag" || res.name == "author" {
				cur := r.Header.Get("ETag")
				r = a.Do(http.MethodDelete, res.path, admin, nil, "If-Match", etag(1))
				mustStatus(t, r, http.StatusPreconditionFailed, "delete with a stale If-Match")
				r = a.Do(http.MethodDelete, res.path, admin, nil, "If-Match", cur)
				mustStatus(t, r, http.StatusNoContent, "delete at the current version")
				r = a.Do(http.MethodDelete, res.path, admin, nil, "If-Match", cur)
				mustStatus(t, r, http.StatusNotFound, "delete again")
			}

			// An unknown id is a 404 before any precondition.
			unknown := strings.TrimSuffix(res.path, id) + content.NewID()
			r = a.Do(http.MethodPatch, unknown, admin, strings.NewReader(fmt.Sprintf(res.patch, 1)), append([]string{"If-Match", etag(1)}, jsonHdr...)...)
			mustStatus(t, r, http.StatusNotFound, "unknown id with If-Match")
			if code := problemCode(t, r); code != "not_found" {
				t.Errorf("unknown id: code %q", code)
			}
		})
	}
}

// A photo answers its version's ETag, and a DELETE with a stale one
// changes nothing.
func TestPhotoDeleteIfMatch(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	admin := a.Token(access.RoleAdmin)
	id := a.Article("wells").PhotoID
	// In use: a conflict naming what shows it.
	r := a.Do(http.MethodDelete, "/v1/admin/photos/"+id, admin, nil, "If-Match", fmt.Sprintf(`"%s.v1"`, id))
	mustStatus(t, r, http.StatusConflict, "delete a photo in use")
	if !strings.Contains(string(r.Body), a.Article("wells").ID) {
		t.Errorf("the conflict does not name the article: %s", r.Body)
	}
	r = a.Do(http.MethodDelete, "/v1/admin/photos/"+id, admin, nil, "If-Match", fmt.Sprintf(`"%s.v9"`, id))
	mustStatus(t, r, http.StatusPreconditionFailed, "delete with a stale If-Match")
	if _, err := a.Content.Photo(t.Context(), id); err != nil {
		t.Fatalf("the photo is gone after refused deletes: %v", err)
	}
}
