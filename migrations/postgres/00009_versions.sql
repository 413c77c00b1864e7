-- +goose Up
-- Every editable resource carries an integer version, moved by one on each
-- write; its ETag names it and If-Match compares it. Sections, tags, authors,
-- photos and partners used their updated_at for this until now.
ALTER TABLE sections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tags ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE authors ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE photos ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE partners ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE partners DROP COLUMN version;
ALTER TABLE photos DROP COLUMN version;
ALTER TABLE authors DROP COLUMN version;
ALTER TABLE tags DROP COLUMN version;
ALTER TABLE sections DROP COLUMN version;
