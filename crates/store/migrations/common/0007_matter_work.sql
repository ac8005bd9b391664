-- The working side of practical matters: how often leads report progress
-- (周报 / 月报) and when each matter last did, the photos a report carries,
-- and typical-case rounds (典型案例评选) with the public's votes; and the
-- indexes a server's watch for ended sessions reads.

-- Days between progress reports a campaign asks of its matters' leads;
-- a matter takes its campaign's cadence when it is put on the catalogue.
ALTER TABLE campaigns ADD COLUMN matter_report_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE matters ADD COLUMN report_days BIGINT NOT NULL DEFAULT 7;
-- When progress was last reported (or the matter was first led): a led
-- matter whose report is older than its cadence is behind on reporting.
ALTER TABLE matters ADD COLUMN reported_at BIGINT;
CREATE INDEX matters_deadline ON matters (deadline, status);
-- The public list shows the newest first by one filter or another: each of
-- these reads a page in order without sorting the whole catalogue.
CREATE INDEX matters_by_level ON matters (level, id);
CREATE INDEX matters_by_status ON matters (status, id);
CREATE INDEX matters_by_field ON matters (field_id, id);

-- Photos carried by a progress report, checked by their bytes.
CREATE TABLE matter_photos (
    id BIGINT PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    event_id BIGINT NOT NULL REFERENCES matter_events (id),
    photo BYTEA NOT NULL,
    photo_type TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX matter_photos_matter ON matter_photos (matter_id, event_id);

-- A typical-case round (典型案例评选): the office nominates finished matters
-- of its subtree; the public votes until `closes_at`.
CREATE TABLE case_rounds (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    closes_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_rounds_unit ON case_rounds (unit_id, created_at);

CREATE TABLE case_nominees (
    round_id BIGINT NOT NULL REFERENCES case_rounds (id),
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    blurb TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, matter_id)
);

-- One vote per voter and round; `voter` is a keyed digest of the browser's
-- token. Votes are counted from these rows, never from a kept total.
CREATE TABLE case_votes (
    round_id BIGINT NOT NULL REFERENCES case_rounds (id),
    voter TEXT NOT NULL,
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (round_id, voter)
);
CREATE INDEX case_votes_matter ON case_votes (round_id, matter_id);

-- Votes per round from one network address (a keyed digest): a browser
-- that throws its token away still votes from the same address, and an
-- address has a ceiling per round.
CREATE TABLE case_vote_sources (
    round_id BIGINT NOT NULL REFERENCES case_rounds (id),
    source TEXT NOT NULL,
    votes BIGINT NOT NULL,
    PRIMARY KEY (round_id, source)
);

-- A server reads, once a second, the sessions ended and the accounts changed
-- elsewhere (another process, the CLI), so its session cache need not
-- re-read a member's session on every request.
CREATE INDEX sessions_revoked ON sessions (revoked_at);
CREATE INDEX accounts_updated ON accounts (updated_at);
