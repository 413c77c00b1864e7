package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
	"masthead/internal/ratelimit"
)

// commentResponse is a public comment: never the author's email, address or
// moderation notes.
type commentResponse struct {
	ID         string            `json:"id" validate:"required"`
	ArticleID  string            `json:"article_id" validate:"required"`
	ParentID   *string           `json:"parent_id" validate:"required" extensions:"x-nullable"`
	Depth      int               `json:"depth" validate:"required"`
	AuthorName string            `json:"author_name" validate:"required" example:"Claire M."`
	Member     bool              `json:"member" validate:"required"`
	Body       string            `json:"body" validate:"required"`
	CreatedAt  time.Time         `json:"created_at" validate:"required"`
	ReplyCount int               `json:"reply_count" validate:"required"`
	Replies    []commentResponse `json:"replies" validate:"required"`
	// Held marks the reader's own comment awaiting moderation; only its
	// author, reading with their token, ever sees one.
	Held bool `json:"held" validate:"required"`
}

type commentList struct {
	Data       []commentResponse `json:"data" validate:"required"`
	NextCursor *string           `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

// listComments godoc
//
//	@Summary		List an article's comments
//	@Description	Approved comments. Threaded (default): top-level comments paginated, each with its approved replies nested in `replies` (oldest first). Flat (`view=flat`): every comment in one paginated list with its `parent_id`. A reader reading with their token also sees their own comments awaiting moderation, marked `held: true`; such responses are private. Emails, addresses and moderation notes never appear.
//	@Tags			comments
//	@Security		BearerAuth
//	@Param			id		path		string	true	"article ID or slug"
//	@Param			lang	query		string	false	"two-letter language, to pick among slugs"
//	@Param			view	query		string	false	"threaded or flat"					Enums(threaded, flat)	default(threaded)
//	@Param			sort	query		string	false	"order of top-level comments (flat: of all)"	Enums(oldest, newest)	default(oldest)
//	@Param			limit	query		int		false	"comments per page (top-level ones when threaded), 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	commentList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/v1/articles/{id}/comments [get]
func (s *Server) listComments(c echo.Context) error {
	ctx := c.Request().Context()
	ref := c.Param("id")
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	lang, err := parseLang(c)
	if err != nil {
		return err
	}
	view := c.QueryParam("view")
	if view != "" && view != "threaded" && view != "flat" {
		return badParam("view", "must be threaded or flat")
	}
	order := c.QueryParam("sort")
	if order != "" && order != "oldest" && order != "newest" {
		return badParam("sort", "must be oldest or newest")
	}
	if !content.IsID(ref) && !validSlug(ref) {
		return notFound("no article has this id or slug")
	}
	p := principalOf(c)
	// An anonymous reader's page is everyone's: it is cached. A member's
	// may hold their own comments awaiting moderation, and is their own.
	// Every comment write that changes what the public sees of a thread
	// changes the article's count, and so moves the generation.
	var key string
	gen := s.Content.Generation()
	if p.Anonymous() {
		key = "comments\x00" + ref + "\x00" + c.Request().URL.Query().Encode()
		if rep, ok := s.cache.get(key, gen); ok {
			return sendRep(c, rep, cacheFor(p))
		}
	}
	a, _, err := s.Content.LiveArticle(ctx, content.Lookup{IDOrSlug: ref, Lang: lang})
	if err != nil {
		return err
	}
	opts := comments.ThreadOptions{Limit: limit, Flat: view == "flat", Newest: order == "newest"}
	if !p.Anonymous() {
		opts.ViewerID = p.Subject
	}
	// The cursor is bound to the article and the order, however the URL
	// names them.
	list := "comments:" + a.ID
	if opts.Flat {
		list += ":flat"
	}
	if opts.Newest {
		list += ":newest"
	}
	cur, err := s.parseCursor(c, list)
	if err != nil {
		return err
	}
	if cur != nil {
		opts.After = &comments.Cursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	nodes, next, err := s.Comments.ThreadView(ctx, a.ID, opts)
	if err != nil {
		return err
	}
	resp := commentList{Data: make([]commentResponse, 0, len(nodes))}
	var lastMod time.Time
	for _, n := range nodes {
		resp.Data = append(resp.Data, toCommentResponse(n, &lastMod))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: list, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	if key != "" {
		return s.sendCached(c, key, gen, resp, lastMod, nil)
	}
	return sendJSON(c, resp, lastMod, cacheFor(p), nil)
}

func toCommentResponse(n comments.Node, lastMod *time.Time) commentResponse {
	r := commentResponse{
		ID: n.ID, ArticleID: n.ArticleID, Depth: n.Depth, AuthorName: n.AuthorName,
		Member: n.UserID != "", Body: n.Body, CreatedAt: n.CreatedAt,
		ReplyCount: n.ReplyCount, Replies: make([]commentResponse, 0, len(n.Replies)),
		Held: n.Status != comments.StatusApproved,
	}
	if r.ReplyCount < len(n.Replies) {
		r.ReplyCount = len(n.Replies)
	}
	if n.ParentID != "" {
		p := n.ParentID
		r.ParentID = &p
	}
	if n.UpdatedAt.After(*lastMod) {
		*lastMod = n.UpdatedAt
	}
	for _, child := range n.Replies {
		r.Replies = append(r.Replies, toCommentResponse(child, lastMod))
	}
	return r
}

// submitCommentRequest is a new comment. Members send body and parent_id
// only; guests also author_name and email. website is a trap for robots:
// leave it empty.
type submitCommentRequest struct {
	Body       string `json:"body" validate:"required" example:"Thank you for this piece."`
	ParentID   string `json:"parent_id,omitempty" example:"01J9Z3QK6W2V7M8R5T4Y1X0ABC"`
	AuthorName string `json:"author_name,omitempty" example:"Claire M."`
	Email      string `json:"email,omitempty" example:"claire@example.org"`
	Website    string `json:"website,omitempty" example:""`
}

// submittedComment is the comment as stored: the public shape plus its
// status.
type submittedComment struct {
	commentResponse
	Status string `json:"status" validate:"required" enums:"approved,pending"`
}

type submitCommentResponse struct {
	Comment submittedComment `json:"comment" validate:"required"`
	Status  string           `json:"status" validate:"required" enums:"approved,pending"`
	Message string           `json:"message" validate:"required" example:"Your comment is held for moderation."`
}

// submitComment godoc
//
//	@Summary		Comment on an article
//	@Description	A signed-in reader sends `{body, parent_id?}` and posts under their account name; a guest (only when the publisher enables guest comments) sends `{author_name, email, body, parent_id?}`. `website` must be left empty. Body: plain text, 2–5000 characters after trimming, shown as text. `parent_id` must be a published comment of the same article, at most the configured depth. The comment is published at once or held for moderation depending on the article's `comments.moderation` mode and the author; `status` and `message` say which. Submissions are limited per account and per client address (`429` with `Retry-After`). Comments closed on the article: `403 comments_closed`. Partner tokens (any scope) cannot comment: `403 partner_cannot_comment`.
//	@Tags			comments
//	@Security		BearerAuth
//	@Param			id		path		string					true	"article ID or slug"
//	@Param			comment	body		submitCommentRequest	true	"the comment"
//	@Success		202		{object}	submitCommentResponse
//	@Header			429		{integer}	Retry-After	"seconds to wait"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Failure		429		{object}	Problem
//	@Router			/v1/articles/{id}/comments [post]
func (s *Server) submitComment(c echo.Context) error {
	ctx := c.Request().Context()
	p := principalOf(c)
	if p.Anonymous() && !s.GuestComments {
		return errUnauthenticated
	}
	if p.Role == access.RolePartner {
		// A partner token is a machine's: it may read and syndicate, not
		// speak in the reader's name. Refused before the body is read
		// and before any budget is spent.
		return fault.Forbidden("partner_cannot_comment", "partner tokens cannot post comments; comments come from readers")
	}
	ref := c.Param("id")
	if !content.IsID(ref) && !validSlug(ref) {
		return notFound("no article has this id or slug")
	}
	var req submitCommentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := comments.SubmitInput{Body: req.Body, ParentID: req.ParentID, IP: c.RealIP(), Honeypot: req.Website}
	if p.Anonymous() {
		in.AuthorName, in.Email = req.AuthorName, req.Email
	} else {
		if req.AuthorName != "" || req.Email != "" {
			return fault.Invalid(fault.Field("author_name", "members post under their account name"))
		}
		in.UserID, in.UserRole, in.AuthorName = p.Subject, string(p.Role), p.Subject
		if s.Accounts != nil {
			u, err := s.Accounts.UserByID(ctx, p.Subject)
			switch {
			case err == nil:
				in.AuthorName, in.Email = u.Name, u.Email
				if in.AuthorName == "" {
					in.AuthorName = p.Subject
				}
			case !errors.Is(err, accounts.ErrNotFound):
				return err
			}
		}
	}
	if err := s.takeCommentSlot(ctx, p, in.IP); err != nil {
		return err
	}
	a, _, err := s.Content.LiveArticle(ctx, content.Lookup{IDOrSlug: ref})
	if err != nil {
		return err
	}
	in.ArticleID = a.ID
	cm, err := s.Comments.Submit(ctx, s.CommentPolicy, in, s.Now())
	if err != nil {
		return err
	}
	status, msg := "pending", "Your comment is held for moderation."
	if cm.Status == comments.StatusApproved {
		status, msg = "approved", "Your comment is published."
	}
	var lastMod time.Time
	out := submittedComment{commentResponse: toCommentResponse(comments.Node{Comment: cm}, &lastMod), Status: status}
	c.Response().Header().Set(echo.HeaderCacheControl, cacheNoStore)
	return c.JSON(http.StatusAccepted, submitCommentResponse{Comment: out, Status: status, Message: msg})
}

// takeCommentSlot spends one submission of the client address's budget
// and, for a member, of the account's, or answers 429. A submission the
// account's budget refuses gives the address's back, so a member over
// their own limit does not use up their neighbours' (the keys are
// "comment-ip:" and "comment-acct:", apart from every other budget).
func (s *Server) takeCommentSlot(ctx context.Context, p access.Principal, ip string) error {
	byIP := ratelimit.PerMinute("comment-ip:"+clientKey(ip), s.CommentRateIP)
	res, err := s.RateLimiter.Allow(ctx, byIP)
	if err != nil {
		return err
	}
	if res.Allowed && !p.Anonymous() {
		res, err = s.RateLimiter.Allow(ctx, ratelimit.PerMinute("comment-acct:"+p.Subject, s.CommentRateAccount))
		if err != nil || !res.Allowed {
			if rerr := s.RateLimiter.Refund(context.WithoutCancel(ctx), byIP); rerr != nil {
				s.Logger.Warn("comment limit: refund", slog.String("error", rerr.Error()))
			}
		}
		if err != nil {
			return err
		}
	}
	if res.Allowed {
		return nil
	}
	return tooMany("too_many_requests", "too many comments in a short time; wait before posting again", res.RetryAfter)
}

type commentCounts struct {
	// Data maps each requested live article's ID to its number of published
	// comments; unknown or unpublished IDs are absent.
	Data map[string]int `json:"data" validate:"required"`
}

// maxCountIDs bounds the articles of one counts request.
const maxCountIDs = 100

// commentCountsOf godoc
//
//	@Summary		Count the comments of many articles
//	@Description	Published comment counts for up to 100 article IDs in one call, for list pages. IDs of unknown or unpublished articles are absent from `data`.
//	@Tags			comments
//	@Security		BearerAuth
//	@Param			articles	query		string	true	"comma-separated article IDs (1–100)"
//	@Success		200			{object}	commentCounts
//	@Success		304			"Not Modified"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Router			/v1/comments/counts [get]
func (s *Server) commentCountsOf(c echo.Context) error {
	raw := c.QueryParam("articles")
	if strings.TrimSpace(raw) == "" {
		return badParam("articles", "is required: comma-separated article IDs")
	}
	seen := map[string]bool{}
	var ids []string
	for part := range strings.SplitSeq(raw, ",") {
		id := strings.TrimSpace(part)
		if !content.IsID(id) {
			return badParam("articles", "must be comma-separated article IDs")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		if len(ids) > maxCountIDs {
			return badParam("articles", fmt.Sprintf("at most %d IDs", maxCountIDs))
		}
	}
	counts, err := s.Comments.Counts(c.Request().Context(), ids, s.Now())
	if err != nil {
		return err
	}
	return sendJSON(c, commentCounts{Data: counts}, time.Time{}, cacheFor(principalOf(c)), nil)
}
