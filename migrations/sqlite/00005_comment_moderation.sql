-- +goose Up
-- Moderation needs to know why a comment was held, where it came from, who
-- reported it, and every decision taken on it.
ALTER TABLE comments ADD COLUMN hold_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX comments_user ON comments (user_id, status);
CREATE INDEX comments_status ON comments (status, created_at, id);

CREATE TABLE comment_reports (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reporter   TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('offensive', 'abuse', 'spam', 'other')),
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    PRIMARY KEY (comment_id, reporter)
);

CREATE TABLE comment_moderations (
    id          TEXT PRIMARY KEY,
    comment_id  TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    moderator   TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE INDEX comment_moderations_comment ON comment_moderations (comment_id, created_at);

-- +goose Down
DROP TABLE comment_moderations;
DROP TABLE comment_reports;
DROP INDEX comments_status;
DROP INDEX comments_user;
ALTER TABLE comments DROP COLUMN version;
ALTER TABLE comments DROP COLUMN ip;
ALTER TABLE comments DROP COLUMN hold_reasons;
