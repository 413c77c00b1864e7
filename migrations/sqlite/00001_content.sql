-- +goose Up
-- Times are written by the application, in UTC, never by CURRENT_TIMESTAMP:
-- SQLite compares them as text, so every row must use the same format.

CREATE TABLE sections (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    parent_id  TEXT REFERENCES sections (id) ON DELETE RESTRICT,
    names      TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE tags (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('country', 'topic')),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE photos (
    id             TEXT PRIMARY KEY,
    hash           TEXT NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    mime           TEXT NOT NULL,
    original       TEXT NOT NULL,
    renditions     TEXT NOT NULL,
    blurhash       TEXT NOT NULL,
    dominant_color TEXT NOT NULL,
    caption        TEXT NOT NULL DEFAULT '',
    credit         TEXT NOT NULL DEFAULT '',
    alt            TEXT NOT NULL DEFAULT '',
    source_url     TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX photos_hash ON photos (hash);

CREATE TABLE authors (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    bio        TEXT NOT NULL DEFAULT '',
    photo_id   TEXT REFERENCES photos (id) ON DELETE RESTRICT,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE articles (
    id                TEXT PRIMARY KEY,
    lang              TEXT NOT NULL,
    slug              TEXT NOT NULL,
    translation_key   TEXT NOT NULL,
    title             TEXT NOT NULL,
    standfirst        TEXT NOT NULL DEFAULT '',
    section_id        TEXT REFERENCES sections (id) ON DELETE RESTRICT,
    photo_id          TEXT REFERENCES photos (id) ON DELETE RESTRICT,
    source_name       TEXT NOT NULL DEFAULT '',
    source_url        TEXT NOT NULL DEFAULT '',
    access            TEXT NOT NULL CHECK (access IN ('public', 'registered', 'subscribers')),
    preview_break     INTEGER,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'unpublished')),
    publish_at        DATETIME,
    published_at      DATETIME,
    comments_enabled  BOOLEAN NOT NULL DEFAULT 1,
    comment_count     INTEGER NOT NULL DEFAULT 0,
    word_count        INTEGER NOT NULL DEFAULT 0,
    reading_minutes   INTEGER NOT NULL DEFAULT 0,
    body_blocks       TEXT NOT NULL,
    body_html         TEXT NOT NULL,
    body_text         TEXT NOT NULL,
    preview_blocks    TEXT NOT NULL,
    preview_html      TEXT NOT NULL,
    preview_text      TEXT NOT NULL,
    preview_words     INTEGER NOT NULL,
    preview_truncated BOOLEAN NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    UNIQUE (lang, slug)
);
-- The public list: live articles, newest first, keyset on (published_at, id).
CREATE INDEX articles_live ON articles (published_at DESC, id DESC) WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_section ON articles (section_id, published_at DESC, id DESC);
CREATE INDEX articles_translation ON articles (translation_key);

CREATE TABLE article_tags (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     TEXT NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE article_authors (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

-- Slugs an article used to have: they keep resolving, with a redirect.
CREATE TABLE article_slugs (
    lang       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (lang, slug)
);

CREATE TABLE comments (
    id           TEXT PRIMARY KEY,
    article_id   TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id    TEXT REFERENCES comments (id) ON DELETE CASCADE,
    depth        INTEGER NOT NULL DEFAULT 0,
    author_name  TEXT NOT NULL,
    user_id      TEXT,
    email        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
    report_count INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX comments_article ON comments (article_id, status, created_at, id);

-- +goose Down
DROP TABLE comments;
DROP TABLE article_slugs;
DROP TABLE article_authors;
DROP TABLE article_tags;
DROP TABLE articles;
DROP TABLE authors;
DROP TABLE photos;
DROP TABLE tags;
DROP TABLE sections;
