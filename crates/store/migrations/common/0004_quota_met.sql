-- How many members under a unit (its whole subtree) have met a quota in the
-- window starting on `window_from`, kept by every check-in that carries a
-- member across the quota's target, so compliance at a province's root is
-- one row rather than millions of check-ins.
CREATE TABLE quota_met (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    quota_id BIGINT NOT NULL REFERENCES quotas (id) ON DELETE CASCADE,
    window_from TEXT NOT NULL,
    met BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (quota_id, window_from, unit_id)
);
