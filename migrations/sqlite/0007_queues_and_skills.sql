-- Contact-centre queues managed through the API (beside those of dialplan
-- files), and agents' skills set by admins.
-- Keep in step with migrations/postgres/0007_queues_and_skills.sql.

-- A queue's settings are a JSON object with the keys of a dialplan's
-- [queue.NAME] table, checked by the same loader.
CREATE TABLE queues (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    settings   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- An agent's level (0 to 100) in a skill; skills-based queues need levels.
CREATE TABLE agent_skills (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill   TEXT NOT NULL,
    level   INTEGER NOT NULL CHECK (level BETWEEN 0 AND 100),
    PRIMARY KEY (user_id, skill)
);
