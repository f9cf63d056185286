-- Roster schema for PostgreSQL, version 1: the same tables as the SQLite
-- store's migrations 0001 and 0002. Times are BIGINT unix nanoseconds in UTC
-- (timestamptz keeps only microseconds; the conformance suite checks
-- nanoseconds).

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    email_norm      TEXT NOT NULL UNIQUE,
    email_verified  BOOLEAN NOT NULL DEFAULT false,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    totp_secret     BYTEA,
    totp_enabled    BOOLEAN NOT NULL DEFAULT false,
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

-- change_seq orders changes across organizations for the change feed's
-- catch-up poll: every revision bump takes the next value.
CREATE SEQUENCE organization_changes;

CREATE TABLE organizations (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    owner_member_id      TEXT NOT NULL,
    billing_contact_id   TEXT NOT NULL DEFAULT '',
    enforced_auth        TEXT NOT NULL DEFAULT '',
    revision             BIGINT NOT NULL DEFAULT 0,
    change_seq           BIGINT NOT NULL DEFAULT nextval('organization_changes'),
    created_at           BIGINT NOT NULL
);
CREATE INDEX organizations_change_seq ON organizations(change_seq);

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
    agent_access    BOOLEAN NOT NULL DEFAULT false,
    accepted        BOOLEAN NOT NULL DEFAULT false,
    invited_by      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    last_active_at  BIGINT,
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
    created_at   BIGINT NOT NULL
);
CREATE INDEX clients_org_created ON clients(org_id, created_at, id);

CREATE TABLE member_clients (
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (member_id, client_id)
);
CREATE INDEX member_clients_client ON member_clients(client_id);

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_norm   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, name),
    UNIQUE (org_id, name_norm)
);

CREATE TABLE member_teams (
    member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, team_id)
);
CREATE INDEX member_teams_team ON member_teams(team_id);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    token_hash  BYTEA NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'cancelled', 'superseded')),
    expires_at  BIGINT NOT NULL,
    invited_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX invitations_member ON invitations(member_id, state);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    BYTEA NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE verification_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    used        BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    lockouts      INTEGER NOT NULL
);

CREATE TABLE audit_events (
    seq            BIGSERIAL PRIMARY KEY,  -- order of events with equal times
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
    time           BIGINT NOT NULL
);
CREATE INDEX audit_org_time ON audit_events(org_id, time DESC, seq DESC);

-- The audit log is append-only (SECURITY.md item 30): UPDATE, DELETE and
-- TRUNCATE are refused by the database itself.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    sent_at          BIGINT,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE custom_roles (
    org_id         TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    name_norm      TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    icon           TEXT NOT NULL DEFAULT '',
    permissions    TEXT NOT NULL,  -- JSON array of permission keys
    client_access  TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, key),
    UNIQUE (org_id, name_norm)
);
