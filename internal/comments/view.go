package comments

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"masthead/internal/store"
)

// ThreadOptions chooses how an article's comments are read.
type ThreadOptions struct {
	Limit  int
	After  *Cursor
	Newest bool // top-level comments (flat: all comments) newest first
	Flat   bool // every visible comment in one list, paginated over all
	// ViewerID is the reading member's user id: their own pending comments
	// are shown too. Empty for anonymous readers.
	ViewerID string
}

// visible restricts q to what the viewer may see.
func (o ThreadOptions) visible(q *gorm.DB) *gorm.DB {
	if o.ViewerID == "" {
		return q.Where("status = ?", StatusApproved)
	}
	return q.Where("(status = ? OR (status = ? AND user_id = ?))", StatusApproved, StatusPending, o.ViewerID)
}

func (o ThreadOptions) page(q *gorm.DB) *gorm.DB {
	// Row values rather than an OR of comparisons: both databases read
	// the keyset's range from the index in its order.
	if o.After != nil {
		if o.Newest {
			q = q.Where("(created_at, id) < (?, ?)", o.After.CreatedAt, o.After.ID)
		} else {
			q = q.Where("(created_at, id) > (?, ?)", o.After.CreatedAt, o.After.ID)
		}
	}
	if o.Newest {
		return q.Order("created_at DESC, id DESC").Limit(o.Limit + 1)
	}
	return q.Order("created_at, id").Limit(o.Limit + 1)
}

// visibleSQL is visible's condition on the comments aliased c, with its
// arguments.
func (o ThreadOptions) visibleSQL() (string, []any) {
	if o.ViewerID == "" {
		return "c.status = ?", []any{StatusApproved}
	}
	return "(c.status = ? OR (c.status = ? AND c.user_id = ?))", []any{StatusApproved, StatusPending, o.ViewerID}
}

// maxNesting is how deep below a top-level comment the threaded view
// follows replies. Submissions nest at most Policy.MaxDepth (5 by
// default); this bounds the reading of whatever the table holds.
const maxNesting = 33

// commentColumns are the columns of commentRow, for the statements written
// by hand.
const commentColumns = "id, article_id, parent_id, depth, author_name, user_id, email, body, status, report_count, hold_reasons, ip, version, created_at, updated_at"

// replies reads, in one statement, the visible replies under the comments
// of ids, down to maxNesting levels: a recursive walk from each comment to
// its replies by the parent_id index, which goes down only through
// visible comments (a reply shows when its whole chain of parents does)
// and reads nothing of the article's other threads. Oldest first.
func (s *Service) replies(ctx context.Context, ids []string, o ThreadOptions) ([]commentRow, error) {
	vis, visArgs := o.visibleSQL()
	cols := "c." + strings.ReplaceAll(commentColumns, ", ", ", c.")
	// The step down: on PostgreSQL a lateral subquery kept apart by OFFSET
	// 0, so that it is an index scan for each comment reached (the planner,
	// guessing the walk's size, would otherwise hash the whole table);
	// SQLite nests the loop itself.
	step := "FROM thread JOIN comments c ON c.parent_id = thread.id WHERE thread.level < ? AND " + vis
	if s.db.Dialect == store.Postgres {
		step = "FROM thread CROSS JOIN LATERAL (SELECT * FROM comments c WHERE c.parent_id = thread.id AND " + vis + " OFFSET 0) c WHERE thread.level < ?"
	}
	query := "WITH RECURSIVE thread (" + commentColumns + ", level) AS (" +
		"SELECT " + cols + ", 1 FROM comments c WHERE c.parent_id IN ? AND " + vis +
		" UNION ALL SELECT " + cols + ", thread.level + 1 " + step +
		") SELECT " + commentColumns + " FROM thread ORDER BY created_at, id"
	args := make([]any, 0, 2+2*len(visArgs))
	args = append(args, ids)
	args = append(args, visArgs...)
	if s.db.Dialect == store.Postgres {
		args = append(args, visArgs...)
		args = append(args, maxNesting)
	} else {
		args = append(args, maxNesting)
		args = append(args, visArgs...)
	}
	var rows []commentRow
	if err := s.db.Read(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return rows, nil
}

// ThreadView reads a page of an article's visible comments: approved ones,
// plus the viewer's own pending ones. Threaded, the page is of top-level
// comments with their replies nested (oldest first); flat, of all comments
// without nesting. A reply shows only when its whole chain of parents does.
func (s *Service) ThreadView(ctx context.Context, articleID string, o ThreadOptions) ([]Node, *Cursor, error) {
	if o.Limit <= 0 {
		o.Limit = 20
	}
	base := func() *gorm.DB { return o.visible(s.db.Read(ctx).Where("article_id = ?", articleID)) }
	q := base()
	if !o.Flat {
		q = q.Where("parent_id IS NULL")
	}
	var rows []commentRow
	if err := o.page(q).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("list comments of %s: %w", articleID, err)
	}
	var next *Cursor
	if len(rows) > o.Limit {
		rows = rows[:o.Limit]
		last := rows[len(rows)-1]
		next = &Cursor{CreatedAt: last.CreatedAt.UTC(), ID: last.ID}
	}
	if len(rows) == 0 {
		return []Node{}, next, nil
	}
	if o.Flat {
		return s.flat(ctx, articleID, o, rows, next)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	replies, err := s.replies(ctx, ids, o)
	if err != nil {
		return nil, nil, fmt.Errorf("list replies of %s: %w", articleID, err)
	}
	children := make(map[string][]commentRow, len(replies))
	for _, r := range replies {
		children[*r.ParentID] = append(children[*r.ParentID], r)
	}
	var build func(row commentRow, depth int) Node
	build = func(row commentRow, depth int) Node {
		n := Node{Comment: row.toComment(), Replies: []Node{}}
		if depth >= maxNesting {
			return n
		}
		for _, child := range children[row.ID] {
			n.Replies = append(n.Replies, build(child, depth+1))
		}
		n.ReplyCount = len(n.Replies)
		return n
	}
	out := make([]Node, 0, len(rows))
	for _, r := range rows {
		out = append(out, build(r, 0))
	}
	return out, next, nil
}

// flat keeps the rows whose chain of parents is visible too, each with its
// visible direct replies counted in Replies (not nested further).
func (s *Service) flat(ctx context.Context, articleID string, o ThreadOptions, rows []commentRow, next *Cursor) ([]Node, *Cursor, error) {
	type link struct {
		ID       string
		ParentID *string
	}
	var all []link
	if err := o.visible(s.db.Read(ctx).Model(&commentRow{}).Where("article_id = ?", articleID)).
		Select("id, parent_id").Find(&all).Error; err != nil {
		return nil, nil, fmt.Errorf("list comment links of %s: %w", articleID, err)
	}
	parent := make(map[string]string, len(all))
	replies := make(map[string]int, len(all))
	for _, l := range all {
		p := ""
		if l.ParentID != nil {
			p = *l.ParentID
		}
		parent[l.ID] = p
	}
	shown := func(id string) bool {
		for range 64 {
			p, ok := parent[id]
			if !ok {
				return false
			}
			if p == "" {
				return true
			}
			id = p
		}
		return false
	}
	for _, l := range all {
		if l.ParentID != nil && shown(l.ID) {
			replies[*l.ParentID]++
		}
	}
	out := make([]Node, 0, len(rows))
	for _, r := range rows {
		if !shown(r.ID) {
			continue
		}
		out = append(out, Node{Comment: r.toComment(), Replies: make([]Node, 0), ReplyCount: replies[r.ID]})
	}
	return out, next, nil
}
