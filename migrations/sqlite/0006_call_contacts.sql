-- Every call is a contact: the call record names its queue, its times in the
-- queue, the outside party's number, the client that number belongs to (NULL
-- while it is an unknown caller) and the agent who answered, and keeps the
-- agent's wrap-up. The client's interaction for the call, and the callback
-- task of a missed call, point back to the record.
-- Keep in step with migrations/postgres/0006_call_contacts.sql.

ALTER TABLE call_records ADD COLUMN party_e164 TEXT;
ALTER TABLE call_records ADD COLUMN queue TEXT;
ALTER TABLE call_records ADD COLUMN queued_at TEXT;
ALTER TABLE call_records ADD COLUMN offered_at TEXT;
ALTER TABLE call_records ADD COLUMN client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL;
ALTER TABLE call_records ADD COLUMN agent_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE call_records ADD COLUMN result TEXT;
ALTER TABLE call_records ADD COLUMN notes TEXT;
ALTER TABLE call_records ADD COLUMN wrapped_up_at TEXT;
ALTER TABLE call_records ADD COLUMN wrapped_up_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX call_records_client ON call_records (client_id, arrived_at, id);
-- Unknown callers' calls, found again when a client gets their number.
CREATE INDEX call_records_unknown ON call_records (party_e164) WHERE client_id IS NULL;
CREATE INDEX call_records_queue ON call_records (queue, arrived_at);
CREATE INDEX call_records_agent ON call_records (agent_id, arrived_at);

ALTER TABLE interactions ADD COLUMN call_record_id INTEGER REFERENCES call_records (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX interactions_call ON interactions (call_record_id);

ALTER TABLE tasks ADD COLUMN call_record_id INTEGER REFERENCES call_records (id) ON DELETE SET NULL;
CREATE INDEX tasks_call ON tasks (call_record_id);
