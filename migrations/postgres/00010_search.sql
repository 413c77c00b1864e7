-- +goose Up
-- Full-text search (internal/search analyses the text in Go; these tables
-- only hold its terms). One row per article, written in the same
-- transaction as the article, with what a search filters and ranks on (so
-- that a search reads no article it does not return). public_doc holds
-- what everyone may read (headline A, standfirst B, preview C) and full_doc
-- the headline, standfirst and whole body: a caller's query runs against
-- the one it may read. head_doc holds the headline and standfirst alone:
-- the ranking asks whether they hold the query's words, from a value small
-- enough to stay in the row (the others are stored out of line). published_ts is the publication time in Unix
-- seconds. analyzer is the internal/search Version the row was built with:
-- rows of another version are rebuilt at start-up.
CREATE TABLE search_docs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id   TEXT NOT NULL UNIQUE REFERENCES articles (id) ON DELETE CASCADE,
    analyzer     INTEGER NOT NULL,
    lang         TEXT NOT NULL,
    section_id   TEXT,
    access       TEXT NOT NULL,
    status       TEXT NOT NULL,
    published_ts BIGINT,
    head_doc     TSVECTOR NOT NULL,
    public_doc   TSVECTOR NOT NULL,
    full_doc     TSVECTOR NOT NULL
);
CREATE INDEX search_docs_public ON search_docs USING GIN (public_doc);
CREATE INDEX search_docs_full ON search_docs USING GIN (full_doc);

-- +goose Down
DROP TABLE search_docs;
