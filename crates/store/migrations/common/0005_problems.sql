-- Problems the public raises (急难愁盼) through the public window, before
-- the office triages them (reject with a reason, merge into a matter, or make
-- one). `code` is the citizen's tracking code; `fingerprint` the folded text,
-- so the same problem raised again is folded into the first (`reports`).
-- The contact is kept masked in clear and whole only sealed by the vault.
CREATE TABLE problems (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    area TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    contact_masked TEXT NOT NULL DEFAULT '',
    contact_sealed BYTEA,
    photo BYTEA,
    photo_type TEXT NOT NULL DEFAULT '',
    reports BIGINT NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'rejected', 'merged', 'accepted')),
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX problems_code ON problems (code);
CREATE INDEX problems_fingerprint ON problems (fingerprint, created_at);
CREATE INDEX problems_status ON problems (status, created_at);
