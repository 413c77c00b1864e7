package api_test

import (
	"net/http"
	"strings"
	"testing"

	"masthead/api/apitest"
)

// Editors see drafts and scheduled articles, whole, with ?preview=true;
// nobody else does, and nothing of it is cached for others.
func TestEditorPreview(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	draft, sched := a.Article(draftRef), a.Article(scheduledRef)
	wells := a.Article("wells")
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "editor sees a draft", Path: "/v1/articles/" + draft.ID + "?preview=true", Token: apitest.As("editor"),
			WantStatus: http.StatusOK, WantContains: []string{draft.Title},
			WantHeaders: map[string]string{"Cache-Control": "no-store"}},
		{Name: "admin sees a scheduled article by slug", Path: "/v1/articles/" + sched.Slug + "?preview=true&lang=" + sched.Lang,
			Token: apitest.As("admin"), WantStatus: http.StatusOK, WantContains: []string{sched.Title}},
		{Name: "editor gets the whole of a subscribers article", Path: "/v1/articles/" + wells.ID + "?preview=true&format=text",
			Token: apitest.As("editor"), WantStatus: http.StatusOK,
			Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
				var got struct {
					Body struct{ Text string } `json:"body"`
				}
				r.JSON(t, &got)
				if got.Body.Text != wells.Body.Text {
					t.Errorf("preview=true for an editor is not the full text")
				}
			}},
		{Name: "anonymous", Path: "/v1/articles/" + draft.ID + "?preview=true", WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated"},
		{Name: "reader", Path: "/v1/articles/" + draft.ID + "?preview=true", Token: apitest.As("reader"),
			WantStatus: http.StatusForbidden, WantCode: "forbidden", WantNotContains: []string{draft.Title}},
		{Name: "subscriber", Path: "/v1/articles/" + draft.ID + "?preview=true", Token: apitest.As("subscriber"),
			WantStatus: http.StatusForbidden, WantCode: "forbidden"},
		{Name: "bad value", Path: "/v1/articles/" + draft.ID + "?preview=yes", Token: apitest.As("editor"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		{Name: "unknown article", Path: "/v1/articles/no-such-thing?preview=true", Token: apitest.As("editor"),
			WantStatus: http.StatusNotFound, WantCode: "not_found"},
		{Name: "the draft is still hidden without preview", Path: "/v1/articles/" + draft.ID, Token: apitest.As("editor"),
			WantStatus: http.StatusNotFound, WantCode: "not_found"},
	})
	if r := a.Get("/v1/articles/"+draft.ID, ""); r.Status != http.StatusNotFound || strings.Contains(string(r.Body), draft.Title) {
		t.Errorf("after an editor's preview, an anonymous read got %d", r.Status)
	}
}
