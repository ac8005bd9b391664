-- Contests with recommendation and selection (红色故事大赛, 宣讲推荐评选):
-- units below the contest's unit submit entries; each level up the tree
-- admits at most `quota` of the entries standing at the units directly
-- below it (层层推荐); those admitted at the contest's unit are the
-- finalists, scored by judges; the results are published once.

-- `status`: open (entries until `entries_close`, then the recommendation
-- round), judging, published. Scores are kept in hundredths of a point.
CREATE TABLE contests (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('story', 'lecture')),
    entries_close TEXT NOT NULL,
    quota BIGINT NOT NULL CHECK (quota > 0),
    max_score BIGINT NOT NULL CHECK (max_score > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'judging', 'published')),
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX contests_unit ON contests (unit_id, created_at);

-- An entry: a file (PDF or Office document) or a web link. `at_unit_id` is
-- the highest level it has reached: its own unit until a level above
-- admits it.
CREATE TABLE contest_entries (
    id BIGINT PRIMARY KEY,
    contest_id BIGINT NOT NULL REFERENCES contests (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    at_unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    presenter TEXT NOT NULL,
    link TEXT,
    file_name TEXT,
    file_type TEXT,
    file_bytes BYTEA,
    submitted_by BIGINT,
    submitted_at BIGINT NOT NULL,
    CHECK ((link IS NULL) <> (file_bytes IS NULL))
);
CREATE INDEX contest_entries_contest ON contest_entries (contest_id, at_unit_id);
CREATE INDEX contest_entries_unit ON contest_entries (unit_id);

-- One step up: a level (`to_unit_id`) admitted the entry from the unit
-- directly below it.
CREATE TABLE contest_forwards (
    entry_id BIGINT NOT NULL REFERENCES contest_entries (id),
    from_unit_id BIGINT NOT NULL REFERENCES units (id),
    to_unit_id BIGINT NOT NULL REFERENCES units (id),
    contest_id BIGINT NOT NULL REFERENCES contests (id),
    forwarded_by BIGINT,
    forwarded_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, to_unit_id)
);
CREATE INDEX contest_forwards_level ON contest_forwards (contest_id, to_unit_id);

-- The judges (评委) the contest's unit named when judging began.
CREATE TABLE contest_judges (
    contest_id BIGINT NOT NULL REFERENCES contests (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (contest_id, account_id)
);

-- A judge's score of a finalist, in hundredths; a judge may change it
-- until the results are published.
CREATE TABLE contest_scores (
    entry_id BIGINT NOT NULL REFERENCES contest_entries (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    points BIGINT NOT NULL CHECK (points >= 0),
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, account_id)
);
