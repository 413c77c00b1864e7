package comments_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"gorm.io/gorm"

	"masthead/internal/comments"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// The thread of a story with many comments, written straight into the
// table (the service's one-comment path would take minutes): top-level
// comments a minute apart, replies under a comment of the same thread at
// most five deep, some threads far longer than others, a few comments held,
// rejected or spam, some of them by the viewer.

const viewer = "01JVIEWERVIEWERVIEWERVIEWE"

type scaleRow struct {
	id, parent, status, user string
	depth                    int
	at                       time.Time
}

// fillThread writes n comments under article and returns them in the order
// written.
func fillThread(tb testing.TB, db *store.DB, article string, n int) []scaleRow {
	tb.Helper()
	r := rand.New(rand.NewPCG(12, 34))
	top := n / 5
	rows := make([]scaleRow, 0, n)
	threads := make([][]int, 0, top) // indexes of rows, by thread
	status := func() string {
		switch x := r.IntN(100); {
		case x < 6:
			return "pending"
		case x < 10:
			return "rejected"
		case x < 12:
			return "spam"
		}
		return "approved"
	}
	var key [32]byte
	copy(key[:], article) // another article, other ids
	entropy := ulid.Monotonic(rand.NewChaCha8(key), 0)
	add := func(parent int, at time.Time) int {
		row := scaleRow{status: status(), at: at}
		if parent >= 0 {
			row.parent, row.depth = rows[parent].id, rows[parent].depth+1
		}
		if r.IntN(20) == 0 {
			row.user = viewer
		}
		row.id = ulid.MustNew(ulid.Timestamp(at), entropy).String()
		rows = append(rows, row)
		return len(rows) - 1
	}
	for i := range top {
		threads = append(threads, []int{add(-1, t0.Add(time.Duration(i)*time.Minute))})
	}
	for len(rows) < n {
		// Threads drawn with a skew: the low-numbered ones draw most replies.
		th := int(float64(top) * r.Float64() * r.Float64())
		parent := threads[th][r.IntN(len(threads[th]))]
		if rows[parent].depth >= 5 {
			parent = threads[th][0]
		}
		at := rows[parent].at.Add(time.Duration(1+r.IntN(600)) * time.Second)
		threads[th] = append(threads[th], add(parent, at))
	}
	batch, flush := commentBatch(tb, db)
	for _, row := range rows {
		m := map[string]any{
			"id": row.id, "article_id": article, "parent_id": nil, "depth": row.depth, "author_name": "Reader",
			"user_id": nil, "email": "reader@example.org", "body": "A comment " + row.id, "status": row.status,
			"report_count": 0, "hold_reasons": "", "ip": "", "version": 1, "created_at": row.at, "updated_at": row.at,
		}
		if row.parent != "" {
			m["parent_id"] = row.parent
		}
		if row.user != "" {
			m["user_id"] = row.user
		}
		*batch = append(*batch, m)
		if len(*batch) == cap(*batch) {
			flush()
		}
	}
	flush()
	analyze(tb, db)
	return rows
}

func analyze(tb testing.TB, db *store.DB) {
	tb.Helper()
	if err := db.Write(context.Background()).Exec("ANALYZE").Error; err != nil {
		tb.Fatal(err)
	}
}

// expectedPages is the thread as the rule says it is, computed from every
// row: the viewer's visible top-level comments in order, in pages of limit,
// each with its visible replies nested (a reply shows when its parent
// does), written as nested ids.
func expectedPages(rows []scaleRow, viewerID string, newest bool, limit int) []string {
	visible := func(r scaleRow) bool {
		return r.status == "approved" || (viewerID != "" && r.status == "pending" && r.user == viewerID)
	}
	less := func(a, b scaleRow) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	}
	children := map[string][]scaleRow{}
	var tops []scaleRow
	for _, r := range rows {
		if !visible(r) {
			continue
		}
		if r.parent == "" {
			tops = append(tops, r)
		} else {
			children[r.parent] = append(children[r.parent], r)
		}
	}
	for _, c := range children {
		slices.SortFunc(c, less)
	}
	slices.SortFunc(tops, less)
	if newest {
		slices.Reverse(tops)
	}
	var write func(sb *strings.Builder, r scaleRow)
	write = func(sb *strings.Builder, r scaleRow) {
		sb.WriteString(r.id)
		if cs := children[r.id]; len(cs) > 0 {
			sb.WriteString("(")
			for _, c := range cs {
				write(sb, c)
				sb.WriteString(" ")
			}
			sb.WriteString(")")
		}
	}
	var pages []string
	for i := 0; i < len(tops); i += limit {
		var sb strings.Builder
		for _, r := range tops[i:min(i+limit, len(tops))] {
			write(&sb, r)
			sb.WriteString("\n")
		}
		pages = append(pages, sb.String())
	}
	return pages
}

func nested(nodes []comments.Node) string {
	var write func(sb *strings.Builder, n comments.Node)
	write = func(sb *strings.Builder, n comments.Node) {
		sb.WriteString(n.ID)
		if len(n.Replies) > 0 {
			sb.WriteString("(")
			for _, c := range n.Replies {
				write(sb, c)
				sb.WriteString(" ")
			}
			sb.WriteString(")")
		}
	}
	var sb strings.Builder
	for _, n := range nodes {
		write(&sb, n)
		sb.WriteString("\n")
	}
	return sb.String()
}

// statements records the statements run on db while on is set.
type statements struct {
	mu   sync.Mutex
	on   bool
	list []recorded
}

type recorded struct {
	sql  string
	vars []any
	rows int64
}

func record(tb testing.TB, db *store.DB) *statements {
	tb.Helper()
	s := &statements{}
	hook := func(tx *gorm.DB) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.on {
			s.list = append(s.list, recorded{sql: tx.Statement.SQL.String(), vars: slices.Clone(tx.Statement.Vars), rows: tx.RowsAffected})
		}
	}
	g := db.Read(context.Background())
	if err := g.Callback().Query().After("gorm:query").Register("scaletest:query", hook); err != nil {
		tb.Fatal(err)
	}
	if err := g.Callback().Row().After("gorm:row").Register("scaletest:row", hook); err != nil {
		tb.Fatal(err)
	}
	if err := g.Callback().Raw().After("gorm:raw").Register("scaletest:raw", hook); err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *statements) during(fn func()) []recorded {
	s.mu.Lock()
	s.on, s.list = true, nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.list
}

// rowsRead runs query under EXPLAIN ANALYZE on PostgreSQL and adds up the
// rows its scans of comments read: those they returned and those their
// filters removed, over every loop. EXPLAIN gives those per loop, rounded:
// slack is how far off the sum may be.
func rowsRead(tb testing.TB, db *store.DB, query string, vars ...any) (n, slack int) {
	tb.Helper()
	out := storetest.Explain(tb, db, "(ANALYZE, FORMAT JSON)", query, vars...)
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(strings.Join(out, "")), &plans); err != nil {
		tb.Fatalf("plan: %v", err)
	}
	total, off := 0.0, 0.0
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Relation == "comments" {
			total += (n.Rows + n.Filtered + n.Rechecked) * n.Loops
			if n.Loops > 1 {
				off += 1.5 * n.Loops
			}
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	for _, p := range plans {
		walk(p.Plan)
	}
	return int(total + 0.5), int(off + 0.5)
}

type planNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Rows      float64    `json:"Actual Rows"`
	Loops     float64    `json:"Actual Loops"`
	Filtered  float64    `json:"Rows Removed by Filter"`
	Rechecked float64    `json:"Rows Removed by Index Recheck"`
	Plans     []planNode `json:"Plans"`
}

// TestThreadAtScale reads every page of a 10,000-comment thread, for an
// anonymous reader and for a member with comments of their own awaiting
// moderation, oldest and newest first, and checks each page against the
// rule computed from all the rows. Then it looks at what one page's
// statements read: the page's top-level comments and the replies under
// them, never the other threads' replies (the plan on SQLite; the rows the
// scans read, under EXPLAIN ANALYZE, on PostgreSQL).
func TestThreadAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 comments")
	}
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	fillThread(t, f.db, f.articles[1], 3000) // another story's comments
	rows := fillThread(t, f.db, f.articles[0], 10000)
	const limit = 20

	for _, c := range []struct {
		viewer string
		newest bool
	}{{"", false}, {viewer, false}, {"", true}, {viewer, true}} {
		want := expectedPages(rows, c.viewer, c.newest, limit)
		var cur *comments.Cursor
		for i := 0; ; i++ {
			nodes, next, err := f.svc.ThreadView(ctx, f.articles[0], comments.ThreadOptions{Limit: limit, After: cur, Newest: c.newest, ViewerID: c.viewer})
			if err != nil {
				t.Fatal(err)
			}
			if i >= len(want) {
				t.Fatalf("viewer %q newest %v: page %d beyond the %d pages", c.viewer, c.newest, i, len(want))
			}
			if got := nested(nodes); got != want[i] {
				t.Fatalf("viewer %q newest %v: page %d:\n%s\nwant\n%s", c.viewer, c.newest, i, got, want[i])
			}
			if next == nil {
				if i != len(want)-1 {
					t.Fatalf("viewer %q newest %v: %d pages, want %d", c.viewer, c.newest, i+1, len(want))
				}
				break
			}
			cur = next
		}
	}

	// One page, in the middle of the thread, where the longest threads are.
	rec := record(t, f.db)
	first, next, err := f.svc.ThreadView(ctx, f.articles[0], comments.ThreadOptions{Limit: limit})
	if err != nil || next == nil {
		t.Fatal(next, err)
	}
	var page []comments.Node
	stmts := rec.during(func() {
		page, _, err = f.svc.ThreadView(ctx, f.articles[0], comments.ThreadOptions{Limit: limit, After: next, ViewerID: viewer})
	})
	if err != nil || len(page) != limit {
		t.Fatalf("%d comments, %v", len(page), err)
	}
	if len(stmts) > 2 {
		t.Errorf("%d statements for a page, want at most 2 (top-level comments, then their replies)", len(stmts))
	}
	// What the page may read: its range of top-level comments (hidden
	// ones included) and the direct replies, of any status, of each
	// comment it shows.
	shown := map[string]bool{}
	var walk func([]comments.Node)
	walk = func(ns []comments.Node) {
		for _, n := range ns {
			shown[n.ID] = true
			walk(n.Replies)
		}
	}
	walk(page)
	lastTop := page[len(page)-1].CreatedAt
	bound, replies := 0, 0
	for _, r := range rows {
		switch {
		case r.parent == "" && r.at.After(first[len(first)-1].CreatedAt) && !r.at.After(lastTop.Add(time.Minute)):
			bound++
		case r.parent != "" && shown[r.parent]:
			bound++
			replies++
		}
	}
	totalReplies := 0
	for _, r := range rows {
		if r.parent != "" {
			totalReplies++
		}
	}
	for _, s := range stmts {
		if f.db.Dialect == store.Postgres {
			n, slack := rowsRead(t, f.db, s.sql, s.vars...)
			t.Logf("%d rows read (±%d) by %s", n, slack, s.sql)
			if n > bound+slack {
				t.Errorf("a page's statement read %d comments (±%d), more than the %d of its own threads (the article has %d replies): %s", n, slack, bound, totalReplies, s.sql)
			}
			continue
		}
		plan := storetest.Explain(t, f.db, "", s.sql, s.vars...)
		text := strings.Join(plan, "\n")
		t.Logf("plan of %s:\n%s", s.sql, text)
		top := !strings.HasPrefix(s.sql, "WITH RECURSIVE")
		for _, line := range plan {
			switch {
			case !strings.Contains(line, "comments") && !strings.HasPrefix(line, "SEARCH c "):
			case top && !strings.Contains(line, "USING INDEX comments_top "):
				t.Errorf("the page's top-level comments are not read from their index: %s", line)
			case !top && !strings.Contains(line, "USING INDEX comments_parent (parent_id=?)"):
				t.Errorf("the page's replies are not read by their parents: %s", line)
			}
		}
		if top && strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("the page's top-level comments are sorted, not read in order")
		}
		if s.rows > int64(bound) {
			t.Errorf("a statement returned %d rows, more than the %d of the page's threads", s.rows, bound)
		}
	}
	t.Logf("page: %d shown, %d replies under it, bound %d, %d replies in the article", len(shown), replies, bound, totalReplies)
}

// BenchmarkThread10k reads a page of 20 top-level comments, with their
// replies, from a 10,000-comment thread: the first page, and the second
// through its cursor.
func BenchmarkThread10k(b *testing.B) {
	ctx := context.Background()
	f := setup(b)
	fillThread(b, f.db, f.articles[0], 10000)
	_, next, err := f.svc.ThreadView(ctx, f.articles[0], comments.ThreadOptions{Limit: 20})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		after *comments.Cursor
	}{{"first", nil}, {"second", next}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := f.svc.ThreadView(ctx, f.articles[0], comments.ThreadOptions{Limit: 20, After: bc.after}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// commentBatch returns rows to fill and what writes them to comments, 500
// at a time, straight into the table: the plan tests' bulk load.
func commentBatch(tb testing.TB, db *store.DB) (*[]map[string]any, func()) {
	batch := make([]map[string]any, 0, 500)
	return &batch, func() {
		tb.Helper()
		if len(batch) == 0 {
			return
		}
		if err := db.Write(context.Background()).Table("comments").Create(batch).Error; err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
}
