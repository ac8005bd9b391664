-- Live knowledge competitions (现场竞答): teams, the day's questions in
-- rounds, the host's pace, every buzz with its timing, and every
-- judgement (undone ones kept, marked).

-- `phase`: lobby (before the first question), shown (a question on the
-- screens, locked), open (buzzing unlocked from `unlock_at`, server ms),
-- revealed (its answer shown); `paused` freezes the pace; `state` ready,
-- running or finished.
CREATE TABLE competitions (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    seats_per_team BIGINT NOT NULL CHECK (seats_per_team BETWEEN 1 AND 20),
    answer_seconds BIGINT NOT NULL CHECK (answer_seconds BETWEEN 5 AND 300),
    state TEXT NOT NULL CHECK (state IN ('ready', 'running', 'finished')),
    position BIGINT NOT NULL DEFAULT 0,
    phase TEXT NOT NULL DEFAULT 'lobby' CHECK (phase IN ('lobby', 'shown', 'open', 'revealed')),
    unlock_at BIGINT,
    paused BIGINT NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX competitions_unit ON competitions (unit_id, held_on);

-- A team: a unit or a named group, joined by its own code.
CREATE TABLE competition_teams (
    id BIGINT PRIMARY KEY,
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    join_code TEXT NOT NULL UNIQUE,
    UNIQUE (competition_id, name)
);
CREATE INDEX competition_teams_of ON competition_teams (competition_id, position);

-- A phone seated with a team: the hash of the token its cookie carries.
CREATE TABLE competition_seats (
    token_hash TEXT PRIMARY KEY,
    team_id BIGINT NOT NULL REFERENCES competition_teams (id),
    joined_at BIGINT NOT NULL
);
CREATE INDEX competition_seats_team ON competition_seats (team_id);

-- The questions in the order they are played: round kind required (必答,
-- `team_id` answers), buzz (抢答) or risk (风险题); from the bank
-- (`question_id`) or entered for the day, copied here either way so the
-- record stays as played.
CREATE TABLE competition_questions (
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    position BIGINT NOT NULL,
    round_kind TEXT NOT NULL CHECK (round_kind IN ('required', 'buzz', 'risk')),
    question_id BIGINT,
    stem TEXT NOT NULL,
    options TEXT NOT NULL,
    answer TEXT NOT NULL,
    points BIGINT NOT NULL,
    team_id BIGINT REFERENCES competition_teams (id),
    PRIMARY KEY (competition_id, position)
);

-- A team's buzz on a question (one per team and question): when it
-- arrived, what the phone said (its clock, its reaction since its unlock),
-- the phone's measured offset and round trip, the press time the server
-- estimated and on what basis (corrected, or arrival when implausible),
-- and whether it came before the unlock (the team is frozen).
CREATE TABLE competition_buzzes (
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    position BIGINT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES competition_teams (id),
    arrived_at BIGINT NOT NULL,
    arrival_seq BIGINT NOT NULL,
    client_at BIGINT NOT NULL,
    reaction_ms BIGINT NOT NULL,
    offset_ms BIGINT NOT NULL,
    rtt_ms BIGINT NOT NULL,
    pressed_at BIGINT NOT NULL,
    basis TEXT NOT NULL CHECK (basis IN ('corrected', 'arrival', 'early')),
    PRIMARY KEY (competition_id, position, team_id)
);

-- The host's judgement of a team's answer, with the points it moved (a
-- risk question's stake); an undone one keeps its row.
CREATE TABLE competition_judgements (
    id BIGINT PRIMARY KEY,
    competition_id BIGINT NOT NULL REFERENCES competitions (id),
    position BIGINT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES competition_teams (id),
    correct BIGINT NOT NULL CHECK (correct IN (0, 1)),
    points BIGINT NOT NULL,
    judged_by BIGINT,
    judged_at BIGINT NOT NULL,
    undone_at BIGINT
);
CREATE INDEX competition_judgements_of ON competition_judgements (competition_id, position);
