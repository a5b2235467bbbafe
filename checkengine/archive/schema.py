"""The archive's tables: append-only, enforced by the database itself.

Each record is evaluated under one rulebook per run; ``book`` (the rulebook's id) is repeated on
records and outcomes because "the latest evaluation" is per record *and rulebook*: a new version
of a rulebook supersedes the old one's outcomes, another rulebook adds its own.

Every table has triggers that abort an UPDATE or a DELETE, so no tool - not even a hand-typed
``sqlite3`` session - can rewrite history without dropping the triggers first. A re-evaluation of
a record is a new row in a new run. Outcome rows repeat the record's site, team, employee and
dates: the queries filter on them without a join.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
# PRAGMA application_id: marks a SQLite file as a checkengine archive ("CHKA").
APPLICATION_ID = 0x43484B41

TABLES = ("schema_version", "rulebooks", "runs", "run_ends", "records", "outcomes", "errors")

DDL = """
CREATE TABLE schema_version (
    version     INTEGER NOT NULL,
    applied_at  TEXT NOT NULL,
    tool        TEXT NOT NULL
);
CREATE TABLE rulebooks (
    id          INTEGER PRIMARY KEY,
    rulebook_id TEXT NOT NULL,
    version     TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    merged      TEXT NOT NULL,          -- the merged rulebook (JSON): titles, sections, tags, actions
    archived_at TEXT NOT NULL
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    rulebook    INTEGER NOT NULL REFERENCES rulebooks(id),
    started_at  TEXT NOT NULL,
    language    TEXT NOT NULL,
    as_of       TEXT,
    inputs      TEXT NOT NULL,          -- JSON list of the paths given
    waivers     TEXT NOT NULL,          -- JSON list of the waivers applied
    tool        TEXT NOT NULL
);
CREATE TABLE run_ends (
    run         INTEGER PRIMARY KEY REFERENCES runs(id),
    finished_at TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('complete', 'interrupted')),
    records     INTEGER NOT NULL,
    errors      INTEGER NOT NULL,
    groups      INTEGER NOT NULL
);
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    run         INTEGER NOT NULL REFERENCES runs(id),
    book        TEXT NOT NULL,          -- the rulebook's id (as in rulebooks.rulebook_id)
    seq         INTEGER NOT NULL,
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    site        TEXT,
    team        TEXT,
    employee    TEXT,
    role        TEXT,
    timestamp   TEXT,
    day         TEXT,                   -- the record's date in its own time zone, YYYY-MM-DD
    month       TEXT,                   -- YYYY-MM
    week        TEXT,                   -- ISO week, YYYY-Www
    file        TEXT,
    line        INTEGER,
    score       REAL,
    passed      INTEGER,
    grade       TEXT,
    data        TEXT NOT NULL           -- the record as evaluated (JSON)
);
CREATE TABLE outcomes (
    id          INTEGER PRIMARY KEY,
    run         INTEGER NOT NULL REFERENCES runs(id),
    book        TEXT NOT NULL,
    record      INTEGER REFERENCES records(id),   -- NULL for an aggregate group
    group_key   TEXT,                             -- the group (canonical JSON) of an aggregate
    rule        TEXT NOT NULL,
    section     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    severity    TEXT NOT NULL,
    weight      REAL NOT NULL,
    site        TEXT,
    team        TEXT,
    employee    TEXT,
    day         TEXT,
    month       TEXT,
    week        TEXT,
    explanation TEXT NOT NULL,
    observed    TEXT,                   -- JSON
    expected    TEXT,                   -- JSON
    parameters  TEXT,                   -- JSON, NULL when no parameter was used
    waiver      TEXT,                   -- JSON, NULL without a waiver
    comment     TEXT,
    evidence    TEXT,                   -- JSON, NULL without evidence
    details     TEXT                    -- JSON, NULL when empty
);
CREATE TABLE errors (
    id          INTEGER PRIMARY KEY,
    run         INTEGER NOT NULL REFERENCES runs(id),
    seq         INTEGER NOT NULL,
    file        TEXT,
    line        INTEGER,
    "column"    INTEGER,
    path        TEXT,
    message     TEXT NOT NULL
);
CREATE INDEX records_by_record_id ON records(record_id, book, id);
CREATE INDEX records_by_site_month ON records(site, month);
CREATE INDEX records_by_site_week ON records(site, week);
CREATE INDEX outcomes_by_site_month ON outcomes(site, month, outcome);
CREATE INDEX outcomes_by_site_week ON outcomes(site, week, outcome);
CREATE INDEX outcomes_by_rule ON outcomes(rule, outcome);
CREATE INDEX outcomes_by_employee ON outcomes(employee, month);
CREATE INDEX outcomes_by_group ON outcomes(book, rule, group_key, id) WHERE group_key IS NOT NULL;
"""


def triggers() -> str:
    out = []
    for table in TABLES:
        for action in ("UPDATE", "DELETE"):
            verb = "changed" if action == "UPDATE" else "deleted"
            out.append(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, 'the archive is append-only: rows of {table} are never {verb}'); END;"
            )
    return "\n".join(out)
