-- Member sign-in (账号开通): an account made for a member starts with a
-- random password printed on a login slip (登录凭条). Until its holder
-- changes it, the password is kept sealed (the vault's cipher) so the slip
-- can be printed again, and sign-in compares against it; the first sign-in
-- must set a password of one's own. An administrator's reset to a password
-- they typed also obliges a change.
ALTER TABLE accounts ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN slip_sealed BYTEA;

-- Campaign set-up: the daily quiz's opening hours (minutes after midnight,
-- Beijing time; closes is exclusive) and who set the campaign up.
ALTER TABLE campaigns ADD COLUMN quiz_opens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN quiz_closes BIGINT NOT NULL DEFAULT 1440;
ALTER TABLE campaigns ADD COLUMN created_by BIGINT;

-- A campaign's phases (阶段: 动员部署、学习教育、总结评估 …), in order.
CREATE TABLE campaign_phases (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX campaign_phases_campaign ON campaign_phases (campaign_id, sort_order);
