-- +goose Up
-- The change log: one row per change to what the public can read (an
-- article published, updated, corrected or withdrawn), written in the same
-- transaction as the change. Partners follow it by seq through the sync API
-- and webhooks deliver from it. AUTOINCREMENT: a seq is never reused, not
-- even after the newest row is gone. No foreign key: a tombstone outlives
-- its article.
CREATE TABLE article_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'corrected', 'unpublished')),
    lang       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX article_changes_article ON article_changes (article_id, seq);

-- The scheduler looks for scheduled articles whose time came, before every
-- read of the sync API: without this it would scan every article.
CREATE INDEX articles_due ON articles (published_at, id) WHERE status = 'scheduled';

-- What is already published was published before the log existed: it opens
-- the log, oldest first.
INSERT INTO article_changes (article_id, kind, lang, version, created_at)
SELECT id, 'published', lang, version, published_at FROM articles
WHERE status = 'published' AND published_at IS NOT NULL
ORDER BY published_at, id;

-- +goose Down
DROP INDEX articles_due;
DROP TABLE article_changes;
