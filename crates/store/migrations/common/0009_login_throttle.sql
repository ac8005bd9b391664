-- Sign-in attempts under names that match no account, counted like an
-- account's so an unknown name locks exactly as a real one does (the answer
-- must not tell them apart). Rows go once their lock and count are stale.
CREATE TABLE login_throttle (
    name TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
