-- Outbound campaigns: their settings as marketers set them (a JSON object,
-- checked by crm::campaigns before it is stored).
-- Keep in step with migrations/postgres/0008_campaigns.sql.
CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    settings   TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
