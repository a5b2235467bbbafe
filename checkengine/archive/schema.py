"""The archive's tables, in the two dialects, as numbered migrations: append-only, enforced by the
database itself.

Each record is evaluated under one rulebook per run; ``book`` (the rulebook's id) is repeated on
records and outcomes because "the latest evaluation" is per record *and rulebook*: a new version
of a rulebook supersedes the old one's outcomes, another rulebook adds its own.

Every table has triggers that abort an UPDATE or a DELETE (and, in PostgreSQL, a TRUNCATE), so no
tool - not even a hand-typed ``sqlite3`` or ``psql`` session - can rewrite history without
dropping the triggers first. A re-evaluation of a record is a new row in a new run. Outcome rows
repeat the record's site, team, employee and dates: the queries filter on them without a join.
Ids are the database's: SQLite's rowid, PostgreSQL's identity columns.

A migration is applied once, in a transaction, and recorded in ``schema_version``; an archive is
never rewritten by one (every migration only adds tables, indices or triggers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from checkengine.archive.ddl import statements, verb
from checkengine.archive.people import people_statements
from checkengine.archive.review_schema import review_statements
from checkengine.archive.tracking_schema import TRACKING_TABLES, tracking_statements
from checkengine.archive.workspace_schema import ROLES, WORKSPACE_APPEND_ONLY, workspace_statements

Dialect = Literal["sqlite", "postgresql"]

# PRAGMA application_id: marks a SQLite file as a checkengine archive ("CHKA").
APPLICATION_ID = 0x43484B41

TABLES = ("schema_version", "rulebooks", "runs", "run_ends", "records", "outcomes", "errors")

RECORD_COLUMNS = ("run", "book", "seq", "record_id", "kind", "site", "team", "employee", "role", "timestamp",
                  "day", "month", "week", "file", "line", "score", "passed", "grade", "data")
OUTCOME_COLUMNS = ("run", "book", "record", "group_key", "rule", "section", "outcome", "severity", "weight",
                   "site", "team", "employee", "day", "month", "week", "explanation", "observed", "expected",
                   "parameters", "waiver", "comment", "evidence", "details")
ERROR_COLUMNS = ("run", "seq", "file", "line", '"column"', "path", "message")

_SQLITE_TABLES = """
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
)
"""

# The same tables in PostgreSQL: identity columns, 64-bit ids, double precision for the scores.
_POSTGRESQL_TABLES = """
CREATE TABLE schema_version (
    version     INTEGER NOT NULL PRIMARY KEY,
    applied_at  TEXT NOT NULL,
    tool        TEXT NOT NULL
);
CREATE TABLE rulebooks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rulebook_id TEXT NOT NULL,
    version     TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    merged      TEXT NOT NULL,
    archived_at TEXT NOT NULL
);
CREATE TABLE runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rulebook    BIGINT NOT NULL REFERENCES rulebooks(id),
    started_at  TEXT NOT NULL,
    language    TEXT NOT NULL,
    as_of       TEXT,
    inputs      TEXT NOT NULL,
    waivers     TEXT NOT NULL,
    tool        TEXT NOT NULL
);
CREATE TABLE run_ends (
    run         BIGINT PRIMARY KEY REFERENCES runs(id),
    finished_at TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('complete', 'interrupted')),
    records     BIGINT NOT NULL,
    errors      BIGINT NOT NULL,
    groups      BIGINT NOT NULL
);
CREATE TABLE records (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run         BIGINT NOT NULL REFERENCES runs(id),
    book        TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    site        TEXT,
    team        TEXT,
    employee    TEXT,
    role        TEXT,
    timestamp   TEXT,
    day         TEXT,
    month       TEXT,
    week        TEXT,
    file        TEXT,
    line        BIGINT,
    score       DOUBLE PRECISION,
    passed      INTEGER,
    grade       TEXT,
    data        TEXT NOT NULL
);
CREATE TABLE outcomes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run         BIGINT NOT NULL REFERENCES runs(id),
    book        TEXT NOT NULL,
    record      BIGINT REFERENCES records(id),
    group_key   TEXT,
    rule        TEXT NOT NULL,
    section     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    severity    TEXT NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    site        TEXT,
    team        TEXT,
    employee    TEXT,
    day         TEXT,
    month       TEXT,
    week        TEXT,
    explanation TEXT NOT NULL,
    observed    TEXT,
    expected    TEXT,
    parameters  TEXT,
    waiver      TEXT,
    comment     TEXT,
    evidence    TEXT,
    details     TEXT
);
CREATE TABLE errors (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run         BIGINT NOT NULL REFERENCES runs(id),
    seq         BIGINT NOT NULL,
    file        TEXT,
    line        BIGINT,
    "column"    BIGINT,
    path        TEXT,
    message     TEXT NOT NULL
)
"""

_INDICES = """
CREATE INDEX records_by_record_id ON records(record_id, book, id);
CREATE INDEX records_by_site_month ON records(site, month);
CREATE INDEX records_by_site_week ON records(site, week);
CREATE INDEX outcomes_by_site_month ON outcomes(site, month, outcome);
CREATE INDEX outcomes_by_site_week ON outcomes(site, week, outcome);
CREATE INDEX outcomes_by_rule ON outcomes(rule, outcome);
CREATE INDEX outcomes_by_employee ON outcomes(employee, month);
CREATE INDEX outcomes_by_group ON outcomes(book, rule, group_key, id) WHERE group_key IS NOT NULL
"""


def sqlite_triggers() -> tuple[str, ...]:
    return tuple(
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'the archive is append-only: rows of {table} are never {verb(action)}'); END"
        for table in TABLES for action in ("UPDATE", "DELETE")
    )


APPEND_ONLY_SQLSTATE = "23001"  # restrict_violation: what a refused UPDATE, DELETE or TRUNCATE raises

POSTGRESQL_APPEND_ONLY = f"""CREATE FUNCTION checkengine_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the archive is append-only: rows of % are never %', TG_TABLE_NAME,
        CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END
        USING ERRCODE = '{APPEND_ONLY_SQLSTATE}';
END
$fn$"""


def postgresql_triggers() -> tuple[str, ...]:
    out = [POSTGRESQL_APPEND_ONLY]
    for table in TABLES:
        out.append(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION checkengine_append_only()")
        out.append(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION checkengine_append_only()")
    return tuple(out)


@dataclass(frozen=True)
class Migration:
    """One step of the schema, in both dialects (each a sequence of statements)."""

    number: int
    title: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        return self.sqlite if dialect == "sqlite" else self.postgresql


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "tables, indices and append-only triggers",
              statements(_SQLITE_TABLES) + statements(_INDICES) + sqlite_triggers()
              + (f"PRAGMA application_id = {APPLICATION_ID}",),
              statements(_POSTGRESQL_TABLES) + statements(_INDICES) + postgresql_triggers()),
    # A chunk's records are inserted in bulk and their ids (the database's) read back by position;
    # the index also makes a record archived twice in one run impossible.
    Migration(2, "records unique by run and position",
              ("CREATE UNIQUE INDEX records_by_run_seq ON records(run, seq)",),
              ("CREATE UNIQUE INDEX records_by_run_seq ON records(run, seq)",)),
    Migration(3, "the auditor's workspace: sites, users, inspections, submissions, photos, audit log",
              workspace_statements("sqlite"), workspace_statements("postgresql")),
    Migration(4, "corrective actions, evidence files, digests sent and schedule decisions (append-only)",
              tracking_statements("sqlite"), tracking_statements("postgresql")),
    Migration(5, "the site manager's review: signed forms by submission, reviews (append-only)",
              review_statements("sqlite"), review_statements("postgresql")),
    Migration(6, "who a workspace user is in the records: person id and owner roles (append-only)",
              people_statements("sqlite"), people_statements("postgresql")),
)
SCHEMA_VERSION = MIGRATIONS[-1].number

__all__ = ["APPLICATION_ID", "MIGRATIONS", "ROLES", "SCHEMA_VERSION", "TABLES", "TRACKING_TABLES",
           "WORKSPACE_APPEND_ONLY", "Dialect", "Migration"]
