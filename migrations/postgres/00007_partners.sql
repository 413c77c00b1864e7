-- +goose Up
-- Syndication partners and their credentials. The feed key is kept only as
-- its SHA-256 (hex): a copy of the table opens no feed. token_id is the jti
-- of the one partner token that currently works; rotating the credentials
-- replaces both, so the old ones stop on the next request of every process.
-- scopes is space-separated (headlines, full_text); rate_limit is requests
-- per minute, 0 meaning none. Times are written by the application, in UTC.
CREATE TABLE partners (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    scopes           TEXT NOT NULL,
    rate_limit       INTEGER NOT NULL CHECK (rate_limit >= 0),
    active           BOOLEAN NOT NULL,
    feed_key_hash    TEXT NOT NULL UNIQUE,
    token_id         TEXT NOT NULL,
    token_expires_at TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    disabled_at      TIMESTAMPTZ
);
-- The newsroom's list: newest first, keyset on (created_at, id).
CREATE INDEX partners_created ON partners (created_at, id);

-- +goose Down
DROP TABLE partners;
