package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/fault"
)

const listAdminComments = "admin-comments"

// adminCommentResponse is the newsroom's view of a comment: with the
// author's email and address, the hold reasons and the moderation state.
type adminCommentResponse struct {
	ID          string    `json:"id" validate:"required"`
	ArticleID   string    `json:"article_id" validate:"required"`
	ParentID    *string   `json:"parent_id" validate:"required" extensions:"x-nullable"`
	Depth       int       `json:"depth" validate:"required"`
	AuthorName  string    `json:"author_name" validate:"required" example:"Claire M."`
	UserID      *string   `json:"user_id" validate:"required" extensions:"x-nullable"`
	Email       string    `json:"email" validate:"required" example:"claire@example.org"`
	IP          string    `json:"ip" validate:"required" example:"203.0.113.7"`
	Body        string    `json:"body" validate:"required"`
	Status      string    `json:"status" validate:"required" enums:"pending,approved,rejected,spam"`
	HoldReasons []string  `json:"hold_reasons" validate:"required"`
	ReportCount int       `json:"report_count" validate:"required"`
	Version     int       `json:"version" validate:"required"`
	ETag        string    `json:"etag" validate:"required" example:"\"01J9ZX3W6YV7Q8R2M4N5P6S7T8.v2\""`
	CreatedAt   time.Time `json:"created_at" validate:"required"`
	UpdatedAt   time.Time `json:"updated_at" validate:"required"`
}

type adminCommentList struct {
	Data       []adminCommentResponse `json:"data" validate:"required"`
	NextCursor *string                `json:"next_cursor" validate:"required" extensions:"x-nullable"`
}

type moderateCommentRequest struct {
	Status string  `json:"status" validate:"required" enums:"pending,approved,rejected,spam"`
	Note   *string `json:"note" example:"off-topic"`
}

type bulkModerateRequest struct {
	IDs    []string `json:"ids" validate:"required"`
	Status string   `json:"status" validate:"required" enums:"pending,approved,rejected,spam"`
	Note   *string  `json:"note"`
}

type bulkModerateResponse struct {
	Updated  []adminCommentResponse `json:"updated" validate:"required"`
	NotFound []string               `json:"not_found" validate:"required"`
}

type moderationResponse struct {
	ID         string    `json:"id" validate:"required"`
	CommentID  string    `json:"comment_id" validate:"required"`
	Moderator  string    `json:"moderator" validate:"required" example:"editor-1"`
	FromStatus string    `json:"from_status" validate:"required" enums:"pending,approved,rejected,spam"`
	ToStatus   string    `json:"to_status" validate:"required" enums:"pending,approved,rejected,spam"`
	Note       string    `json:"note" validate:"required"`
	CreatedAt  time.Time `json:"created_at" validate:"required"`
}

type moderationList struct {
	Data []moderationResponse `json:"data" validate:"required"`
}

func toAdminCommentResponse(cm comments.Comment) adminCommentResponse {
	r := adminCommentResponse{
		ID: cm.ID, ArticleID: cm.ArticleID, Depth: cm.Depth, AuthorName: cm.AuthorName,
		Email: cm.Email, IP: cm.IP, Body: cm.Body, Status: string(cm.Status),
		HoldReasons: cm.HoldReasons, ReportCount: cm.ReportCount, Version: cm.Version,
		ETag: versionETag(cm.ID, cm.Version), CreatedAt: cm.CreatedAt, UpdatedAt: cm.UpdatedAt,
	}
	if r.HoldReasons == nil {
		r.HoldReasons = []string{}
	}
	if cm.ParentID != "" {
		p := cm.ParentID
		r.ParentID = &p
	}
	if cm.UserID != "" {
		u := cm.UserID
		r.UserID = &u
	}
	return r
}

// commentID reads the {id} path parameter: an unknown shape is a 404.
func commentID(c echo.Context) (string, error) { return pathID(c, "comment") }

// listAdminComments godoc
//
//	@Summary		List comments for moderation
//	@Description	Every comment, newest first, with the author's email and address, the hold reasons, the unreviewed report count and the version (`etag` is the value to send as `If-Match`). No `status` means every status.
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			status		query		string	false	"only this status"	Enums(pending, approved, rejected, spam)
//	@Param			reported	query		bool	false	"only comments with reports not yet reviewed"
//	@Param			article		query		string	false	"only this article's comments (article ID)"
//	@Param			limit		query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	adminCommentList
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Router			/v1/admin/comments [get]
func (s *Server) listAdminComments(c echo.Context) error {
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	f := comments.ModerationFilter{Limit: limit, ArticleID: c.QueryParam("article")}
	if st := comments.Status(c.QueryParam("status")); st != "" {
		if !st.Valid() {
			return badParam("status", "must be pending, approved, rejected or spam")
		}
		f.Status = st
	}
	switch c.QueryParam("reported") {
	case "", "false":
	case "true":
		f.Reported = true
	default:
		return badParam("reported", "must be true or false")
	}
	if f.ArticleID != "" && !content.IsID(f.ArticleID) {
		return badParam("article", "must be an article ID")
	}
	// The cursor is bound to the filter: a page of one queue does not
	// continue another.
	list := listAdminComments + ":" + string(f.Status) + ":" + c.QueryParam("reported") + ":" + f.ArticleID
	cur, err := s.parseCursor(c, list)
	if err != nil {
		return err
	}
	if cur != nil {
		f.After = &comments.Cursor{CreatedAt: cur.Time, ID: cur.ID}
	}
	rows, next, err := s.Comments.ListForModeration(c.Request().Context(), f)
	if err != nil {
		return err
	}
	resp := adminCommentList{Data: make([]adminCommentResponse, 0, len(rows))}
	for _, cm := range rows {
		resp.Data = append(resp.Data, toAdminCommentResponse(cm))
	}
	if next != nil {
		nc := s.cursors.encode(position{List: list, Time: next.CreatedAt, ID: next.ID})
		resp.NextCursor = &nc
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}

// getAdminComment godoc
//
//	@Summary		Get a comment for moderation
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path		string	true	"comment ID"
//	@Success		200	{object}	adminCommentResponse
//	@Success		304	"Not Modified"
//	@Header			200	{string}	ETag	"the version's ETag, for If-Match"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/comments/{id} [get]
func (s *Server) getAdminComment(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	cm, err := s.Comments.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendAdminComment(c, cm)
}

// sendAdminComment answers with the newsroom's view and the version's ETag.
func sendAdminComment(c echo.Context, cm comments.Comment) error {
	return sendVersioned(c, http.StatusOK, cm.ID, cm.Version, cm.UpdatedAt, toAdminCommentResponse(cm))
}

// moderateComment godoc
//
//	@Summary		Moderate a comment
//	@Description	Moves the comment to `status` and logs the decision (who, when, from, to, note). `If-Match` is optional: when sent, a comment moderated since is a `412` and nothing changes; without it the decision applies to the current state and is logged from it. Moving to the status the comment has changes nothing. Approving clears the hold reasons and marks the reports as reviewed. The article's `comment_count` counts approved comments.
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id			path		string					true	"comment ID"
//	@Param			If-Match	header		string					false	"the ETag last read"
//	@Param			decision	body		moderateCommentRequest	true	"the new status"
//	@Success		200			{object}	adminCommentResponse
//	@Header			200			{string}	ETag	"the new version's ETag"
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/comments/{id} [patch]
func (s *Server) moderateComment(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	var req moderateCommentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	version, err := ifMatch(c, id, false)
	if err != nil {
		return err
	}
	var expect *int
	if version != 0 {
		expect = &version
	}
	note := ""
	if req.Note != nil {
		note = *req.Note
	}
	cm, err := s.Comments.Moderate(c.Request().Context(), id, comments.Status(req.Status), principalOf(c).Subject, note, expect)
	if err != nil {
		return err
	}
	return sendAdminComment(c, cm)
}

// bulkModerateComments godoc
//
//	@Summary		Moderate many comments
//	@Description	Applies one status to up to 100 comments; each is its own logged decision, applied in its own transaction. Unknown ids are listed in `not_found`, not an error.
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			decision	body		bulkModerateRequest	true	"the ids and the new status"
//	@Success		200			{object}	bulkModerateResponse
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Router			/v1/admin/comments/bulk [post]
func (s *Server) bulkModerateComments(c echo.Context) error {
	var req bulkModerateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !comments.Status(req.Status).Valid() {
		return fault.Invalid(fault.Field("status", "must be pending, approved, rejected or spam"))
	}
	if len(req.IDs) == 0 || len(req.IDs) > comments.MaxBulk {
		return fault.Invalid(fault.Field("ids", "must hold 1 to 100 ids"))
	}
	var known []string
	var unknown []string
	for _, id := range req.IDs {
		if content.IsID(id) {
			known = append(known, id)
		} else {
			unknown = append(unknown, id)
		}
	}
	note := ""
	if req.Note != nil {
		note = *req.Note
	}
	resp := bulkModerateResponse{Updated: []adminCommentResponse{}, NotFound: []string{}}
	if len(known) > 0 {
		updated, notFound, err := s.Comments.ModerateMany(c.Request().Context(), known, comments.Status(req.Status), principalOf(c).Subject, note)
		if err != nil {
			return err
		}
		for _, cm := range updated {
			resp.Updated = append(resp.Updated, toAdminCommentResponse(cm))
		}
		resp.NotFound = append(resp.NotFound, notFound...)
	}
	resp.NotFound = append(resp.NotFound, unknown...)
	c.Response().Header().Set(echo.HeaderCacheControl, cacheNewsroom)
	return c.JSON(http.StatusOK, resp)
}

// deleteComment godoc
//
//	@Summary		Delete a comment
//	@Description	Admins only. Removes the comment with its replies (the whole sub-thread), its reports and its moderation log; the article's `comment_count` is recounted.
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path	string	true	"comment ID"
//	@Success		204	"Deleted"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/comments/{id} [delete]
func (s *Server) deleteComment(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	if _, err := s.Comments.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listCommentHistory godoc
//
//	@Summary		A comment's moderation log
//	@Description	Every decision on the comment, oldest first: who (`system` when reports held it again), when, from which status to which, and the note.
//	@Tags			moderation
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id	path		string	true	"comment ID"
//	@Success		200	{object}	moderationList
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Router			/v1/admin/comments/{id}/history [get]
func (s *Server) listCommentHistory(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	log, err := s.Comments.History(c.Request().Context(), id)
	if err != nil {
		return err
	}
	resp := moderationList{Data: make([]moderationResponse, 0, len(log))}
	for _, m := range log {
		resp.Data = append(resp.Data, moderationResponse{
			ID: m.ID, CommentID: m.CommentID, Moderator: m.Moderator,
			FromStatus: string(m.From), ToStatus: string(m.To), Note: m.Note, CreatedAt: m.CreatedAt,
		})
	}
	return sendJSON(c, resp, time.Time{}, cacheNewsroom, nil)
}
