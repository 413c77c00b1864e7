-- +goose Up
-- One row per (reader, calendar month, article) opened under the meter.
-- period is the UTC month as 'YYYY-MM'; the primary key makes an article
-- count once per month, and its prefix (subject, period) serves the count.
CREATE TABLE meter_reads (
    subject    TEXT NOT NULL,
    period     TEXT NOT NULL,
    article_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subject, period, article_id)
);

-- +goose Down
DROP TABLE meter_reads;
