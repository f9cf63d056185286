-- Roster schema, version 1. Times are INTEGER unix nanoseconds in UTC.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    email_norm      TEXT NOT NULL UNIQUE,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    totp_secret     BLOB,
    totp_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

CREATE TABLE organizations (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    owner_member_id      TEXT NOT NULL,
    billing_contact_id   TEXT NOT NULL DEFAULT '',
    enforced_auth        TEXT NOT NULL DEFAULT '',
    revision             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL
);

CREATE TABLE members (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         TEXT REFERENCES users(id),
    email           TEXT NOT NULL,
    email_norm      TEXT NOT NULL,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('invited', 'active', 'revoked')),
    client_mode     TEXT NOT NULL DEFAULT 'all',
    agent_access    INTEGER NOT NULL DEFAULT 0,
    accepted        INTEGER NOT NULL DEFAULT 0,
    invited_by      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_active_at  INTEGER,
    UNIQUE (org_id, email_norm)
);
CREATE UNIQUE INDEX members_org_user ON members(org_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX members_user ON members(user_id);
CREATE INDEX members_org_created ON members(org_id, created_at, id);

CREATE TABLE clients (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    external_id  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    created_at   INTEGER NOT NULL
);
CREATE INDEX clients_org_created ON clients(org_id, created_at, id);

CREATE TABLE member_clients (
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (member_id, client_id)
);

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE member_teams (
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, team_id)
);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    token_hash  BLOB NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'cancelled', 'superseded')),
    expires_at  INTEGER NOT NULL,
    invited_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX invitations_member ON invitations(member_id, state);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    BLOB NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE verification_tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    locked_until  INTEGER NOT NULL,
    lockouts      INTEGER NOT NULL
);

CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,  -- order of events with equal times
    id             TEXT NOT NULL UNIQUE,
    org_id         TEXT NOT NULL DEFAULT '',
    actor_user_id  TEXT NOT NULL DEFAULT '',
    actor_email    TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    target_type    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    member_id      TEXT NOT NULL DEFAULT '',
    before         TEXT NOT NULL,
    after          TEXT NOT NULL,
    ip             TEXT NOT NULL DEFAULT '',
    request_id     TEXT NOT NULL DEFAULT '',
    time           INTEGER NOT NULL
);
CREATE INDEX audit_org_time ON audit_events(org_id, time DESC, seq DESC);

-- The audit log is append-only (SECURITY.md item 30).
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    sent_at          INTEGER,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;
