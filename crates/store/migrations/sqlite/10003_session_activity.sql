-- When each session was last used, in a narrow table of its own keyed by a
-- time-ordered session id. Activity is written back for thousands of
-- sessions a second (the daily quiz); each write dirties the page holding
-- the value, and in the sessions table (digest, CSRF token, user agent) that
-- meant a page per thirty sessions: the writer rewrote most of the table
-- every second. Here a page holds a few hundred sessions, and the active
-- ones, being the recent ones, sit together at the end.
ALTER TABLE sessions ADD COLUMN id BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET id = rowid;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
CREATE TABLE session_activity (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    last_seen_at BIGINT NOT NULL
);
INSERT INTO session_activity (session_id, last_seen_at) SELECT id, last_seen_at FROM sessions;
ALTER TABLE sessions DROP COLUMN last_seen_at;
