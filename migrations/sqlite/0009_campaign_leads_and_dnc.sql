-- The numbers a campaign calls, and the do-not-call lists (global when
-- campaign_id is NULL, else the campaign's own).
-- Keep in step with migrations/postgres/0009_campaign_leads_and_dnc.sql.
CREATE TABLE campaign_leads (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    client_id    INTEGER REFERENCES clients (id) ON DELETE SET NULL,
    number       TEXT NOT NULL,
    priority     INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL CHECK (state IN ('waiting', 'dialling', 'closed')),
    closed_as    TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,
    last_outcome TEXT,
    result       TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (campaign_id, number)
);
CREATE INDEX campaign_leads_due ON campaign_leads (campaign_id, state, next_at);

CREATE TABLE dnc_numbers (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    e164        TEXT NOT NULL,
    reason      TEXT,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX dnc_global ON dnc_numbers (e164) WHERE campaign_id IS NULL;
CREATE UNIQUE INDEX dnc_campaign ON dnc_numbers (campaign_id, e164) WHERE campaign_id IS NOT NULL;
