-- The day each member's current run began (连续答题的起始日). The streak
-- leaderboard walks runs by when they began instead of by their length: a
-- run that goes on keeps its start, so a member's daily quiz no longer moves
-- their entry in an index at a random place (about a fifth of the quiz
-- writer's pages). The direct writer leaves the column out of the update of
-- a continuing run; SQLite rewrites an index whenever its column is set.
ALTER TABLE member_streaks ADD COLUMN run_start TEXT NOT NULL DEFAULT '';
UPDATE member_streaks SET run_start = date(last_day, printf('-%d days', current_run - 1));
DROP INDEX member_streaks_run;
CREATE INDEX member_streaks_start ON member_streaks (run_start);
