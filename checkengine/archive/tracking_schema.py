"""The tables of corrective actions and schedules (``checkengine actions``, ``checkengine
schedule``), in the two dialects: migration 4 of the store (:mod:`checkengine.archive.schema`).
Every table is append-only, enforced by the database like the archive's tables (the PostgreSQL
trigger function is migration 1's)."""

from __future__ import annotations

from checkengine.archive.ddl import append_only, statements

# -- corrective actions, evidence files, e-mail digests, schedule decisions (migration 3) ----------
# An action is a row of ``actions`` (what it is about, never changed) and the rows of
# ``action_events`` (what happened to it, in order: ``seq`` 1, 2, ... per action, unique, so that two
# people changing one action at once cannot both win); its state is derived from its events.
TRACKING_TABLES = ("actions", "action_events", "evidence_files", "digests_sent", "schedule_events")

_TRACKING = """
CREATE TABLE actions (
    id          {id},
    key         TEXT NOT NULL UNIQUE,   -- canonical JSON of [book, rule, site, employee]
    book        TEXT NOT NULL,
    rule        TEXT NOT NULL,
    site        TEXT,
    team        TEXT,
    employee    TEXT,
    zone        TEXT,                   -- the site's IANA time zone (overdue is judged on its clock)
    opened_at   TEXT NOT NULL
);
CREATE TABLE action_events (
    id          {id},
    action      {ref} NOT NULL REFERENCES actions(id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,          -- a person's id, or run:N for what an archived run did
    event       TEXT NOT NULL CHECK (event IN ('opened', 'assigned', 'started', 'done', 'verified',
                                               'rejected', 'reopened', 'failed_again', 'noted')),
    owner       TEXT,                   -- the person (or role) responsible from this event on
    owner_role  TEXT,
    due         TEXT,                   -- YYYY-MM-DD, in the site's calendar
    note        TEXT,
    files       TEXT,                   -- JSON list of evidence file digests
    run         {ref},
    record_id   TEXT,
    day         TEXT,
    details     TEXT                    -- JSON: how the due date and owner were found, ...
);
CREATE UNIQUE INDEX action_events_by_seq ON action_events(action, seq);
CREATE INDEX action_events_by_record ON action_events(record_id);
CREATE TABLE evidence_files (
    digest      TEXT PRIMARY KEY,       -- sha256:<hex> of the content
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    content     {blob} NOT NULL,
    stored_at   TEXT NOT NULL
);
CREATE TABLE digests_sent (
    id          {id},
    day         TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    actions     TEXT NOT NULL,          -- JSON list of the action ids in the digest
    UNIQUE (day, recipient)
);
CREATE TABLE schedule_events (
    id          {id},
    book        TEXT NOT NULL,
    schedule    TEXT NOT NULL,
    site        TEXT NOT NULL,
    subject     TEXT NOT NULL,          -- the employee of a per-person schedule, '' otherwise
    occurrence  TEXT NOT NULL,          -- the due day as the schedule first set it, YYYY-MM-DD
    event       TEXT NOT NULL CHECK (event IN ('excused', 'rescheduled')),
    new_due     TEXT,
    reason      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX schedule_events_by_site ON schedule_events(site, book, schedule)
"""


def tracking_statements(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        script = _TRACKING.format(id="INTEGER PRIMARY KEY", ref="INTEGER", blob="BLOB")
    else:
        script = _TRACKING.format(id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", ref="BIGINT",
                                  blob="BYTEA")
    return statements(script) + append_only(TRACKING_TABLES, dialect)
