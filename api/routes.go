package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
)

// routes is the whole API surface, with who may call what. Every read is
// added by get, which answers HEAD wherever GET is.
func (s *Server) routes(e *echo.Echo) {
	// System: no authentication.
	get(e, "/healthz", s.healthz)
	get(e, "/readyz", s.readyz)
	get(e, "/.well-known/jwks.json", s.jwks)
	get(e, "/openapi.json", s.openAPI)

	// Swagger UI on /openapi.json, and the photo files: each with its
	// Content-Security-Policy (swaggerui.go and photos.go say why).
	docs, ui := withCSP(docsCSP), newSwaggerUI("/openapi.json")
	get(e, "/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/index.html") }, docs)
	get(e, "/docs/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/docs/index.html") }, docs)
	get(e, "/docs/*", ui.serve, docs)
	get(e, "/media/*", s.serveMedia, withCSP(mediaCSP))

	// Public reads: anonymous, or any valid token; what a token unlocks is
	// decided per article by access.Decide.
	// The middleware goes on each route, not on the group: a group
	// middleware makes Echo register a catch-all 404 under /v1, which would
	// answer 404 instead of 405 to a known path with another method.
	v1 := e.Group("/v1")
	get(v1, "/articles", s.listArticles, s.authenticate)
	get(v1, "/search", s.searchArticles, s.authenticate)
	get(v1, "/articles/:id_or_slug", s.getArticle, s.authenticate)
	get(v1, "/articles/:id/comments", s.listComments, s.authenticate)
	v1.POST("/articles/:id/comments", s.submitComment, s.authenticate)
	get(v1, "/comments/counts", s.commentCountsOf, s.authenticate)
	get(v1, "/sections", s.listSections, s.authenticate)
	get(v1, "/tags", s.listTags, s.authenticate)
	get(v1, "/authors/:slug", s.getAuthor, s.authenticate)
	get(v1, "/photos/:id", s.getPhoto, s.authenticate)
	get(v1, "/resolve", s.resolvePath, s.authenticate)

	// Feeds: anonymous, a token, or a partner's ?key= (feedKey) for readers
	// that cannot send headers; only full_text partners and staff get
	// whole bodies (see feeds.go).
	get(v1, "/feeds/:file", s.getLatestFeed, s.feedKey, s.authenticate)
	get(v1, "/feeds/section/:file", s.getSectionFeed, s.feedKey, s.authenticate)
	get(v1, "/feeds/tag/:file", s.getTagFeed, s.feedKey, s.authenticate)
	get(v1, "/feeds/lang/:file", s.getLangFeed, s.feedKey, s.authenticate)

	// Sync API: partners, editors and admins follow the change log; only
	// full_text partners and staff get whole bodies (see changes.go).
	get(v1, "/changes", s.listChanges, s.authenticate, s.require(access.RolePartner, access.RoleEditor, access.RoleAdmin))

	// Accounts: login, refresh and logout take credentials in the body, not
	// a token; /v1/me needs a token of any role (a token that names no
	// account is a 404 there).
	v1.POST("/auth/login", s.login)
	v1.POST("/auth/refresh", s.refreshToken)
	v1.POST("/auth/logout", s.logout)
	anyRole := s.require(access.RoleReader, access.RoleSubscriber, access.RoleEditor, access.RoleAdmin, access.RolePartner)
	get(v1, "/me", s.getMe, s.authenticate, anyRole)

	// Photos (newsroom): editors and admins. The upload skips the global
	// JSON body limit and timeout and has its own, after authorization.
	photoStaff := s.require(access.RoleEditor, access.RoleAdmin)
	v1.POST("/admin/photos", s.createPhoto, s.authenticate, photoStaff, s.uploadLimit, s.uploadDeadline)
	v1.PATCH("/admin/photos/:id", s.updatePhoto, s.authenticate, photoStaff)
	v1.DELETE("/admin/photos/:id", s.deletePhoto, s.authenticate, photoStaff)

	// Articles (newsroom): editors and admins; deleting is for admins.
	articleStaff := s.require(access.RoleEditor, access.RoleAdmin)
	v1.POST("/admin/articles", s.createArticle, s.authenticate, articleStaff)
	get(v1, "/admin/articles", s.listAdminArticles, s.authenticate, articleStaff)
	get(v1, "/admin/articles/:id", s.getAdminArticle, s.authenticate, articleStaff)
	v1.PATCH("/admin/articles/:id", s.updateArticle, s.authenticate, articleStaff)
	v1.DELETE("/admin/articles/:id", s.deleteArticle, s.authenticate, s.require(access.RoleAdmin))
	v1.POST("/admin/articles/:id/publish", s.publishArticle, s.authenticate, articleStaff)
	v1.POST("/admin/articles/:id/unpublish", s.unpublishArticle, s.authenticate, articleStaff)
	get(v1, "/admin/articles/:id/revisions", s.listRevisions, s.authenticate, articleStaff)

	// Comment moderation (newsroom): editors and admins; deleting is for
	// admins. Reports: any signed-in member, not partners.
	moderators := s.require(access.RoleEditor, access.RoleAdmin)
	get(v1, "/admin/comments", s.listAdminComments, s.authenticate, moderators)
	v1.POST("/admin/comments/bulk", s.bulkModerateComments, s.authenticate, moderators)
	get(v1, "/admin/comments/:id", s.getAdminComment, s.authenticate, moderators)
	v1.PATCH("/admin/comments/:id", s.moderateComment, s.authenticate, moderators)
	v1.DELETE("/admin/comments/:id", s.deleteComment, s.authenticate, s.require(access.RoleAdmin))
	get(v1, "/admin/comments/:id/history", s.listCommentHistory, s.authenticate, moderators)
	v1.POST("/comments/:id/reports", s.reportComment, s.authenticate,
		s.require(access.RoleReader, access.RoleSubscriber, access.RoleEditor, access.RoleAdmin))

	// Sections, tags and authors (newsroom): editors and admins.
	taxonomyStaff := s.require(access.RoleEditor, access.RoleAdmin)
	v1.POST("/admin/sections", s.createSection, s.authenticate, taxonomyStaff)
	v1.PATCH("/admin/sections/:id", s.updateSection, s.authenticate, taxonomyStaff)
	v1.DELETE("/admin/sections/:id", s.deleteSection, s.authenticate, taxonomyStaff)
	v1.POST("/admin/tags", s.createTag, s.authenticate, taxonomyStaff)
	v1.PATCH("/admin/tags/:id", s.updateTag, s.authenticate, taxonomyStaff)
	v1.DELETE("/admin/tags/:id", s.deleteTag, s.authenticate, taxonomyStaff)
	v1.POST("/admin/authors", s.createAuthor, s.authenticate, taxonomyStaff)
	v1.PATCH("/admin/authors/:id", s.updateAuthor, s.authenticate, taxonomyStaff)
	v1.DELETE("/admin/authors/:id", s.deleteAuthor, s.authenticate, taxonomyStaff)

	// Partners and their credentials: admins only.
	admins := s.require(access.RoleAdmin)
	v1.POST("/admin/partners", s.createPartner, s.authenticate, admins)
	get(v1, "/admin/partners", s.listPartners, s.authenticate, admins)
	get(v1, "/admin/partners/:id", s.getPartner, s.authenticate, admins)
	v1.PATCH("/admin/partners/:id", s.updatePartner, s.authenticate, admins)
	v1.POST("/admin/partners/:id/credentials", s.rotatePartnerCredentials, s.authenticate, admins)

	// Webhooks told about the change log: admins only.
	hookAdmins := s.require(access.RoleAdmin)
	v1.POST("/admin/webhooks", s.createWebhook, s.authenticate, hookAdmins)
	get(v1, "/admin/webhooks", s.listWebhooks, s.authenticate, hookAdmins)
	get(v1, "/admin/webhooks/:id", s.getWebhook, s.authenticate, hookAdmins)
	v1.PATCH("/admin/webhooks/:id", s.updateWebhook, s.authenticate, hookAdmins)
	v1.DELETE("/admin/webhooks/:id", s.deleteWebhook, s.authenticate, hookAdmins)
	v1.POST("/admin/webhooks/:id/secret", s.rotateWebhookSecret, s.authenticate, hookAdmins)
	get(v1, "/admin/webhooks/:id/deliveries", s.listWebhookDeliveries, s.authenticate, hookAdmins)
}

// router is the Echo application or one of its groups.
type router interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	HEAD(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// get adds a read: GET, and HEAD with the same middleware and handler, so
// that the route table (e.Routes()) lists HEAD wherever GET is. The handler
// answers a HEAD exactly as a GET — status, validators, Cache-Control,
// encoding, 304 — and net/http sends no body, because the connection's own
// request is still a HEAD (RFC 9110, 9.3.2). The spec lists GET only.
func get(r router, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	name := r.GET(path, h, m...).Name
	r.HEAD(path, asGet(h), m...).Name = name
}

// asGet runs h on a copy of the request that says GET, and gives the HEAD
// back to the middleware (the access log, the error handler) afterwards.
func asGet(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		head := c.Request()
		g := head.WithContext(head.Context())
		g.Method = http.MethodGet
		c.SetRequest(g)
		defer c.SetRequest(head)
		return h(c)
	}
}

// withCSP sets a route's Content-Security-Policy, on errors too.
func withCSP(policy string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set(headerCSP, policy)
			return next(c)
		}
	}
}

const headerCSP = "Content-Security-Policy"
