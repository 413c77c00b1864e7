-- +goose Up
-- What an import (masthead import wordpress) needs to run again and keep old
-- links working.

-- Where each imported record came from: (source, kind, external_id) names a
-- record of another system ("wordpress:https://courrier.example", "article",
-- "8"), target_id the row it became here, digest the importer's hash of what
-- it wrote last (an unchanged record is skipped on the next run). A
-- "translation" row names a group of translations: its target_id is the
-- translation_key the group's articles share. No foreign key: target_id
-- names rows of several tables, and a target deleted since is recreated.
CREATE TABLE external_refs (
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('article', 'photo', 'comment', 'section', 'tag', 'author', 'translation')),
    external_id TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    digest      TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);
-- Which records became this row.
CREATE INDEX external_refs_target ON external_refs (kind, target_id);

-- Paths of the old site (canonical form: content.CanonicalPath) and what
-- they are now; GET /v1/resolve reads them. A "gone" path names nothing
-- (target_id ''): it is answered 410.
CREATE TABLE legacy_paths (
    path       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('article', 'section', 'tag', 'photo', 'gone')),
    target_id  TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- Featured articles (WordPress's sticky posts), and the public list of the
-- live ones, newest first: a few rows, read in order.
ALTER TABLE articles ADD COLUMN featured BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX articles_featured ON articles (published_at DESC, id DESC) WHERE featured = TRUE AND status IN ('published', 'scheduled');

-- +goose Down
DROP INDEX articles_featured;
ALTER TABLE articles DROP COLUMN featured;
DROP TABLE legacy_paths;
DROP INDEX external_refs_target;
DROP TABLE external_refs;
