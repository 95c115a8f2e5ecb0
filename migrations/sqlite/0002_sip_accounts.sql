-- SIP accounts: the extensions desk phones and softphones register as. No
-- password is stored: only HA1 = H(extension:realm:password), lower-case hex,
-- for MD5 and for SHA-256 (RFC 8760).
-- Keep in step with migrations/postgres/0002_sip_accounts.sql.

CREATE TABLE sip_accounts (
    id           INTEGER PRIMARY KEY,
    extension    TEXT NOT NULL UNIQUE,
    display_name TEXT,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    ha1_md5      TEXT NOT NULL,
    ha1_sha256   TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX sip_accounts_user ON sip_accounts (user_id);
