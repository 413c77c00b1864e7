package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/api"
	"masthead/api/apitest"
	"masthead/docs"
	"masthead/internal/access"
	"masthead/internal/config"
)

// createdPartner is the answer to POST /v1/admin/partners.
type createdPartner struct {
	Partner struct {
		ID             string     `json:"id"`
		Name           string     `json:"name"`
		Scopes         []string   `json:"scopes"`
		RateLimit      int        `json:"rate_limit"`
		Active         bool       `json:"active"`
		Subject        string     `json:"subject"`
		TokenExpiresAt time.Time  `json:"token_expires_at"`
		DisabledAt     *time.Time `json:"disabled_at"`
	} `json:"partner"`
	Token   string `json:"token"`
	FeedKey string `json:"feed_key"`
	ETag    string `json:"-"`
}

func adminJSON(t *testing.T, a *apitest.App, method, path, body string, headers ...string) apitest.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	return a.Do(method, path, a.Token(access.RoleAdmin), r, headers...)
}

func createPartner(t *testing.T, a *apitest.App, body string) createdPartner {
	t.Helper()
	r := adminJSON(t, a, http.MethodPost, "/v1/admin/partners", body)
	mustStatus(t, r, http.StatusCreated, "create partner")
	var p createdPartner
	r.JSON(t, &p)
	p.ETag = r.Header.Get("ETag")
	if p.Partner.ID == "" || p.Token == "" || p.FeedKey == "" || p.ETag == "" {
		t.Fatalf("incomplete partner: %+v", p)
	}
	return p
}

// readGranted reads an article as token and says whether the body was
// whole.
func readGranted(t *testing.T, a *apitest.App, slug, token string, headers ...string) (int, bool) {
	t.Helper()
	r := a.Get("/v1/articles/"+slug, token, headers...)
	if r.Status != http.StatusOK {
		return r.Status, false
	}
	var art struct {
		Access struct {
			Granted bool `json:"granted"`
		} `json:"access"`
	}
	r.JSON(t, &art)
	return r.Status, art.Access.Granted
}

func TestAdminPartnersCRUD(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"], "rate_limit": 600}`)
	if p.Partner.Name != "Agence Vallée" || strings.Join(p.Partner.Scopes, " ") != "headlines" ||
		p.Partner.RateLimit != 600 || !p.Partner.Active || p.Partner.DisabledAt != nil ||
		p.Partner.Subject != "partner:"+p.Partner.ID || !strings.HasPrefix(p.FeedKey, "mfk_") {
		t.Errorf("created: %+v", p)
	}
	// The token lives a year by default.
	if d := p.Partner.TokenExpiresAt.Sub(a.Clock.Now()); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("token expires in %s, want about a year", d)
	}
	// The token carries the partner's role, scopes, subject and a jti.
	pr, err := a.Tokens.Verify(p.Token)
	if err != nil || pr.Role != access.RolePartner || pr.Subject != p.Partner.Subject || pr.TokenID == "" ||
		strings.Join(pr.Scopes, " ") != "headlines" {
		t.Errorf("token: %+v %v", pr, err)
	}
	// Only the feed key's SHA-256 is stored, and the token's jti.
	var row struct {
		FeedKeyHash string
		TokenID     string
	}
	if err := a.DB.Read(t.Context()).Raw("SELECT feed_key_hash, token_id FROM partners WHERE id = ?", p.Partner.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(p.FeedKey))
	if row.FeedKeyHash != hex.EncodeToString(sum[:]) || row.TokenID != pr.TokenID {
		t.Errorf("stored %+v, want the key's hash and jti %s", row, pr.TokenID)
	}

	// Absent fields: full_text brings headlines; no rate_limit takes the
	// default (0 here: the test app sets none).
	q := createPartner(t, a, `{"name": "Courrier", "scopes": ["full_text"]}`)
	if strings.Join(q.Partner.Scopes, " ") != "headlines full_text" || q.Partner.RateLimit != 0 {
		t.Errorf("second partner: %+v", q.Partner)
	}

	// The list: newest first, paged, never a credential.
	r := adminJSON(t, a, http.MethodGet, "/v1/admin/partners?limit=1", "")
	mustStatus(t, r, http.StatusOK, "list")
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != q.Partner.ID || page.NextCursor == nil {
		t.Fatalf("first page: %s", r.Body)
	}
	r = adminJSON(t, a, http.MethodGet, "/v1/admin/partners?limit=1&cursor="+*page.NextCursor, "")
	mustStatus(t, r, http.StatusOK, "second page")
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != p.Partner.ID || page.NextCursor != nil {
		t.Fatalf("second page: %s", r.Body)
	}
	if strings.Contains(string(r.Body), p.FeedKey) || strings.Contains(string(r.Body), "token\"") {
		t.Errorf("the list shows credentials: %s", r.Body)
	}

	// One partner, its ETag, and 304.
	r = adminJSON(t, a, http.MethodGet, "/v1/admin/partners/"+p.Partner.ID, "")
	mustStatus(t, r, http.StatusOK, "get")
	if r.Header.Get("ETag") != p.ETag || strings.Contains(string(r.Body), p.FeedKey) {
		t.Errorf("get: ETag %q (want %q), body %s", r.Header.Get("ETag"), p.ETag, r.Body)
	}
	r = adminJSON(t, a, http.MethodGet, "/v1/admin/partners/"+p.Partner.ID, "", "If-None-Match", p.ETag)
	mustStatus(t, r, http.StatusNotModified, "get with If-None-Match")

	// PATCH with the current ETag; then the old one is stale.
	r = adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"name": "Agence Vallée SA", "rate_limit": 0}`, "If-Match", p.ETag)
	mustStatus(t, r, http.StatusOK, "patch")
	etag := r.Header.Get("ETag")
	if etag == "" || etag == p.ETag || !strings.Contains(string(r.Body), `"name":"Agence Vallée SA"`) || !strings.Contains(string(r.Body), `"rate_limit":0`) {
		t.Errorf("patched: ETag %q, %s", etag, r.Body)
	}
	r = adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"name": "Lost update"}`, "If-Match", p.ETag)
	mustStatus(t, r, http.StatusPreconditionFailed, "stale If-Match")
	if problemCode(t, r) != "precondition_failed" {
		t.Errorf("stale If-Match: %s", r.Body)
	}
	r = adminJSON(t, a, http.MethodPost, "/v1/admin/partners/"+p.Partner.ID+"/credentials", "", "If-Match", p.ETag)
	mustStatus(t, r, http.StatusPreconditionFailed, "stale If-Match on rotation")

	// Disable, and enable again.
	r = adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"active": false}`, "If-Match", etag)
	mustStatus(t, r, http.StatusOK, "disable")
	if !strings.Contains(string(r.Body), `"active":false`) || strings.Contains(string(r.Body), `"disabled_at":null`) {
		t.Errorf("disabled: %s", r.Body)
	}
	r = adminJSON(t, a, http.MethodPatch, "/v1/admin/partners/"+p.Partner.ID, `{"active": true}`)
	mustStatus(t, r, http.StatusOK, "enable")
	if !strings.Contains(string(r.Body), `"active":true`) || !strings.Contains(string(r.Body), `"disabled_at":null`) {
		t.Errorf("enabled: %s", r.Body)
	}
}

func TestAdminPartnersRefusals(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"]}`)
	admin := apitest.As("admin")
	path := "/v1/admin/partners/" + p.Partner.ID
	missing := "/v1/admin/partners/01JD3Q8V6K2M7T4X9R5B1N0C8E"
	partnerToken := func(*apitest.App) string { return p.Token }
	scenarios := []apitest.Scenario{
		{Name: "anonymous create", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": "X", "scopes": ["headlines"]}`,
			WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "anonymous list", Path: "/v1/admin/partners", WantStatus: 401, WantCode: "unauthenticated"},
		{Name: "bad token", Path: "/v1/admin/partners", Token: func(*apitest.App) string { return "nope" }, WantStatus: 401, WantCode: "token_invalid"},
		{Name: "editor create", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": "X", "scopes": ["headlines"]}`,
			Token: apitest.As("editor"), WantStatus: 403, WantCode: "forbidden"},
		{Name: "editor list", Path: "/v1/admin/partners", Token: apitest.As("editor"), WantStatus: 403, WantCode: "forbidden"},
		{Name: "reader get", Path: path, Token: apitest.As("reader"), WantStatus: 403, WantCode: "forbidden"},
		{Name: "subscriber patch", Method: http.MethodPatch, Path: path, Body: `{"active": false}`, Token: apitest.As("subscriber"), WantStatus: 403, WantCode: "forbidden"},
		{Name: "partner rotates itself", Method: http.MethodPost, Path: path + "/credentials", Token: partnerToken, WantStatus: 403, WantCode: "forbidden"},
		{Name: "cli partner token", Path: "/v1/admin/partners", Token: apitest.As("partner", "full_text"), WantStatus: 403, WantCode: "forbidden"},
		{Name: "unknown field", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": "X", "scopes": ["headlines"], "feed_key": "mine"}`,
			Token: admin, WantStatus: 400, WantCode: "bad_request", WantContains: []string{"feed_key"}},
		{Name: "malformed JSON", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": `, Token: admin, WantStatus: 400, WantCode: "bad_request"},
		{Name: "wrong type", Method: http.MethodPatch, Path: path, Body: `{"rate_limit": "fast"}`, Token: admin, WantStatus: 400, WantCode: "bad_request"},
		{Name: "not JSON", Method: http.MethodPost, Path: "/v1/admin/partners", Token: admin, Headers: []string{"Content-Type", "text/plain"},
			WantStatus: 415, WantCode: "unsupported_media_type"},
		{Name: "invalid fields", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": " ", "scopes": ["everything"], "rate_limit": -1}`,
			Token: admin, WantStatus: 422, WantCode: "validation_failed",
			Check: func(t *testing.T, _ *apitest.App, r apitest.Response) {
				var pb api.Problem
				r.JSON(t, &pb)
				fields := map[string]bool{}
				for _, f := range pb.Errors {
					fields[f.Field] = true
				}
				if !fields["name"] || !fields["scopes"] || !fields["rate_limit"] || len(pb.Errors) != 3 {
					t.Errorf("errors[] = %+v, want name, scopes and rate_limit", pb.Errors)
				}
			}},
		{Name: "no scopes", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": "X", "scopes": []}`,
			Token: admin, WantStatus: 422, WantCode: "validation_failed", WantContains: []string{`"field":"scopes"`}},
		{Name: "rate limit too high", Method: http.MethodPatch, Path: path, Body: `{"rate_limit": 1000001}`,
			Token: admin, WantStatus: 422, WantCode: "validation_failed", WantContains: []string{`"field":"rate_limit"`}},
		{Name: "name too long", Method: http.MethodPatch, Path: path, Body: `{"name": "` + strings.Repeat("é", 101) + `"}`,
			Token: admin, WantStatus: 422, WantCode: "validation_failed", WantContains: []string{`"field":"name"`}},
		{Name: "duplicate name", Method: http.MethodPost, Path: "/v1/admin/partners", Body: `{"name": "Agence Vallée", "scopes": ["headlines"]}`,
			Token: admin, WantStatus: 409, WantCode: "conflict"},
		{Name: "get missing", Path: missing, Token: admin, WantStatus: 404, WantCode: "not_found"},
		{Name: "get not an id", Path: "/v1/admin/partners/agence", Token: admin, WantStatus: 404, WantCode: "not_found"},
		{Name: "patch missing", Method: http.MethodPatch, Path: missing, Body: `{"active": false}`, Token: admin, WantStatus: 404, WantCode: "not_found"},
		{Name: "rotate missing", Method: http.MethodPost, Path: missing + "/credentials", Token: admin, WantStatus: 404, WantCode: "not_found"},
		{Name: "foreign If-Match", Method: http.MethodPatch, Path: path, Body: `{"active": false}`, Token: admin,
			Headers: []string{"If-Match", `"01JD3Q8V6K2M7T4X9R5B1N0C8E.t1"`}, WantStatus: 412, WantCode: "precondition_failed"},
		{Name: "bad cursor", Path: "/v1/admin/partners?cursor=abc", Token: admin, WantStatus: 400, WantCode: "bad_request"},
		{Name: "bad limit", Path: "/v1/admin/partners?limit=0", Token: admin, WantStatus: 400, WantCode: "bad_request"},
	}
	apitest.RunShared(t, a, scenarios)
	// Nothing refused was written.
	var n int64
	if err := a.DB.Read(t.Context()).Table("partners").Count(&n).Error; err != nil || n != 1 {
		t.Errorf("%d partners after the refusals (%v), want 1", n, err)
	}
	r := adminJSON(t, a, http.MethodGet, path, "")
	if !strings.Contains(string(r.Body), `"active":true`) {
		t.Errorf("a refused write changed the partner: %s", r.Body)
	}
}

// A partner's token reads as the partner's row says: scopes, active,
// current credentials. Every change applies at the next request.
func TestPartnerCredentialsApplyAtOnce(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	slug := a.Article("wells").Slug // subscribers only
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"]}`)
	path := "/v1/admin/partners/" + p.Partner.ID

	if st, granted := readGranted(t, a, slug, p.Token); st != 200 || granted {
		t.Fatalf("headlines partner: %d granted=%v, want the preview", st, granted)
	}
	// A scope change applies to the token already issued.
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"scopes": ["headlines", "full_text"]}`), 200, "grant full_text")
	if st, granted := readGranted(t, a, slug, p.Token); st != 200 || !granted {
		t.Fatalf("after full_text was granted: %d granted=%v", st, granted)
	}
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"scopes": ["headlines"]}`), 200, "withdraw full_text")
	if st, granted := readGranted(t, a, slug, p.Token); st != 200 || granted {
		t.Fatalf("after full_text was withdrawn: %d granted=%v", st, granted)
	}

	// Disabled: refused at once, and the refusal is a 401, never an
	// anonymous read.
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": false}`), 200, "disable")
	r := a.Get("/v1/articles/"+slug, p.Token)
	mustStatus(t, r, http.StatusUnauthorized, "disabled partner's token")
	if problemCode(t, r) != "token_invalid" || !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("disabled partner: %s %v", r.Body, r.Header)
	}
	mustStatus(t, a.Get("/v1/articles", p.Token), http.StatusUnauthorized, "disabled partner's token on a list")
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": true}`), 200, "enable")
	if st, _ := readGranted(t, a, slug, p.Token); st != 200 {
		t.Fatalf("enabled again: %d", st)
	}

	// Rotation: the old token stops, the new one works.
	r = adminJSON(t, a, http.MethodPost, path+"/credentials", "")
	mustStatus(t, r, http.StatusOK, "rotate")
	var rot createdPartner
	r.JSON(t, &rot)
	if rot.Token == "" || rot.Token == p.Token || rot.FeedKey == "" || rot.FeedKey == p.FeedKey || rot.Partner.ID != p.Partner.ID {
		t.Fatalf("rotated: %+v", rot)
	}
	r = a.Get("/v1/articles/"+slug, p.Token)
	mustStatus(t, r, http.StatusUnauthorized, "old token after rotation")
	if problemCode(t, r) != "token_invalid" {
		t.Errorf("old token: %s", r.Body)
	}
	if st, _ := readGranted(t, a, slug, rot.Token); st != 200 {
		t.Errorf("new token: %d", st)
	}

	// A partner token that names a partner that does not exist is refused,
	// not taken for a hand-minted one.
	ghost, err := a.Tokens.Mint(access.MintRequest{Subject: "partner:01JD3Q8V6K2M7T4X9R5B1N0C8E", Role: access.RolePartner,
		Scopes: []string{"full_text"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a.Get("/v1/articles", ghost), http.StatusUnauthorized, "token of a partner that does not exist")
	// A token with the partner's subject but another jti is refused too.
	forged, err := a.Tokens.Mint(access.MintRequest{Subject: p.Partner.Subject, Role: access.RolePartner, Scopes: []string{"full_text"}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a.Get("/v1/articles", forged), http.StatusUnauthorized, "another token with the partner's subject")

	// Tokens from `masthead token --role partner` (no partner row) keep
	// working on their own scopes.
	if st, granted := readGranted(t, a, slug, a.Token(access.RolePartner, "full_text")); st != 200 || !granted {
		t.Errorf("hand-minted full_text token: %d granted=%v", st, granted)
	}
	if st, granted := readGranted(t, a, slug, a.Token(access.RolePartner, "headlines")); st != 200 || granted {
		t.Errorf("hand-minted headlines token: %d granted=%v", st, granted)
	}
}

// Another process on the same database sees a disable or a rotation at
// its next request: nothing about a partner is cached.
func TestPartnerRevocationAcrossProcesses(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	other := httptest.NewServer(api.New(a.Services, a.Config, api.Options{Now: a.Clock.Now, Spec: docs.OpenAPI}))
	t.Cleanup(other.Close)
	get := func(path, token string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, other.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"]}`)
	path := "/v1/admin/partners/" + p.Partner.ID
	if st := get("/v1/articles", p.Token); st != 200 {
		t.Fatalf("other process, new partner: %d", st)
	}
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": false}`), 200, "disable")
	if st := get("/v1/articles", p.Token); st != http.StatusUnauthorized {
		t.Errorf("other process, disabled partner: %d, want 401", st)
	}
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": true}`), 200, "enable")
	if st := get("/v1/articles", p.Token); st != 200 {
		t.Errorf("other process, enabled again: %d", st)
	}
	mustStatus(t, adminJSON(t, a, http.MethodPost, path+"/credentials", ""), 200, "rotate")
	if st := get("/v1/articles", p.Token); st != http.StatusUnauthorized {
		t.Errorf("other process, rotated token: %d, want 401", st)
	}
}

// The feed key: ?key= on feed routes makes the request the partner's.
func TestFeedKey(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.RateLimitAnon = 1000 }})
	p := createPartner(t, a, `{"name": "Agence Vallée", "scopes": ["headlines"], "rate_limit": 77}`)
	path := "/v1/admin/partners/" + p.Partner.ID
	feed := "/v1/feeds/latest.rss"

	// Anonymous: the anonymous budget.
	r := a.Get(feed, "")
	mustStatus(t, r, 200, "anonymous feed")
	if r.Header.Get("X-RateLimit-Limit") != "1000" {
		t.Errorf("anonymous budget %q, want 1000", r.Header.Get("X-RateLimit-Limit"))
	}
	// With the key: the partner's budget, so the partner's principal.
	r = a.Get(feed+"?key="+p.FeedKey, "")
	mustStatus(t, r, 200, "feed with key")
	if vary := strings.Join(r.Header.Values("Vary"), ", "); r.Header.Get("X-RateLimit-Limit") != "77" || !strings.Contains(vary, "Authorization") {
		t.Errorf("feed with key: budget %q, Vary %q", r.Header.Get("X-RateLimit-Limit"), vary)
	}
	// The key and the token of a partner share one budget.
	r2 := a.Get("/v1/articles?limit=1", p.Token)
	if rem1, rem2 := r.Header.Get("X-RateLimit-Remaining"), r2.Header.Get("X-RateLimit-Remaining"); rem1 != "76" || rem2 != "75" {
		t.Errorf("remaining after key then token: %s, %s; want 76, 75", rem1, rem2)
	}

	for _, tc := range []struct {
		name, query string
		token       string
		status      int
		code        string
	}{
		{"unknown key", "?key=mfk_nope", "", 401, "token_invalid"},
		{"junk key", "?key=%00%ff", "", 401, "token_invalid"},
		{"empty key", "?key=", "", 401, "token_invalid"},
		{"two keys", "?key=" + p.FeedKey + "&key=" + p.FeedKey, "", 401, "token_invalid"},
		{"key and token", "?key=" + p.FeedKey, a.Token(access.RoleSubscriber), 400, "bad_request"},
	} {
		r := a.Get(feed+tc.query, tc.token)
		if r.Status != tc.status || problemCode(t, r) != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.code)
		}
	}

	// Disabled: the key is refused at once; enabled: it works again.
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": false}`), 200, "disable")
	r = a.Get(feed+"?key="+p.FeedKey, "")
	if r.Status != 401 || problemCode(t, r) != "token_invalid" {
		t.Errorf("disabled partner's key: %d %s", r.Status, r.Body)
	}
	mustStatus(t, adminJSON(t, a, http.MethodPatch, path, `{"active": true}`), 200, "enable")
	mustStatus(t, a.Get(feed+"?key="+p.FeedKey, ""), 200, "enabled partner's key")

	// Rotated: the old key is refused, the new one works.
	r = adminJSON(t, a, http.MethodPost, path+"/credentials", "")
	mustStatus(t, r, 200, "rotate")
	var rot createdPartner
	r.JSON(t, &rot)
	mustStatus(t, a.Get(feed+"?key="+p.FeedKey, ""), 401, "old key after rotation")
	mustStatus(t, a.Get(feed+"?key="+rot.FeedKey, ""), 200, "new key after rotation")

	// The key is for feeds: elsewhere it is an unknown query parameter,
	// not a credential.
	r = a.Get("/v1/articles?limit=1&key="+rot.FeedKey, "")
	if r.Header.Get("X-RateLimit-Limit") == "77" {
		t.Errorf("a feed key authenticated /v1/articles")
	}
}

// full_text partners get whole bodies through the feed key too; headlines
// partners the preview.
func TestFeedKeyScopes(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	wells := a.Article("wells")
	full := createPartner(t, a, `{"name": "Full", "scopes": ["full_text"]}`)
	heads := createPartner(t, a, `{"name": "Heads", "scopes": ["headlines"]}`)
	get := func(key string) string {
		r := a.Get("/v1/feeds/latest.json?limit=100&key="+key, "")
		mustStatus(t, r, 200, "feed")
		return readableText(r.Body)
	}
	fullFeed, headsFeed := get(full.FeedKey), get(heads.FeedKey)
	// The feed's HTML spaces some blocks (quotes, their cite) unlike the
	// stored text: most fragments, not all, are found verbatim.
	frags := secretFragments(t, wells.Body.Text, wells.Preview.Text, 6)
	found := 0
	for _, f := range frags {
		if strings.Contains(fullFeed, f) {
			found++
		}
		if strings.Contains(headsFeed, f) {
			t.Errorf("headlines partner's feed has %q of %s, past the preview", f, wells.Slug)
		}
	}
	if found < len(frags)/2 {
		t.Errorf("full_text partner's feed has %d of %d fragments past the preview of %s", found, len(frags), wells.Slug)
	}
}
