-- Rankings (比学赶超): the office's rule for comparing the units of its
-- subtree among their peers. `terms` holds the weighted measures (JSON, as
-- the app checked them); `depth` is how many levels below `unit_id` the
-- peers stand, `peer_kind` narrows them to one kind of unit (else each kind
-- is ranked apart); the lowest `bottom` of each group make the 约谈 list.
-- The scores are computed from the records whenever the ranking is read.
CREATE TABLE rankings (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    depth BIGINT NOT NULL CHECK (depth BETWEEN 1 AND 6),
    peer_kind TEXT,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    terms TEXT NOT NULL,
    bottom BIGINT NOT NULL DEFAULT 0 CHECK (bottom BETWEEN 0 AND 50),
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX rankings_unit ON rankings (unit_id, created_at);
