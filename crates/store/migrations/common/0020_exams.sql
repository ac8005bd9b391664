-- Closed-book exams (闭卷测试) with their make-up sittings (补考).

-- An exam a unit sets for the members of its subtree: a window, minutes per
-- sitting, a pass mark (of 100), attempts allowed, the paper drawn per
-- sitter from `blueprint` (JSON lines: kind, tag, difficulty, count) or one
-- fixed paper for all (`fixed_paper`, JSON question ids). When the window
-- closes, those who did not sit (and those who failed, if
-- `makeup_failed`) are put on a make-up sitting open for `makeup_days`;
-- `makeups_at` records when that was done.
CREATE TABLE exams (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    pass_mark BIGINT NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
    attempts BIGINT NOT NULL CHECK (attempts BETWEEN 1 AND 10),
    blueprint TEXT NOT NULL,
    fixed_paper TEXT,
    makeup_failed BIGINT NOT NULL DEFAULT 0 CHECK (makeup_failed IN (0, 1)),
    makeup_days BIGINT NOT NULL CHECK (makeup_days BETWEEN 1 AND 60),
    makeups_at BIGINT,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX exams_unit ON exams (unit_id, opens_at);
CREATE INDEX exams_closing ON exams (makeups_at, closes_at);

-- Who is to sit it: the members under the unit when it was set (or a named
-- list), each with the unit they sat for.
CREATE TABLE exam_roster (
    exam_id BIGINT NOT NULL REFERENCES exams (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (exam_id, member_id)
);
CREATE INDEX exam_roster_member ON exam_roster (member_id);

-- Who sits the make-up, why (absent, failed, or an override with its
-- reason) and when it is open.
CREATE TABLE exam_makeups (
    exam_id BIGINT NOT NULL REFERENCES exams (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    reason TEXT NOT NULL CHECK (reason IN ('absent', 'failed', 'override')),
    note TEXT NOT NULL DEFAULT '',
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (exam_id, member_id)
);

-- A sitting: round 1 the exam, round 2 the make-up; its paper (JSON
-- question ids), the deadline the server keeps, and once handed in or
-- timed out, its score. `source` online or paper (marks entered by the
-- unit afterwards).
CREATE TABLE exam_sittings (
    id BIGINT PRIMARY KEY,
    exam_id BIGINT NOT NULL REFERENCES exams (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    round BIGINT NOT NULL CHECK (round IN (1, 2)),
    attempt BIGINT NOT NULL CHECK (attempt >= 1),
    paper TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    submitted_at BIGINT,
    correct BIGINT,
    total BIGINT NOT NULL,
    score BIGINT,
    passed BIGINT CHECK (passed IN (0, 1)),
    source TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'paper')),
    UNIQUE (exam_id, member_id, round, attempt)
);
CREATE INDEX exam_sittings_open ON exam_sittings (exam_id, submitted_at, deadline_at);

-- Each answer as it is given, kept once per question of a sitting.
CREATE TABLE exam_answers (
    sitting_id BIGINT NOT NULL REFERENCES exam_sittings (id),
    question_id BIGINT NOT NULL,
    answer TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (sitting_id, question_id)
);
