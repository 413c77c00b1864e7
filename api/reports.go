package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"masthead/internal/comments"
)

type reportRequest struct {
	Reason string  `json:"reason" validate:"required" enums:"offensive,abuse,spam,other"`
	Note   *string `json:"note" example:"insults another reader"`
}

// reportResponse acknowledges a report. It does not say how many reports the
// comment has: a count would tell a reader how close a comment is to being
// held, and invite coordinated reporting.
type reportResponse struct {
	Message string `json:"message" validate:"required" example:"Thank you: the moderators will look at this comment."`
}

// reportComment godoc
//
//	@Summary		Report a comment
//	@Description	Any signed-in member (reader, subscriber, editor, admin) may report an approved comment once. When a comment's reports not yet reviewed reach the configured threshold it is held for moderation again (hold reason `reported`, logged as moderator `system`) and leaves the public thread. The answer does not reveal the number of reports.
//	@Tags			comments
//	@Security		BearerAuth
//	@x-auth-required	true
//	@Param			id		path		string			true	"comment ID"
//	@Param			report	body		reportRequest	true	"why"
//	@Success		202		{object}	reportResponse
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/comments/{id}/reports [post]
func (s *Server) reportComment(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	var req reportRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	note := ""
	if req.Note != nil {
		note = *req.Note
	}
	if _, err := s.Comments.Report(c.Request().Context(), id, principalOf(c).Subject,
		comments.Reason(req.Reason), note, s.CommentReportThreshold); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, cacheNewsroom)
	return c.JSON(http.StatusAccepted, reportResponse{Message: "Thank you: the moderators will look at this comment."})
}
