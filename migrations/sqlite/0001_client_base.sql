-- The client base: users and rights, clients with phones, e-mails, addresses,
-- contact persons, attributes, classifier, interactions, tasks, audit log.
-- Keep in step with migrations/postgres/0001_client_base.sql.

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'marketer', 'manager', 'agent')),
    team_id       INTEGER REFERENCES teams (id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL
);
CREATE INDEX users_team ON users (team_id);

CREATE TABLE role_rights (
    role      TEXT NOT NULL,
    section   TEXT NOT NULL,
    can_read  BOOLEAN NOT NULL,
    can_write BOOLEAN NOT NULL,
    reach     TEXT NOT NULL CHECK (reach IN ('own', 'team', 'all')),
    PRIMARY KEY (role, section)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE clients (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('legal', 'individual')),
    name                TEXT NOT NULL,
    name_folded         TEXT NOT NULL,
    legal_name          TEXT,
    tax_id              TEXT,
    registration_number TEXT,
    bank_details        TEXT,
    status              TEXT,
    advertising_source  TEXT,
    responsible_id      INTEGER REFERENCES users (id),
    notes               TEXT,
    external_id         TEXT UNIQUE,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX clients_name ON clients (name_folded, id);
CREATE INDEX clients_created ON clients (created_at, id);
CREATE INDEX clients_responsible ON clients (responsible_id, name_folded, id);
CREATE INDEX clients_tax_id ON clients (tax_id);
CREATE INDEX clients_status ON clients (status);

CREATE TABLE client_addresses (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    position  INTEGER NOT NULL
);
CREATE INDEX client_addresses_client ON client_addresses (client_id);

CREATE TABLE contact_persons (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    position   TEXT,
    notes      TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX contact_persons_client ON contact_persons (client_id);

-- A phone belongs to a client, and to one of its contact persons when set.
CREATE TABLE phones (
    id                INTEGER PRIMARY KEY,
    client_id         INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    contact_person_id INTEGER REFERENCES contact_persons (id) ON DELETE CASCADE,
    number            TEXT NOT NULL,
    e164              TEXT NOT NULL,
    kind              TEXT,
    position          INTEGER NOT NULL
);
CREATE INDEX phones_e164 ON phones (e164);
CREATE INDEX phones_client ON phones (client_id);

CREATE TABLE emails (
    id                INTEGER PRIMARY KEY,
    client_id         INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    contact_person_id INTEGER REFERENCES contact_persons (id) ON DELETE CASCADE,
    address           TEXT NOT NULL,
    position          INTEGER NOT NULL
);
CREATE INDEX emails_address ON emails (address);
CREATE INDEX emails_client ON emails (client_id);

CREATE TABLE attribute_defs (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'boolean', 'choice')),
    choices    TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);

CREATE TABLE client_attributes (
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    attribute_id INTEGER NOT NULL REFERENCES attribute_defs (id) ON DELETE CASCADE,
    value        TEXT NOT NULL,
    PRIMARY KEY (client_id, attribute_id)
);
CREATE INDEX client_attributes_value ON client_attributes (attribute_id, value);

CREATE TABLE classifier_nodes (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES classifier_nodes (id),
    name      TEXT NOT NULL,
    path      TEXT NOT NULL
);
CREATE INDEX classifier_nodes_path ON classifier_nodes (path);
CREATE UNIQUE INDEX classifier_nodes_sibling_name ON classifier_nodes (COALESCE(parent_id, 0), name);

CREATE TABLE client_classifier (
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    node_id   INTEGER NOT NULL REFERENCES classifier_nodes (id) ON DELETE CASCADE,
    PRIMARY KEY (client_id, node_id)
);
CREATE INDEX client_classifier_node ON client_classifier (node_id, client_id);

CREATE TABLE interactions (
    id                 INTEGER PRIMARY KEY,
    client_id          INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    contact_person_id  INTEGER REFERENCES contact_persons (id) ON DELETE SET NULL,
    channel            TEXT NOT NULL,
    direction          TEXT NOT NULL,
    started_at         TEXT NOT NULL,
    duration_s         INTEGER NOT NULL,
    priority           TEXT NOT NULL,
    type               TEXT NOT NULL,
    state              TEXT NOT NULL,
    status             TEXT NOT NULL,
    advertising_source TEXT,
    responsible_id     INTEGER REFERENCES users (id),
    result             TEXT,
    notes              TEXT,
    created_by         INTEGER REFERENCES users (id),
    created_at         TEXT NOT NULL
);
CREATE INDEX interactions_client ON interactions (client_id, started_at, id);

CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER REFERENCES clients (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    notes          TEXT,
    due_at         TEXT NOT NULL,
    remind_at      TEXT,
    responsible_id INTEGER NOT NULL REFERENCES users (id),
    state          TEXT NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
    created_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL,
    completed_at   TEXT
);
CREATE INDEX tasks_responsible ON tasks (responsible_id, state, due_at);
CREATE INDEX tasks_client ON tasks (client_id, state, due_at);
CREATE INDEX tasks_due ON tasks (state, due_at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT NOT NULL,
    field     TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
