-- The task list (任务清单): what a unit's campaign office asks of the units
-- below it, pushed down as one assignment per target unit.

-- Kinds of task are data: the 规定动作 of the reports (六重抓) and the
-- 自选动作 any unit may add for its own subtree. A new tree gets the
-- defaults (`domain::task::DEFAULT_KINDS`) with its root, as rows the
-- installation owns (a migration's rows would clash with a restore).
CREATE TABLE task_kinds (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mandated BIGINT NOT NULL DEFAULT 1 CHECK (mandated IN (0, 1)),
    sort_order BIGINT NOT NULL DEFAULT 0
);

-- A task: set by `unit_id` for the units of `target_unit_id`'s subtree
-- (that unit included) whose kind is in `target_kinds` (comma-separated;
-- empty: every kind), led by `lead_unit_id` with `co_units` (comma-separated
-- ids) and the working group `organ_id`; completed by evidence of
-- `evidence` (text, photo, file, attendance, link). Draft until published;
-- published tasks are fixed.
CREATE TABLE tasks (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL REFERENCES task_kinds (code),
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    lead_unit_id BIGINT REFERENCES units (id),
    co_units TEXT NOT NULL DEFAULT '',
    organ_id BIGINT REFERENCES organs (id),
    deadline TEXT NOT NULL,
    target_unit_id BIGINT NOT NULL REFERENCES units (id),
    target_kinds TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL CHECK (evidence IN ('text', 'photo', 'file', 'attendance', 'link')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at BIGINT,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX tasks_unit ON tasks (unit_id, deadline);
CREATE INDEX tasks_target ON tasks (status, target_unit_id);

-- One target unit's share of a task. `due_on` is its deadline, moved by
-- extensions (延期, counted in `extensions`); `status` open, done, or
-- returned (退回, open again with the office's reason).
CREATE TABLE task_assignments (
    id BIGINT PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'returned')),
    extensions BIGINT NOT NULL DEFAULT 0,
    done_at BIGINT,
    late BIGINT NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    note TEXT NOT NULL DEFAULT '',
    attendance BIGINT,
    link TEXT,
    file_name TEXT,
    file_type TEXT,
    file_bytes BYTEA,
    reported_by BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX task_assignments_unit ON task_assignments (unit_id, task_id);
CREATE INDEX task_assignments_task ON task_assignments (task_id, status);

-- What happened to a task or one of its assignments: reports, returns with
-- their reason, extensions with theirs, a leader's comments (批示).
CREATE TABLE task_events (
    id BIGINT PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    assignment_id BIGINT REFERENCES task_assignments (id),
    kind TEXT NOT NULL CHECK (kind IN ('report', 'return', 'extend', 'comment')),
    body TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    account_id BIGINT,
    actor_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX task_events_task ON task_events (task_id, created_at);
CREATE INDEX task_events_assignment ON task_events (assignment_id, created_at);

-- Leaders following a task (关注).
CREATE TABLE task_follows (
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (task_id, account_id)
);

-- Completion counters over each unit's whole subtree, per task and
-- deadline: assignments, those done, those done after their deadline.
-- Kept by every write; overdue = assigned − done over deadlines past.
CREATE TABLE task_tally (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    due_on TEXT NOT NULL,
    assigned BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    late BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, task_id, due_on)
);
