-- Indexes no query reads, dropped because every quiz submission paid for
-- them with a write at a random place in a large tree.
--
-- audit_log_actor: the audit view filters by actor name, never by account
-- id; the entries stay, with the account id in each.
DROP INDEX audit_log_actor;
-- quiz_attempts_unit: a unit's attempts are reached through its members
-- (members by unit, then the attempt by member and day); the recount reads
-- every attempt anyway.
DROP INDEX quiz_attempts_unit;
