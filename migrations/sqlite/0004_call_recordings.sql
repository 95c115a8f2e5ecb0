-- A call's recording: its file under the recordings folder, and its length.
-- Keep in step with migrations/postgres/0004_call_recordings.sql.
ALTER TABLE call_records ADD COLUMN recording TEXT;
ALTER TABLE call_records ADD COLUMN recording_ms INTEGER;
