package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/content"
)

// listChanges is the cursor's list name.
const listChanges = "changes"

// changeEpoch is the time every changes cursor carries. A changes position
// is the seq alone; the time is fixed so that the same position always
// encodes to the same cursor, and so to the same ETag when nothing changed.
var changeEpoch = time.Unix(0, 0).UTC()

// changeList is a page of the change log. Unlike the other lists,
// next_cursor is always present: a partner that has caught up keeps it and
// asks again later.
type changeList struct {
	Data []changeEntry `json:"data" validate:"required"`
	// NextCursor is the position after the last entry of this page, or the
	// position asked for when the page is empty: pass it as `since`.
	NextCursor string `json:"next_cursor" validate:"required" example:"eyJsIjoiY2hhbmdlcyIs…"`
	// HasMore says whether more entries were already there past this page.
	HasMore bool `json:"has_more" validate:"required"`
}

// changeEntry is one change to published content.
type changeEntry struct {
	// ID is the entry's place in the log, a decimal number that only grows.
	ID        string    `json:"id" validate:"required" example:"1042"`
	Kind      string    `json:"kind" validate:"required" enums:"published,updated,corrected,unpublished"`
	At        time.Time `json:"at" validate:"required"`
	ArticleID string    `json:"article_id" validate:"required" example:"01JD3Q8V6K2M7T4X9R5B1N0C8E"`
	Lang      string    `json:"lang" validate:"required" example:"fr"`
	// Version is the article's version after the change.
	Version int `json:"version" validate:"required" example:"3"`
	// Note is the editor's correction note (kind corrected only).
	Note string `json:"note,omitempty" example:"An earlier version gave the wrong altitude for the pass."`
	// Article is the article as it is now, when it is live now: absent from
	// tombstones and from the older changes of an article withdrawn since.
	Article *changeArticle `json:"article,omitempty"`
}

// changeArticle is the list summary, plus the whole body for the callers
// licensed to republish it.
type changeArticle struct {
	articleSummary
	// Body is present for full_text partners and staff only.
	Body *changeBody `json:"body,omitempty"`
}

type changeBody struct {
	HTML string `json:"html" validate:"required"`
	Text string `json:"text" validate:"required"`
}

// listChanges godoc
//
//	@Summary		Follow changes to published content
//	@Description	The change log, oldest first: every time an article became public (`published`), was saved again while public (`updated`), was saved with a correction note (`corrected`, with `note`), or stopped being public (`unpublished`: withdrawn, rescheduled or deleted — take the story down). Entries are written in the same transaction as the change, so following `next_cursor` from the beginning sees every change once, in order, even while the newsroom writes.
//	@Description
//	@Description	Start without `since` (the whole log, which opens with everything published) or with `since=now` (only what happens from now on), then pass each answer's `next_cursor` as `since`. Unlike the other lists, `next_cursor` is always present, also on an empty page: keep it and poll with it. `has_more` says whether to ask again at once.
//	@Description
//	@Description	`article` is the article as it is now, when it is live now (the list summary); it is absent from tombstones and from the older entries of an article that is no longer live. Its `body` (HTML and text) is there for `full_text` partners and staff only; nobody else gets any of the body here.
//	@Description
//	@Description	For partners, editors and admins: anonymous callers get 401, readers and subscribers 403.
//	@Tags			sync
//	@Security		BearerAuth
//	@Param			since	query		string	false	"next_cursor of the previous page, or `now`; absent: from the beginning"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Success		200		{object}	changeList
//	@Success		304		"Not Modified"
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@x-auth-required	true
//	@Router			/v1/changes [get]
func (s *Server) listChanges(c echo.Context) error {
	ctx := c.Request().Context()
	if c.QueryParam("cursor") != "" {
		// Silently starting again from the beginning would replay the log.
		return badParam("cursor", "is not read here: pass next_cursor as since")
	}
	limit, err := parseLimit(c)
	if err != nil {
		return err
	}
	// Scheduled articles whose time came are logged before we read, so a
	// partner sees them without waiting for the scheduler's next tick.
	if _, err := s.Content.PromoteDue(ctx); err != nil {
		return err
	}
	after, err := s.parseSince(c)
	if err != nil {
		return err
	}
	// Partners following the log ask for the same pages: a page is cached
	// for callers of one class (what they may read, and whether bodies
	// come whole), until the next write.
	p := principalOf(c)
	full := p.SyndicatesFullText()
	key := "changes\x00" + classOf(p) + "\x00" + strconv.FormatBool(full) + "\x00" + strconv.FormatInt(after, 10) + "\x00" + strconv.Itoa(limit)
	gen := s.Content.Generation()
	if rep, ok := s.cache.get(key, gen); ok {
		return sendRep(c, rep, cachePrivate)
	}
	changes, err := s.Content.ChangesAfter(ctx, after, limit+1)
	if err != nil {
		return err
	}
	resp := changeList{Data: make([]changeEntry, 0, min(len(changes), limit))}
	if len(changes) > limit {
		changes, resp.HasMore = changes[:limit], true
	}

	ids := make([]string, 0, len(changes))
	for _, ch := range changes {
		if ch.Kind != content.ChangeUnpublished {
			ids = append(ids, ch.ArticleID)
		}
	}
	live, err := s.Content.LiveByID(ctx, ids, full)
	if err != nil {
		return err
	}
	articles := make(map[string]*changeArticle, len(live))
	for id, a := range live {
		ca := &changeArticle{articleSummary: toArticleSummary(a, access.Decide(access.Level(a.Access), p), s.MediaURL)}
		if full {
			ca.Body = &changeBody{HTML: a.Body.HTML, Text: a.Body.Text}
		}
		articles[id] = ca
	}

	var lastMod time.Time
	for _, ch := range changes {
		e := changeEntry{
			ID: strconv.FormatInt(ch.Seq, 10), Kind: string(ch.Kind), At: ch.At,
			ArticleID: ch.ArticleID, Lang: ch.Lang, Version: ch.Version, Note: ch.Note,
		}
		if ch.Kind != content.ChangeUnpublished {
			e.Article = articles[ch.ArticleID]
		}
		resp.Data = append(resp.Data, e)
		after = ch.Seq
		if ch.At.After(lastMod) {
			lastMod = ch.At
		}
	}
	resp.NextCursor = s.changesCursor(after)
	rep, err := s.cacheRep(key, gen, resp, lastMod, nil)
	if err != nil {
		return err
	}
	return sendRep(c, rep, cachePrivate)
}

// parseSince reads ?since=: absent is the beginning of the log, "now" its
// current end, anything else a cursor this list issued.
func (s *Server) parseSince(c echo.Context) (int64, error) {
	raw := c.QueryParam("since")
	switch raw {
	case "":
		return 0, nil
	case "now":
		return s.Content.LastChange(c.Request().Context())
	}
	pos, err := s.cursors.decode(listChanges, raw)
	if err != nil {
		return 0, badParam("since", "is not a cursor of /v1/changes; start again without it, or with since=now")
	}
	seq, err := strconv.ParseInt(pos.ID, 10, 64)
	if err != nil || seq < 0 {
		return 0, badParam("since", "is not a cursor of /v1/changes; start again without it, or with since=now")
	}
	return seq, nil
}

func (s *Server) changesCursor(seq int64) string {
	return s.cursors.encode(position{List: listChanges, Time: changeEpoch, ID: strconv.FormatInt(seq, 10)})
}
