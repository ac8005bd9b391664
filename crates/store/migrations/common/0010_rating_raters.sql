-- Who rated a finished matter: the people it served (holders of the
-- tracking code of a problem it took up) or the wider public, counted apart;
-- only the served can send a matter back to work. `addr` is a keyed digest
-- of a public rater's network address, for the ceiling per matter and
-- address; empty for the served.
ALTER TABLE matter_ratings ADD COLUMN served BIGINT NOT NULL DEFAULT 0;
ALTER TABLE matter_ratings ADD COLUMN addr TEXT NOT NULL DEFAULT '';
CREATE INDEX matter_ratings_addr ON matter_ratings (matter_id, round, addr);
