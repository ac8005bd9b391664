-- 专题组织生活会 and 专题民主生活会: what each unit records of its meeting —
-- when, how many attended out of how many members, the topics, and the
-- problems found in 查摆 with the rectification items (整改) they become.
CREATE TABLE meetings (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('organization_life', 'democratic_life')),
    held_on TEXT NOT NULL,
    attendance BIGINT NOT NULL CHECK (attendance >= 0),
    members BIGINT NOT NULL CHECK (members >= 0),
    topics TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX meetings_unit ON meetings (unit_id, kind, held_on);

CREATE TABLE meeting_items (
    id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    problem TEXT NOT NULL,
    measure TEXT NOT NULL,
    due_on TEXT,
    done_at BIGINT,
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id, sort_order);
