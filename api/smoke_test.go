package api_test

import (
	"testing"

	"masthead/api/apitest"
)

func TestSmoke(t *testing.T) {
	a := apitest.New(t)
	for _, p := range []string{"/v1/articles", "/v1/articles/lanne-ete-puits-a-sec", "/v1/sections", "/v1/tags", "/healthz", "/readyz", "/.well-known/jwks.json", "/v1/articles/nope"} {
		r := a.Get(p, "")
		t.Logf("%s %d %d bytes", p, r.Status, len(r.Body))
	}
}
