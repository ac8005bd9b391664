-- Rating codes (评价码): slips a unit prints and hands to the people a
-- matter served, with the matter's QR notice, when they raised no problem
-- through the window. A code rates once per round, counted with the
-- served. Only a keyed digest is kept: the printed slip is the code's one
-- copy.
CREATE TABLE matter_rating_codes (
    digest TEXT PRIMARY KEY,
    matter_id BIGINT NOT NULL REFERENCES matters (id),
    issued_at BIGINT NOT NULL,
    issued_by BIGINT
);
CREATE INDEX matter_rating_codes_matter ON matter_rating_codes (matter_id);
