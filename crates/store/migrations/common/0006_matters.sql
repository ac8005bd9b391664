-- Practical matters for the masses (我为群众办实事): the catalogue (实事目录)
-- with level, field and responsible unit; who claims them (领办 / 合领合办);
-- the history of every step of the loop 征集 → 立项 → 领办 → 推进 → 办结 →
-- 群众评价; the problems from the public that each takes up; and the
-- outcomes the reports count (帮办事务, 解决急难愁事项, 化解矛盾纠纷 …).

-- Fields (领域) are data: a campaign may add its own. A new installation's
-- root (and the demo) writes the defaults; a migration that wrote rows would
-- collide with a restored backup's.
CREATE TABLE matter_fields (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX matter_fields_name ON matter_fields (name);

-- `round` counts how often the matter was finished: ratings belong to a
-- round, so a reopened matter is rated afresh. Money is in fen (分).
CREATE TABLE matters (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    title_folded TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL CHECK (level IN ('province_key', 'city_key', 'district_key', 'general', 'unit_own')),
    field_id BIGINT NOT NULL REFERENCES matter_fields (id),
    status TEXT NOT NULL CHECK (status IN ('collected', 'approved', 'claimed', 'in_progress', 'done', 'dropped')),
    deadline TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    budget_fen BIGINT NOT NULL DEFAULT 0,
    progress BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    affairs BIGINT NOT NULL DEFAULT 0,
    problems_solved BIGINT NOT NULL DEFAULT 0,
    disputes BIGINT NOT NULL DEFAULT 0,
    people_served BIGINT NOT NULL DEFAULT 0,
    enterprises_served BIGINT NOT NULL DEFAULT 0,
    spent_fen BIGINT NOT NULL DEFAULT 0,
    round BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX matters_unit ON matters (unit_id, status);
CREATE INDEX matters_status ON matters (status, deadline);
CREATE INDEX matters_level ON matters (level, field_id, status);

-- Who takes part: one row per member and matter.
CREATE TABLE matter_claims (
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'join')),
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (matter_id, member_id)
);
CREATE INDEX matter_claims_member ON matter_claims (member_id, role);

-- Every step of a matter's loop, and every progress report, in order.
CREATE TABLE matter_events (
    id BIGINT PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    at BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    event TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    progress BIGINT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX matter_events_matter ON matter_events (matter_id, at);

-- The public's problems a matter takes up (made into it, or merged).
CREATE TABLE matter_problems (
    problem_id BIGINT PRIMARY KEY REFERENCES problems (id),
    matter_id BIGINT NOT NULL REFERENCES matters (id)
);
CREATE INDEX matter_problems_matter ON matter_problems (matter_id);

-- The public's verdicts on a finished matter (群众评价), one per voter and
-- round of finishing; `voter` is a keyed digest, never an address or name.
CREATE TABLE matter_ratings (
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    round BIGINT NOT NULL,
    voter TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('satisfied', 'fair', 'unsatisfied')),
    at BIGINT NOT NULL,
    PRIMARY KEY (matter_id, round, voter)
);
