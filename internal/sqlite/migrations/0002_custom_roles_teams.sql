-- Custom roles (R9) and case-insensitive team names.

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
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, key),
    UNIQUE (org_id, name_norm)
);

-- No release created teams before this version, so every row can take its
-- normalized name from the application from now on.
ALTER TABLE teams ADD COLUMN name_norm TEXT NOT NULL DEFAULT '';
UPDATE teams SET name_norm = id WHERE name_norm = '';
CREATE UNIQUE INDEX teams_org_name_norm ON teams(org_id, name_norm);
