-- PostgreSQL: byte-order collation on the columns range scans run over, so a
-- database created with a language collation still finds subtrees and name
-- prefixes by index; and the audit log refuses changes and deletions.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE units ALTER COLUMN name_folded TYPE TEXT COLLATE "C";
ALTER TABLE unit_grams ALTER COLUMN gram TYPE TEXT COLLATE "C";
ALTER TABLE members ALTER COLUMN name_folded TYPE TEXT COLLATE "C";
ALTER TABLE member_grams ALTER COLUMN gram TYPE TEXT COLLATE "C";

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
