-- A material the office retires leaves the members' list but stays behind
-- the check-ins that name it.
ALTER TABLE materials ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
