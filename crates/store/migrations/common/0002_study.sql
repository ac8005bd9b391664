-- Study (学习) and the daily quiz (每日答题): campaigns and their quotas,
-- materials, 党史上的今天, check-ins, the question bank, quiz attempts, and
-- the per-unit per-day counters the dashboards read.

-- A study campaign (学习教育活动) run by a unit over its subtree.
CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    quiz_size BIGINT NOT NULL DEFAULT 5 CHECK (quiz_size BETWEEN 1 AND 50),
    quiz_seconds BIGINT NOT NULL DEFAULT 600 CHECK (quiz_seconds BETWEEN 30 AND 7200),
    created_at BIGINT NOT NULL
);
CREATE INDEX campaigns_unit ON campaigns (unit_id);

-- A study quota (学习定额): `count` of `kind` per `period`, or with no kind,
-- `minutes` of study a day, for the members under `unit_id`.
CREATE TABLE quotas (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT CHECK (kind IN ('book', 'film', 'song', 'video', 'article', 'micro_lecture', 'experiential')),
    count BIGINT NOT NULL DEFAULT 0,
    period TEXT NOT NULL CHECK (period IN ('day', 'week', 'xun', 'month', 'campaign')),
    minutes BIGINT NOT NULL DEFAULT 0,
    label TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX quotas_campaign ON quotas (campaign_id, sort_order);

-- Study materials (学习资料).
CREATE TABLE materials (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('book', 'film', 'song', 'video', 'article', 'micro_lecture', 'experiential')),
    title TEXT NOT NULL,
    title_folded TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    minutes BIGINT NOT NULL DEFAULT 0,
    link TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX materials_kind ON materials (kind, title_folded);

-- 党史上的今天: what happened on a month and day in the Party's history.
CREATE TABLE history_days (
    id BIGINT PRIMARY KEY,
    month BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    day BIGINT NOT NULL CHECK (day BETWEEN 1 AND 31),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_days_date ON history_days (month, day, year);

-- A check-in (学习打卡): what a member studied on a day, for how long.
CREATE TABLE check_ins (
    id BIGINT PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('book', 'film', 'song', 'video', 'article', 'micro_lecture', 'experiential')),
    material_id BIGINT REFERENCES materials (id),
    what TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX check_ins_member ON check_ins (member_id, day);
CREATE INDEX check_ins_unit ON check_ins (unit_id, day);

-- The question bank (题库). `options` is a JSON array of strings; `answer`
-- the canonical answer (see xueshi_domain::quiz); `fingerprint` the folded
-- stem, unique, so 繁體 and 简体 copies of one question collide.
CREATE TABLE questions (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'true_false', 'fill_in')),
    stem TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    difficulty BIGINT NOT NULL DEFAULT 2 CHECK (difficulty BETWEEN 1 AND 5),
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX questions_fingerprint ON questions (fingerprint);

-- One daily-quiz attempt per member per day; `answers` is a JSON object of
-- question id to the answer given.
CREATE TABLE quiz_attempts (
    member_id BIGINT NOT NULL REFERENCES members (id),
    day TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    questions TEXT NOT NULL,
    answers TEXT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, day)
);
CREATE INDEX quiz_attempts_unit ON quiz_attempts (unit_id, day);

-- Per-unit per-day study counters of the unit's whole subtree (itself
-- included), kept by every check-in and quiz attempt.
CREATE TABLE study_daily (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    quiz_takers BIGINT NOT NULL DEFAULT 0,
    quiz_correct BIGINT NOT NULL DEFAULT 0,
    quiz_questions BIGINT NOT NULL DEFAULT 0,
    check_ins BIGINT NOT NULL DEFAULT 0,
    study_minutes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
);

-- A member's run of consecutive quiz days (连续答题) and totals.
CREATE TABLE member_streaks (
    member_id BIGINT PRIMARY KEY REFERENCES members (id),
    last_day TEXT NOT NULL,
    current_run BIGINT NOT NULL,
    best_run BIGINT NOT NULL,
    quizzes BIGINT NOT NULL,
    correct BIGINT NOT NULL
);
