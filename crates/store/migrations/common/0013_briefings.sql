-- Briefings (简报) and the campaign's other periodic papers: an issue of a
-- kind for a unit's subtree and a span of days, numbered per unit and kind
-- (第N期). `content` holds the figures, the table of units and the lagging
-- list as generated (JSON); once published the row is never written again,
-- so later records do not alter what went out.
CREATE TABLE briefings (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('weekly', 'monthly_summary', 'monthly_notice', 'quarterly_review', 'year_end')),
    number BIGINT NOT NULL CHECK (number > 0),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    remarks TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'published')),
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    generated_at BIGINT NOT NULL,
    approved_at BIGINT,
    published_at BIGINT,
    UNIQUE (unit_id, kind, number)
);
