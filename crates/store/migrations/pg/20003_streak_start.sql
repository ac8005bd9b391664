-- The day each member's current run began (see the SQLite migration 10004
-- for why). PostgreSQL's update of a continuing run sets the same start
-- again, which still leaves the index alone (a heap-only update).
ALTER TABLE member_streaks ADD COLUMN run_start TEXT NOT NULL DEFAULT '';
UPDATE member_streaks SET run_start = to_char(CAST(last_day AS DATE) - CAST(current_run - 1 AS INTEGER), 'YYYY-MM-DD');
DROP INDEX member_streaks_run;
CREATE INDEX member_streaks_start ON member_streaks (run_start);
