package api

import (
	"errors"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/comments"
	"masthead/internal/content"
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
}

type commentList struct {
	Data       []commentResponse `json:"data" validate:"required"`
	NextCursor *string           `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

// listComments godoc
//
//	@Summary		List an article's comments
//	@Description	Approved comments, threaded: top-level comments oldest first (paginated), each with its approved replies nested in `replies`.
//	@Tags			comments
//	@Security		BearerAuth
//	@Param			id		path		string	true	"article ID or slug"
//	@Param			lang	query		string	false	"two-letter language, to pick among slugs"
//	@Param			limit	query		int		false	"top-level comments per page, 1–100"	default(20)
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
	if !content.IsID(ref) && !validSlug(ref) {
		return notFound("no article has this id or slug")
	}
	a, _, err := s.Content.LiveArticle(ctx, content.Lookup{IDOrSlug: ref, Lang: lang})
	if errors.Is(err, content.ErrNotFound) {
		return notFound("no published article has this id or slug")
	}
	if err != nil {
		return err
	}
	// The cursor is bound to the article, however the URL names it.
	cur, err := s.parseCursor(c, "comments:"+a.ID)
	if err != nil {
		return err
	}
	var after *comments.Cursor
	if cur != nil {
		after = &comments.Cursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	nodes, next, err := s.Comments.Thread(ctx, a.ID, limit, after)
	if err != nil {
		return err
	}
	resp := commentList{Data: make([]commentResponse, 0, len(nodes))}
	var lastMod time.Time
	for _, n := range nodes {
		resp.Data = append(resp.Data, toCommentResponse(n, &lastMod))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: "comments:" + a.ID, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, lastMod, cacheFor(principalOf(c)), nil)
}

func toCommentResponse(n comments.Node, lastMod *time.Time) commentResponse {
	r := commentResponse{
		ID: n.ID, ArticleID: n.ArticleID, Depth: n.Depth, AuthorName: n.AuthorName,
		Member: n.UserID != "", Body: n.Body, CreatedAt: n.CreatedAt,
		ReplyCount: len(n.Replies), Replies: make([]commentResponse, 0, len(n.Replies)),
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
