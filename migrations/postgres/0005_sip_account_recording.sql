-- An extension whose calls are recorded, set by an admin.
-- Keep in step with migrations/sqlite/0005_sip_account_recording.sql.
ALTER TABLE sip_accounts ADD COLUMN record BOOLEAN NOT NULL DEFAULT FALSE;
