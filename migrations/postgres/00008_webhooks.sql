-- +goose Up
-- Webhooks: endpoints that are told about the changes of the change log
-- (article_changes). last_seq is the webhook's position in that log: the
-- dispatcher inserts the deliveries of the changes after it and moves it
-- forward in one transaction, so a change is enqueued once per webhook even
-- across crashes. events is space-separated event types, or '*' for all.
-- The secret is kept as given to the receiver (HMAC needs it); after a
-- rotation the previous one keeps signing beside it until
-- previous_secret_until. version moves on every newsroom edit (the ETag),
-- never when the dispatcher moves last_seq.
CREATE TABLE webhooks (
    id                    TEXT PRIMARY KEY,
    url                   TEXT NOT NULL,
    events                TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    active                BOOLEAN NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT NOT NULL DEFAULT '',
    previous_secret_until TIMESTAMPTZ,
    last_seq              BIGINT NOT NULL,
    version               INTEGER NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
-- The newsroom's list: newest first, keyset on (created_at, id).
CREATE INDEX webhooks_created ON webhooks (created_at, id);

-- One row per (webhook, change): the outbox of the HTTP calls and their log.
-- The UNIQUE pair is the last guard against enqueuing a change twice. The
-- payload is frozen at enqueue time so that every retry sends the same
-- signed bytes. A dispatcher owns a due delivery while lease_until is in
-- the future (taken by a conditional UPDATE, checked again by lease_token
-- when it records the attempt). Deleting a webhook deletes its log.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    change_seq      BIGINT NOT NULL,
    article_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMPTZ,
    lease_until     TIMESTAMPTZ,
    lease_token     TEXT NOT NULL DEFAULT '',
    last_status     INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    last_attempt_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (webhook_id, change_seq)
);
-- What the dispatcher looks for every second: the due pending deliveries.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
