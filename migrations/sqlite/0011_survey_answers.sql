-- The answers to a campaign's survey, kept on the client (and the lead).
-- Keep in step with migrations/postgres/0011_survey_answers.sql.
CREATE TABLE survey_answers (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    lead_id      INTEGER REFERENCES campaign_leads (id) ON DELETE SET NULL,
    client_id    INTEGER REFERENCES clients (id) ON DELETE CASCADE,
    agent_id     INTEGER REFERENCES users (id),
    question     TEXT NOT NULL,
    answer       TEXT NOT NULL,
    answered_at  TEXT NOT NULL
);
CREATE INDEX survey_answers_client ON survey_answers (client_id, answered_at);
