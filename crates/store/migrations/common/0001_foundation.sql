-- The organisation tree, members, accounts, sessions, the audit log and the
-- campaign's organs. Portable SQL only: BIGINT, DOUBLE PRECISION, TEXT, BYTEA;
-- times are UTC epoch milliseconds, dates YYYY-MM-DD text, flags BIGINT 0/1.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES units (id),
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local_committee', 'party_committee', 'working_committee',
        'leading_party_group', 'organ_committee', 'general_branch', 'branch', 'party_group', 'temporary_branch')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX units_path ON units (path);
CREATE UNIQUE INDEX units_code ON units (code);
CREATE INDEX units_parent ON units (parent_id, sort_order, name_folded);

-- Counters for each unit's whole subtree, kept by every write.
CREATE TABLE unit_tallies (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    units_total BIGINT NOT NULL DEFAULT 0,
    units_grassroots BIGINT NOT NULL DEFAULT 0,
    kind_local_committee BIGINT NOT NULL DEFAULT 0,
    kind_party_committee BIGINT NOT NULL DEFAULT 0,
    kind_working_committee BIGINT NOT NULL DEFAULT 0,
    kind_leading_party_group BIGINT NOT NULL DEFAULT 0,
    kind_organ_committee BIGINT NOT NULL DEFAULT 0,
    kind_general_branch BIGINT NOT NULL DEFAULT 0,
    kind_branch BIGINT NOT NULL DEFAULT 0,
    kind_party_group BIGINT NOT NULL DEFAULT 0,
    kind_temporary_branch BIGINT NOT NULL DEFAULT 0,
    members_total BIGINT NOT NULL DEFAULT 0,
    members_formal BIGINT NOT NULL DEFAULT 0,
    members_probationary BIGINT NOT NULL DEFAULT 0,
    cadre_leader BIGINT NOT NULL DEFAULT 0,
    cadre_section BIGINT NOT NULL DEFAULT 0,
    cadre_ordinary BIGINT NOT NULL DEFAULT 0,
    gender_male BIGINT NOT NULL DEFAULT 0,
    gender_female BIGINT NOT NULL DEFAULT 0
);

-- Bigrams of folded unit names, for Chinese search on both databases.
CREATE TABLE unit_grams (
    gram TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, unit_id)
);
CREATE INDEX unit_grams_unit ON unit_grams (unit_id);

CREATE TABLE members (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date TEXT,
    join_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('formal', 'probationary')),
    cadre_level TEXT NOT NULL CHECK (cadre_level IN ('leader', 'section', 'ordinary')),
    position TEXT NOT NULL DEFAULT '',
    -- Personal numbers: the masked form in clear, the whole value sealed
    -- (XChaCha20-Poly1305), and a keyed digest of the ID number for duplicates.
    phone_masked TEXT,
    phone_sealed BYTEA,
    id_number_masked TEXT,
    id_number_sealed BYTEA,
    id_number_digest TEXT,
    left_at BIGINT,
    left_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX members_unit ON members (unit_id, name_folded);
CREATE INDEX members_name ON members (name_folded, id);
CREATE UNIQUE INDEX members_id_number ON members (id_number_digest) WHERE id_number_digest IS NOT NULL;

-- Keyed by a unique index rather than a primary key, so a bulk load into an
-- empty database can drop it and build it once at the end (dialect.rs).
CREATE TABLE member_grams (
    gram TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX member_grams_key ON member_grams (gram, member_id);
CREATE INDEX member_grams_member ON member_grams (member_id);

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system_admin', 'campaign_office', 'unit_admin', 'inspector', 'member')),
    scope_unit_id BIGINT NOT NULL REFERENCES units (id),
    member_id BIGINT REFERENCES members (id),
    can_unmask BIGINT NOT NULL DEFAULT 0 CHECK (can_unmask IN (0, 1)),
    locale TEXT NOT NULL DEFAULT 'zh-CN',
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_username ON accounts (username);
CREATE UNIQUE INDEX accounts_member ON accounts (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX accounts_scope ON accounts (scope_unit_id);

CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_timeout_ms BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only: no route deletes or changes a row; the dialect migrations add
-- triggers that refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_account_id BIGINT,
    actor_name TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    object_kind TEXT NOT NULL,
    object_id BIGINT,
    object_label TEXT NOT NULL,
    unit_id BIGINT,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_unit ON audit_log (unit_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_account_id, at);

CREATE TABLE organs (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    parent_id BIGINT REFERENCES organs (id),
    kind TEXT NOT NULL CHECK (kind IN ('leading_group', 'office', 'working_group', 'guidance_group',
        'lecture_team', 'lecture_subteam')),
    name TEXT NOT NULL,
    duties TEXT NOT NULL DEFAULT '',
    sort_order BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX organs_unit ON organs (unit_id, kind, sort_order);
CREATE INDEX organs_parent ON organs (parent_id, sort_order);

CREATE TABLE organ_people (
    id BIGINT PRIMARY KEY,
    organ_id BIGINT NOT NULL REFERENCES organs (id) ON DELETE CASCADE,
    member_id BIGINT REFERENCES members (id),
    name TEXT NOT NULL,
    post TEXT NOT NULL,
    affiliation TEXT NOT NULL DEFAULT '',
    sort_order BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX organ_people_organ ON organ_people (organ_id, sort_order);
CREATE UNIQUE INDEX organ_people_member ON organ_people (organ_id, member_id) WHERE member_id IS NOT NULL;

-- 分片包干: the units an organ covers.
CREATE TABLE organ_units (
    organ_id BIGINT NOT NULL REFERENCES organs (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (organ_id, unit_id)
);
CREATE INDEX organ_units_unit ON organ_units (unit_id);
