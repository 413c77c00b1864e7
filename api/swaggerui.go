package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	swaggerfiles "github.com/swaggo/files/v2"
)

// Swagger UI at /docs/: our own page and initializer, and the Swagger UI
// files of github.com/swaggo/files (the version pinned in go.mod).
//
// The page has no inline script or style, so it runs under docsCSP; it uses
// Swagger UI's base layout, without the top bar of the standalone preset
// (whose logo is an inline style the policy blocks, and whose address box
// would only lead to specs the policy does not let it fetch). It is
// revalidated on every visit (no-cache, with an ETag); the files it loads
// are named with ?v=<hash of their bytes> and kept a year (immutable): a new
// binary with other files names other URLs. A file asked for without its
// current version is served too, but revalidated. /docs/doc.json, where
// echo-swagger used to put the spec, redirects to /openapi.json; any other
// name is a 404.

// docsCSP lets the page run Swagger UI from this origin and nothing else:
// its scripts and styles are files, its icons are data: URLs in its CSS, and
// it fetches /openapi.json and, with "Try it out", this API.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const (
	cacheRevalidate = "no-cache"
	cacheForever    = "public, max-age=31536000, immutable"
)

//go:embed swaggerui/swagger-initializer.js
var ownDocsFiles embed.FS

// docsAssets are the files the page loads, and the only ones served.
var docsAssets = []struct {
	fsys fs.FS
	name string
}{
	{swaggerfiles.FS, "swagger-ui.css"},
	{swaggerfiles.FS, "index.css"},
	{swaggerfiles.FS, "swagger-ui-bundle.js"},
	{swaggerfiles.FS, "favicon-32x32.png"},
	{swaggerfiles.FS, "favicon-16x16.png"},
	{ownDocsFiles, "swaggerui/swagger-initializer.js"},
}

var docsTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".png": "image/png",
}

var docsPage = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masthead API</title>
<link rel="stylesheet" href="{{index .Files "swagger-ui.css"}}">
<link rel="stylesheet" href="{{index .Files "index.css"}}">
<link rel="icon" type="image/png" sizes="32x32" href="{{index .Files "favicon-32x32.png"}}">
<link rel="icon" type="image/png" sizes="16x16" href="{{index .Files "favicon-16x16.png"}}">
</head>
<body>
<div id="swagger-ui" data-spec="{{.Spec}}"></div>
<script src="{{index .Files "swagger-ui-bundle.js"}}"></script>
<script src="{{index .Files "swagger-initializer.js"}}"></script>
</body>
</html>
`))

type docsFile struct {
	body          []byte
	coded         *forms // its compressed forms, made once
	ctype         string
	version, etag string
}

// swaggerUI serves /docs/*. Its files are hashed on the first request, not
// when the server is built.
type swaggerUI struct {
	spec  string // the URL of the spec the page opens
	once  sync.Once
	err   error
	page  []byte
	coded *forms // the page's compressed forms
	etag  string
	files map[string]docsFile // by name under /docs/
}

func newSwaggerUI(spec string) *swaggerUI { return &swaggerUI{spec: spec} }

func (u *swaggerUI) load() error {
	u.files = make(map[string]docsFile, len(docsAssets))
	urls := make(map[string]string, len(docsAssets))
	for _, a := range docsAssets {
		f, err := hashFile(a.fsys, a.name)
		if err != nil {
			return err
		}
		name := path.Base(a.name)
		u.files[name] = f
		urls[name] = "/docs/" + name + "?v=" + f.version
	}
	var b bytes.Buffer
	if err := docsPage.Execute(&b, map[string]any{"Spec": u.spec, "Files": urls}); err != nil {
		return fmt.Errorf("docs page: %w", err)
	}
	u.page, u.etag, u.coded = b.Bytes(), etagOf(b.Bytes()), new(forms)
	return nil
}

func hashFile(fsys fs.FS, name string) (docsFile, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return docsFile{}, fmt.Errorf("docs file: %w", err)
	}
	sum := sha256.Sum256(b)
	v := hex.EncodeToString(sum[:8])
	return docsFile{body: b, coded: new(forms), ctype: docsTypes[path.Ext(name)], version: v, etag: `W/"` + v + `"`}, nil
}

func (u *swaggerUI) serve(c echo.Context) error {
	if u.once.Do(func() { u.err = u.load() }); u.err != nil {
		return u.err
	}
	switch name := c.Param("*"); name {
	case "index.html":
		return sendStatic(c, u.etag, cacheRevalidate, "text/html; charset=utf-8", u.page, u.coded)
	case "doc.json":
		return c.Redirect(http.StatusMovedPermanently, "/openapi.json")
	default:
		f, ok := u.files[name]
		if !ok {
			return notFound("no such file")
		}
		cc := cacheRevalidate
		if c.QueryParam("v") == f.version {
			cc = cacheForever
		}
		return sendStatic(c, f.etag, cc, f.ctype, f.body, f.coded)
	}
}

// sendStatic writes a file that has no date, or 304 when the client has it.
func sendStatic(c echo.Context, etag, cacheControl, ctype string, body []byte, coded *forms) error {
	h := c.Response().Header()
	h.Set(headerETag, etag)
	h.Set(echo.HeaderCacheControl, cacheControl)
	if notModified(c.Request(), etag, time.Time{}) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, ctype)
	return writeBody(c, http.StatusOK, body, coded)
}
