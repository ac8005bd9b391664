-- The implementation plan (实施方案) of a campaign and the rhythm the office
-- keeps (一周一调度、一周一简报、一月一小结、每月一调度一通报、每季一推进一点评、
-- 年终一总评一约谈).

-- A plan of a campaign, for an audience (全体党员, 青少年, 大学生 …).
CREATE TABLE plans (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    title TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX plans_campaign ON plans (campaign_id);

-- A version (第N稿) of a plan: a draft is edited; in consultation (征求意见)
-- it is fixed and the consulted units comment on it; closed when a later
-- version is drafted; published once, after which the plan takes nothing.
CREATE TABLE plan_versions (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    number BIGINT NOT NULL CHECK (number > 0),
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'consultation', 'closed', 'published')),
    consult_until TEXT,
    created_at BIGINT NOT NULL,
    consulted_at BIGINT,
    published_at BIGINT,
    UNIQUE (plan_id, number)
);

-- The units a version was sent to for comment.
CREATE TABLE plan_consultees (
    version_id BIGINT NOT NULL REFERENCES plan_versions (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (version_id, unit_id)
);

-- A consulted unit's comment on a version, and the office's answer:
-- adopted (采纳), partly (部分采纳) or not (未采纳), with the reason.
CREATE TABLE plan_comments (
    id BIGINT PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES plan_versions (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    body TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    answer TEXT CHECK (answer IN ('adopted', 'partly', 'not')),
    reason TEXT,
    answered_at BIGINT
);
CREATE INDEX plan_comments_version ON plan_comments (version_id, created_at);

-- A recurring duty of a campaign's office: `day` is the weekday (1 Monday …
-- 7 Sunday) of a weekly one, the day of the month of a monthly or quarterly
-- one (the quarter's last month), the day of December of the year-end one.
CREATE TABLE rhythm_schedules (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    kind TEXT NOT NULL CHECK (kind IN ('weekly_dispatch', 'weekly_briefing', 'monthly_summary',
        'monthly_dispatch', 'monthly_notice', 'quarterly_review', 'year_end')),
    day BIGINT NOT NULL CHECK (day BETWEEN 1 AND 31),
    PRIMARY KEY (campaign_id, kind)
);

-- One due occurrence of a schedule, generated ahead to the campaign's end.
-- It is met by the issue generated for it (`briefing_id`), by a dispatch
-- meeting recorded against it (`dispatches.occurrence_id`), and for the
-- year-end one also by the ranking that gives the 约谈 list.
CREATE TABLE rhythm_occurrences (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    briefing_id BIGINT REFERENCES briefings (id),
    ranking_id BIGINT REFERENCES rankings (id),
    done_at BIGINT,
    UNIQUE (campaign_id, kind, due_on)
);
CREATE INDEX rhythm_occurrences_due ON rhythm_occurrences (campaign_id, due_on);

-- A dispatch meeting (调度会): when, who chaired, who attended, the figures
-- reviewed as they stood (JSON, the catalogue's lines), and its decisions.
CREATE TABLE dispatches (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    occurrence_id BIGINT REFERENCES rhythm_occurrences (id),
    held_on TEXT NOT NULL,
    chair TEXT NOT NULL,
    attendees TEXT NOT NULL,
    figures TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX dispatches_campaign ON dispatches (campaign_id, held_on);

-- A decision of a dispatch meeting: what, which unit owns it, by when, and
-- the task it became.
CREATE TABLE dispatch_decisions (
    id BIGINT PRIMARY KEY,
    dispatch_id BIGINT NOT NULL REFERENCES dispatches (id),
    body TEXT NOT NULL,
    owner_unit_id BIGINT NOT NULL REFERENCES units (id),
    due_on TEXT NOT NULL,
    task_id BIGINT REFERENCES tasks (id),
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX dispatch_decisions_dispatch ON dispatch_decisions (dispatch_id, sort_order);
