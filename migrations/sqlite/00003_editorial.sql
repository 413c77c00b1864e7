-- +goose Up
-- Every save of an article through the editorial API keeps a revision: who
-- saved it, what they did, and the editable fields and body as they were
-- after the save. Revisions go with their article.

CREATE TABLE article_revisions (
    id         TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    editor     TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'publish', 'unpublish')),
    snapshot   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (article_id, version)
);

-- The newsroom list: every status, newest first, keyset on (created_at, id).
CREATE INDEX articles_created ON articles (created_at DESC, id DESC);

-- +goose Down
DROP INDEX articles_created;
DROP TABLE article_revisions;
