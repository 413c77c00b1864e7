-- +goose Up
-- Threads and the moderation queue at a million comments: every page is
-- read from an index in its order, whatever the filter.

-- A thread's top-level comments, in order (the public thread's keyset).
CREATE INDEX comments_top ON comments (article_id, created_at, id) WHERE parent_id IS NULL;
-- The replies under a comment (the thread's walk down; the cascade of a
-- deleted comment to its replies). Partial, so that no planner reads the
-- top-level comments of every article by it.
CREATE INDEX comments_parent ON comments (parent_id, status) WHERE parent_id IS NOT NULL;
-- The moderation queue: every comment, newest first; one article's, every
-- status; the reported ones, of every status or of one.
CREATE INDEX comments_created ON comments (created_at, id);
CREATE INDEX comments_article_created ON comments (article_id, created_at, id);
CREATE INDEX comments_reported ON comments (created_at, id) WHERE report_count > 0;
CREATE INDEX comments_reported_status ON comments (status, created_at, id) WHERE report_count > 0;

-- +goose Down
DROP INDEX comments_reported_status;
DROP INDEX comments_reported;
DROP INDEX comments_article_created;
DROP INDEX comments_created;
DROP INDEX comments_parent;
DROP INDEX comments_top;
