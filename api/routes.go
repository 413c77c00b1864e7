package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routes is the whole API surface, with who may call what.
func (s *Server) routes(e *echo.Echo) {
	// System: no authentication.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/.well-known/jwks.json", s.jwks)
	e.GET("/openapi.json", s.openAPI)
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/index.html") })
	e.GET("/docs/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/docs/index.html") })
	e.GET("/docs/*", s.swaggerUI())
	e.GET("/media/*", s.serveMedia)

	// Public reads: anonymous, or any valid token; what a token unlocks is
	// decided per article by access.Decide.
	// The middleware goes on each route, not on the group: a group
	// middleware makes Echo register a catch-all 404 under /v1, which would
	// answer 404 instead of 405 to a known path with another method.
	v1 := e.Group("/v1")
	v1.GET("/articles", s.listArticles, s.authenticate)
	v1.GET("/articles/:id_or_slug", s.getArticle, s.authenticate)
	v1.GET("/articles/:id/comments", s.listComments, s.authenticate)
	v1.GET("/sections", s.listSections, s.authenticate)
	v1.GET("/tags", s.listTags, s.authenticate)
	v1.GET("/authors/:slug", s.getAuthor, s.authenticate)
	v1.GET("/photos/:id", s.getPhoto, s.authenticate)
}
