-- Saved segments: named filters over the client base (the client list's
-- query parameters as a JSON object), that campaigns take leads from.
-- Keep in step with migrations/postgres/0014_segments.sql.
CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    filter     TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
