-- Campaigns are started, paused and stopped (new ones are stopped); each
-- call the dialler makes is kept as an attempt: when it was dialled,
-- answered by a person, taken by an agent and ended, and how it came out.
-- The abandon rate is counted from these.
-- Keep in step with migrations/postgres/0012_campaign_runs.sql.
ALTER TABLE campaigns ADD COLUMN state TEXT NOT NULL DEFAULT 'stopped'
    CHECK (state IN ('running', 'paused', 'stopped'));

CREATE TABLE campaign_attempts (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    lead_id      INTEGER REFERENCES campaign_leads (id) ON DELETE SET NULL,
    number       TEXT NOT NULL,
    dialled_at   TEXT NOT NULL,
    answered_at  TEXT,
    connected_at TEXT,
    ended_at     TEXT NOT NULL,
    agent_id     INTEGER REFERENCES users (id),
    outcome      TEXT NOT NULL
        CHECK (outcome IN ('answered', 'busy', 'no_answer', 'failed', 'abandoned', 'voicemail')),
    sip_code     INTEGER
);
CREATE INDEX campaign_attempts_dialled ON campaign_attempts (campaign_id, dialled_at);
