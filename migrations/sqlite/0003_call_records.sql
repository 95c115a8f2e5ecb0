-- Call detail records: one row per finished call, as the B2BUA reports it.
-- call_id is the B2BUA's own id: unique, so a retried write stores nothing new.
-- Keep in step with migrations/postgres/0003_call_records.sql.

CREATE TABLE call_records (
    id              INTEGER PRIMARY KEY,
    call_id         TEXT NOT NULL UNIQUE,
    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    trunk           TEXT,
    caller          TEXT NOT NULL,
    caller_e164     TEXT,
    caller_name     TEXT,
    called          TEXT NOT NULL,
    original_called TEXT,
    answered_by     TEXT,
    dialplan_rule   TEXT,
    arrived_at      TEXT NOT NULL,
    answered_at     TEXT,
    ended_at        TEXT NOT NULL,
    outcome         TEXT NOT NULL
        CHECK (outcome IN ('answered', 'busy', 'no_answer', 'cancelled', 'rejected', 'failed', 'unavailable')),
    hangup_by       TEXT CHECK (hangup_by IN ('caller', 'callee', 'system')),
    sip_code        INTEGER,
    -- The legs rung, as a JSON array: read whole with the record, never queried.
    legs            TEXT NOT NULL
);
CREATE INDEX call_records_arrived ON call_records (arrived_at, id);
CREATE INDEX call_records_answered_by ON call_records (answered_by, arrived_at, id);
CREATE INDEX call_records_caller ON call_records (caller, arrived_at, id);
CREATE INDEX call_records_caller_e164 ON call_records (caller_e164, arrived_at, id);
