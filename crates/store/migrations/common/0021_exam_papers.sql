-- Paper sittings (纸质考试): the paper a unit prints for those who sit
-- offline, drawn once per unit and round so that the marks entered
-- afterwards are counted against the questions that were printed.
CREATE TABLE exam_papers (
    exam_id BIGINT NOT NULL REFERENCES exams (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    round BIGINT NOT NULL CHECK (round IN (1, 2)),
    paper TEXT NOT NULL,
    drawn_by BIGINT,
    drawn_at BIGINT NOT NULL,
    PRIMARY KEY (exam_id, unit_id, round)
);
