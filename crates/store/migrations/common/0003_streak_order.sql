-- The longest runs first, for the streak leaderboard of a large subtree.
CREATE INDEX member_streaks_run ON member_streaks (current_run, correct, member_id);
