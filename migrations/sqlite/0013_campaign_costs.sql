-- What each campaign attempt is billed for: the seconds from the called
-- party's answer (a machine's too) to the hang-up; costs are these times the
-- campaign's rate per minute.
-- Keep in step with migrations/postgres/0013_campaign_costs.sql.
ALTER TABLE campaign_attempts ADD COLUMN billed_seconds INTEGER NOT NULL DEFAULT 0;
