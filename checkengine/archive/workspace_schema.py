"""The auditor's workspace's tables (``checkengine serve``), in the two dialects: migration 3 of
the store (:mod:`checkengine.archive.schema`). Submissions, photos and the audit log are
append-only, enforced by the database like the archive's tables (the PostgreSQL trigger function
is migration 1's)."""

from __future__ import annotations

from checkengine.archive.ddl import append_only, statements

# -- the auditor's workspace (checkengine serve) ---------------------------------------------------
# Users and their sites change (a password, a role); inspections are assigned once; a submission
# and an audit-log entry are history: append-only like the archive's tables.
WORKSPACE_APPEND_ONLY = ("submissions", "audit_log", "photos", "photo_links", "signing_keys", "signed_forms")
ROLES = ("auditor", "site_manager", "policy_author", "administrator")

_WORKSPACE = """
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,          -- the record's site object (JSON): name, country, timezone, type
    added_at    TEXT NOT NULL
);
CREATE TABLE users (
    id          {id},
    username    TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ({roles})),
    password    TEXT NOT NULL,          -- an argon2id hash (argon2-cffi's encoded form)
    language    TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE TABLE user_sites (
    {user_col} NOT NULL REFERENCES users(id),
    site        TEXT NOT NULL REFERENCES sites(id),
    PRIMARY KEY ({user_name}, site)
);
CREATE TABLE inspections (
    id          {id},
    site        TEXT NOT NULL REFERENCES sites(id),
    rulebook    TEXT NOT NULL,          -- the rulebook's id (the server's rulebooks folder)
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,          -- JSON: employee, name, role, team
    due         TEXT NOT NULL,          -- YYYY-MM-DD
    assigned_to {ref} NOT NULL REFERENCES users(id),
    created_by  {ref} NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE TABLE submissions (
    id          {id},
    inspection  {ref} NOT NULL REFERENCES inspections(id),
    device_id   TEXT NOT NULL UNIQUE,   -- made where the form was filled: a resend is never a duplicate
    submitted_by {ref} NOT NULL REFERENCES users(id),
    submitted_at TEXT NOT NULL,
    language    TEXT NOT NULL,
    record      TEXT NOT NULL,          -- the record as evaluated (JSON)
    not_observed TEXT NOT NULL,         -- JSON list of the items the auditor marked not observed
    result      TEXT NOT NULL,          -- the engine's result (JSON)
    run         {ref} REFERENCES runs(id)
);
CREATE TABLE audit_log (
    id          {id},
    at          TEXT NOT NULL,
    {user_col} REFERENCES users(id),
    username    TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    address     TEXT,
    detail      TEXT                    -- JSON
);
CREATE TABLE photos (
    hash        TEXT PRIMARY KEY,       -- SHA-256 of the stored bytes: a photo is kept once
    media_type  TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    data        {blob} NOT NULL,        -- re-encoded by Pillow: no EXIF, no location
    added_at    TEXT NOT NULL
);
CREATE TABLE photo_links (
    id          {id},
    inspection  {ref} NOT NULL REFERENCES inspections(id),
    rule        TEXT NOT NULL,
    hash        TEXT NOT NULL REFERENCES photos(hash),
    {user_col} NOT NULL REFERENCES users(id),
    added_at    TEXT NOT NULL
);
CREATE TABLE signing_keys (
    id          {id},
    {user_col} NOT NULL REFERENCES users(id),
    p12         {blob} NOT NULL,        -- the PKCS#12 store as uploaded: encrypted by its password, never stored
    subject     TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE TABLE signed_forms (
    id          {id},
    inspection  {ref} NOT NULL REFERENCES inspections(id),
    role        TEXT NOT NULL CHECK (role IN ('inspector', 'manager')),
    pdf         {blob} NOT NULL,
    sha256      TEXT NOT NULL,
    {user_col} NOT NULL REFERENCES users(id),
    signed_at   TEXT NOT NULL
);
CREATE INDEX signed_forms_by_inspection ON signed_forms(inspection, id);
CREATE INDEX photo_links_by_inspection ON photo_links(inspection, id);
CREATE INDEX photo_links_by_hash ON photo_links(hash);
CREATE INDEX inspections_by_assignee ON inspections(assigned_to, id);
CREATE INDEX inspections_by_site ON inspections(site, id);
CREATE INDEX submissions_by_inspection ON submissions(inspection, id)
"""


def workspace_statements(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        words = {"id": "INTEGER PRIMARY KEY", "ref": "INTEGER", "user_col": '"user" INTEGER', "user_name": '"user"',
                 "blob": "BLOB"}
    else:
        words = {"id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "ref": "BIGINT",
                 "user_col": '"user" BIGINT', "user_name": '"user"', "blob": "BYTEA"}
    words["roles"] = ", ".join(f"'{r}'" for r in ROLES)
    return statements(_WORKSPACE.format(**words)) + append_only(WORKSPACE_APPEND_ONLY, dialect)
