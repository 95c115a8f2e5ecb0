-- Preview dialling: the agent a lead is given to, when, and their notes;
-- a callback promised by an agent is theirs to make.
-- Keep in step with migrations/sqlite/0010_preview_dialling.sql.
ALTER TABLE campaign_leads ADD COLUMN agent_id BIGINT REFERENCES users (id);
ALTER TABLE campaign_leads ADD COLUMN dialled_at TIMESTAMPTZ;
ALTER TABLE campaign_leads ADD COLUMN notes TEXT;
ALTER TABLE campaign_leads ADD COLUMN callback_agent_id BIGINT REFERENCES users (id);
CREATE INDEX campaign_leads_number ON campaign_leads (number, state);
