package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"masthead/internal/comments"
	"masthead/internal/progress"
)

// commentBatch is how many comments go in one transaction.
const commentBatch = 5000

// maxReplyDepth is the deepest reply the generator writes: the submission
// policy's default (comments.Policy.MaxDepth 0 is 5).
const maxReplyDepth = 5

// reportThreshold is the number of reports that holds a comment again (the
// default of comments-report-threshold).
const reportThreshold = 3

// open is an article that takes comments, as the generator knows it.
type open struct {
	id, lang  string
	published time.Time
}

// shareComments spreads total comments over the articles: a weight drawn
// from a log-normal law for each (most articles get a few, a handful get
// thousands), the counts rounded so that they add up to total.
func shareComments(r *rand.Rand, n, total int) []int {
	counts := make([]int, n)
	if n == 0 || total <= 0 {
		return counts
	}
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = math.Exp(2 * r.NormFloat64())
		sum += weights[i]
	}
	given := 0
	for i, w := range weights {
		counts[i] = int(float64(total) * w / sum)
		given += counts[i]
	}
	for given < total { // the rounding's remainder, one each, at random
		counts[r.IntN(n)]++
		given++
	}
	return counts
}

// writeComments writes total comments under arts through svc, in batches.
func writeComments(ctx context.Context, svc *comments.Service, o Options, arts []open, end time.Time) (int, error) {
	r := rand.New(rand.NewPCG(o.Seed, 0x636f6d6d))
	ids := rand.NewChaCha8([32]byte{byte(o.Seed), byte(o.Seed >> 8), byte(o.Seed >> 16), byte(o.Seed >> 24), 'c'})
	counts := shareComments(r, len(arts), o.Comments)
	var bar *progress.Bar
	if o.Progress != nil {
		bar = progress.New(o.Progress, o.Comments, "comments")
		defer bar.Done()
	}
	g := commentGen{r: r, ids: ids, end: end}
	written := 0
	batch := make([]comments.Imported, 0, commentBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := svc.Import(ctx, batch); err != nil {
			return err
		}
		written += len(batch)
		if bar != nil {
			bar.Add(len(batch))
		}
		batch = batch[:0]
		return ctx.Err()
	}
	for i, a := range arts {
		for _, c := range g.thread(a, counts[i]) {
			batch = append(batch, c)
			if len(batch) == commentBatch {
				if err := flush(); err != nil {
					return written, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return written, err
	}
	return written, nil
}

type commentGen struct {
	r   *rand.Rand
	ids *rand.ChaCha8
	end time.Time
}

// thread draws n comments for a: top-level ones and replies to approved
// comments at most maxReplyDepth deep, each after its parent, none after
// the end of the archive.
func (g *commentGen) thread(a open, n int) []comments.Imported {
	r := g.r
	out := make([]comments.Imported, 0, n)
	type parent struct {
		id    string
		depth int
		at    time.Time
	}
	var parents []parent // approved comments that take replies
	for range n {
		var c comments.Imported
		c.ArticleID = a.id
		depth := 0
		if len(parents) > 0 && r.IntN(100) < 55 {
			// Replies go to recent comments more often than to old ones.
			p := parents[len(parents)-1-int(float64(len(parents))*r.Float64()*r.Float64())]
			c.ParentID, depth = p.id, p.depth+1
			c.CreatedAt = p.at.Add(g.delay(2 * time.Hour))
		} else {
			c.CreatedAt = a.published.Add(g.delay(8 * time.Hour))
		}
		if c.CreatedAt.After(g.end) {
			c.CreatedAt = g.end
		}
		c.CreatedAt = c.CreatedAt.Truncate(time.Second)
		c.ID = ulid.MustNew(ulid.Timestamp(c.CreatedAt), g.ids).String()
		g.author(&c, a.lang)
		c.Body = g.body(a.lang, c.ParentID != "")
		g.fate(&c)
		if c.Status == comments.StatusApproved && depth < maxReplyDepth {
			parents = append(parents, parent{id: c.ID, depth: depth, at: c.CreatedAt})
		}
		out = append(out, c)
	}
	return out
}

// delay is an exponential wait of mean d: most replies come soon, some late.
func (g *commentGen) delay(mean time.Duration) time.Duration {
	return time.Minute + time.Duration(g.r.ExpFloat64()*float64(mean))
}

// author makes a member (two in five) or a guest, with an address from the
// documentation ranges.
func (g *commentGen) author(c *comments.Imported, lang string) {
	r := g.r
	names := commentText[lang].names
	c.AuthorName = names[r.IntN(len(names))]
	number := r.IntN(5000)
	if r.IntN(5) < 2 {
		c.UserID = ulid.MustNew(ulid.Timestamp(c.CreatedAt), g.ids).String()
		c.Email = fmt.Sprintf("member%d@example.org", number)
	} else {
		c.Email = fmt.Sprintf("reader%d@example.net", number)
	}
	c.IP = fmt.Sprintf("203.0.113.%d", 1+number%254)
}

// body is one to four sentences of opinion, with an opener or a closer now
// and then; a reply starts by answering; one comment in twenty goes on.
func (g *commentGen) body(lang string, reply bool) string {
	r := g.r
	w := commentText[lang]
	var parts []string
	switch {
	case reply:
		parts = append(parts, w.replies[r.IntN(len(w.replies))])
	case r.IntN(100) < 60:
		parts = append(parts, w.openers[r.IntN(len(w.openers))])
	}
	n := 1 + r.IntN(3)
	if r.IntN(20) == 0 {
		n = 5 + r.IntN(6)
	}
	for range n {
		parts = append(parts, w.opinions[r.IntN(len(w.opinions))])
	}
	if r.IntN(100) < 35 {
		parts = append(parts, w.closers[r.IntN(len(w.closers))])
	}
	return strings.Join(parts, " ")
}

// fate decides what became of a comment and writes the history it left as
// the service would have: spam caught by the trap; held for a new author
// or a word, some of those rejected by a moderator; published, and
// sometimes reported, up to being held again by the reports.
func (g *commentGen) fate(c *comments.Imported) {
	r := g.r
	c.Version = 1
	c.UpdatedAt = c.CreatedAt
	later := func() time.Time {
		t := c.CreatedAt.Add(g.delay(3 * time.Hour)).Truncate(time.Second)
		if t.After(g.end) {
			t = g.end
		}
		return t
	}
	holds := []string{comments.ReasonNewAuthor, comments.ReasonSuspectWords, comments.ReasonTooManyLinks, comments.ReasonPremod}
	switch x := r.IntN(1000); {
	case x < 20:
		c.Status, c.HoldReasons = comments.StatusSpam, []string{comments.ReasonHoneypot}
	case x < 70:
		c.Status, c.HoldReasons = comments.StatusPending, []string{holds[r.IntN(len(holds))]}
		at := later()
		c.Decisions = []comments.Moderation{{Moderator: "seed-moderator", From: comments.StatusPending, To: comments.StatusRejected, Note: "off-topic", CreatedAt: at}}
		c.Status, c.Version, c.UpdatedAt = comments.StatusRejected, 2, at
	case x < 140:
		c.Status, c.HoldReasons = comments.StatusPending, []string{holds[r.IntN(len(holds))]}
	default:
		c.Status = comments.StatusApproved
		reports := 0
		switch y := r.IntN(1000); {
		case y < 5:
			reports = reportThreshold
		case y < 35:
			reports = 1 + r.IntN(reportThreshold-1)
		}
		reasons := []comments.Reason{comments.ReasonOffensive, comments.ReasonAbuse, comments.ReasonSpam, comments.ReasonOther}
		for i := range reports {
			at := later()
			c.Reports = append(c.Reports, comments.ImportedReport{
				Reporter: fmt.Sprintf("reader-%d", r.IntN(100000)*10+i), Reason: reasons[r.IntN(len(reasons))], CreatedAt: at,
			})
			c.ReportCount++
			c.Version++
			if at.After(c.UpdatedAt) {
				c.UpdatedAt = at
			}
		}
		if reports >= reportThreshold {
			c.Status, c.HoldReasons = comments.StatusPending, []string{comments.HoldReported}
			c.Decisions = []comments.Moderation{{Moderator: comments.SystemModerator, From: comments.StatusApproved, To: comments.StatusPending,
				Note: fmt.Sprintf("held again after %d reports", reports), CreatedAt: c.UpdatedAt}}
		}
	}
}
