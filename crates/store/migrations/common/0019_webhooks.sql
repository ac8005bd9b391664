-- Reminders where staff already are: a unit's group robot (企业微信 or 钉钉
-- 群机器人), off until the office switches it on. Messages about a unit's
-- subtree go to the robots of the units above it (and its own).
CREATE TABLE unit_webhooks (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id),
    url TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    -- The last day a digest of tasks due and overdue went out.
    digest_on TEXT,
    updated_at BIGINT NOT NULL
);

-- Messages waiting to go to a unit's robot, and what became of them: sent,
-- or given up after the last attempt; each failure's cause is kept.
CREATE TABLE webhook_outbox (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    sent_at BIGINT,
    failed_at BIGINT,
    last_error TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at);
CREATE INDEX webhook_outbox_unit ON webhook_outbox (unit_id, created_at);
