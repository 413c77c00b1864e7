-- +goose Up
-- Full-text search (internal/search analyses the text in Go; these tables
-- only hold its terms). One row of search_docs per article, written in the
-- same transaction as the article, with what a search filters and ranks on
-- (so that a search reads no article it does not return); its id is the
-- rowid of the article's row in search_fts, whose columns hold the folded
-- stems of each field and, in the _w columns, the folded words (for
-- prefixes and exact words), and in search_heads, which holds the headline
-- and standfirst again: the ranking asks it whether they hold the query's
-- words, which reads short lists. published_ts is the publication time in
-- Unix seconds. analyzer is the internal/search Version the row was built
-- with: rows of another version are rebuilt at start-up.
CREATE TABLE search_docs (
    id           INTEGER PRIMARY KEY,
    article_id   TEXT NOT NULL UNIQUE REFERENCES articles (id) ON DELETE CASCADE,
    analyzer     INTEGER NOT NULL,
    lang         TEXT NOT NULL,
    section_id   TEXT,
    access       TEXT NOT NULL,
    status       TEXT NOT NULL,
    published_ts INTEGER
);

-- Contentless: the text is in articles; the index keeps only terms. The
-- terms are analysed already: the ascii tokenizer splits on spaces only.
CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, standfirst, preview, body,
    title_w, standfirst_w, preview_w, body_w,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii',
    prefix = '2 3'
);

CREATE VIRTUAL TABLE search_heads USING fts5 (
    title, standfirst, title_w, standfirst_w,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii',
    prefix = '2 3'
);

-- +goose Down
DROP TABLE search_heads;
DROP TABLE search_fts;
DROP TABLE search_docs;
