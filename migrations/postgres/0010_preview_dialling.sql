-- Preview dialling: the agent a lead is given to, when, and their notes.
-- Keep in step with migrations/sqlite/0010_preview_dialling.sql.
ALTER TABLE campaign_leads ADD COLUMN agent_id BIGINT REFERENCES users (id);
ALTER TABLE campaign_leads ADD COLUMN dialled_at TIMESTAMPTZ;
ALTER TABLE campaign_leads ADD COLUMN notes TEXT;
CREATE INDEX campaign_leads_number ON campaign_leads (number, state);
