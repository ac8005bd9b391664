-- SQLite: two tables of the daily quiz's write path rebuilt so that each row
-- lives in one b-tree instead of two. Every submission writes to both at
-- places scattered over a province, and each page it touches is written to
-- the log and again at the checkpoint (docs/performance.md, session 12).
--
-- member_streaks: a key declared BIGINT PRIMARY KEY is a separate index
-- beside the rows; INTEGER PRIMARY KEY makes the member id the row's own key.
CREATE TABLE member_streaks_rowid (
    member_id INTEGER PRIMARY KEY REFERENCES members (id),
    last_day TEXT NOT NULL,
    current_run BIGINT NOT NULL,
    best_run BIGINT NOT NULL,
    quizzes BIGINT NOT NULL,
    correct BIGINT NOT NULL
);
INSERT INTO member_streaks_rowid (member_id, last_day, current_run, best_run, quizzes, correct)
    SELECT member_id, last_day, current_run, best_run, quizzes, correct FROM member_streaks;
DROP TABLE member_streaks;
ALTER TABLE member_streaks_rowid RENAME TO member_streaks;
CREATE INDEX member_streaks_run ON member_streaks (current_run, correct, member_id);

-- study_daily: the counters stored in the (unit, day) key's own tree.
CREATE TABLE study_daily_keyed (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    quiz_takers BIGINT NOT NULL DEFAULT 0,
    quiz_correct BIGINT NOT NULL DEFAULT 0,
    quiz_questions BIGINT NOT NULL DEFAULT 0,
    check_ins BIGINT NOT NULL DEFAULT 0,
    study_minutes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
) WITHOUT ROWID;
INSERT INTO study_daily_keyed (unit_id, day, quiz_takers, quiz_correct, quiz_questions, check_ins, study_minutes)
    SELECT unit_id, day, quiz_takers, quiz_correct, quiz_questions, check_ins, study_minutes FROM study_daily;
DROP TABLE study_daily;
ALTER TABLE study_daily_keyed RENAME TO study_daily;
