-- When each session was last used, in a narrow table of its own keyed by a
-- time-ordered session id (see the SQLite migration 10003 for why).
ALTER TABLE sessions ADD COLUMN id BIGINT;
UPDATE sessions SET id = r.n FROM (SELECT token_digest, ROW_NUMBER() OVER (ORDER BY created_at) AS n FROM sessions) r
    WHERE r.token_digest = sessions.token_digest;
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
CREATE TABLE session_activity (
    session_id BIGINT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    last_seen_at BIGINT NOT NULL
);
INSERT INTO session_activity (session_id, last_seen_at) SELECT id, last_seen_at FROM sessions;
ALTER TABLE sessions DROP COLUMN last_seen_at;
