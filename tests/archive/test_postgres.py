"""The PostgreSQL store against a real server: connection by URL or PG* variables, roles that may
only read, locks, other programs' databases, and failures told apart by SQLSTATE."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest

from checkengine.archive.schema import SCHEMA_VERSION
from checkengine.archive.postgres import MIGRATION_LOCK, explain
from checkengine.archive.schema import MIGRATIONS, SCHEMA_VERSION
from checkengine.archive.query import Filters, query_outcomes
from checkengine.archive.store import ArchiveError, open_archive, shown
from checkengine.errors import UserError

from storetest import raw_failure, raw_rows

psycopg = pytest.importorskip("psycopg")

Archived = Callable[..., tuple[int, Any]]


def test_truncate_is_refused_too(postgres: Any, archived: Archived, book_path: Path, stream: Path) -> None:
    url = postgres.new_database()
    archived(url, book_path, [stream])
    assert raw_failure(url, "TRUNCATE outcomes") == "the archive is append-only: rows of outcomes are never deleted"
    assert raw_rows(url, "SELECT count(*) > 0 FROM outcomes") == [(True,)]


def test_the_pg_environment_variables_name_the_server(postgres: Any, archived: Archived, book_path: Path,
                                                      stream: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = postgres.new_database()
    monkeypatch.setenv("PGHOST", str(postgres.root))
    monkeypatch.setenv("PGUSER", "checkengine")
    monkeypatch.setenv("PGDATABASE", urlsplit(url).path.lstrip("/"))
    run, tally = archived("postgresql://", book_path, [stream])
    assert (run, tally.records) == (1, 200)
    assert raw_rows(url, "SELECT count(*) FROM records") == [(200,)]


def test_unreachable_server_and_the_password_is_not_shown(tmp_path: Path) -> None:
    url = f"postgresql://auditor:s3cret@/archive?host={tmp_path}"
    with pytest.raises(ArchiveError) as caught:
        with open_archive(url, write=False):
            pass
    message = str(caught.value)
    assert "s3cret" not in message
    assert message.startswith(f"postgresql://auditor@/archive?host={tmp_path}: cannot connect to PostgreSQL (")
    assert message.endswith("); check the URL (or the PG* environment variables) and that the server runs and "
                            "accepts connections")


def test_no_such_database(postgres: Any) -> None:
    url = postgres.url("nowhere")
    with pytest.raises(ArchiveError) as caught:
        with open_archive(url, write=True):
            pass
    assert str(caught.value).startswith(f"{url}: ")
    assert 'database "nowhere" does not exist' in str(caught.value)


def test_an_empty_database_is_no_archive_to_read(postgres: Any) -> None:
    url = postgres.new_database()
    with pytest.raises(ArchiveError) as caught:
        with open_archive(url, write=False):
            pass
    assert str(caught.value) == (
        f"{url}: no archive there (the database is empty); make one with `checkengine archive add --db {url} "
        "--rulebook RULEBOOK RECORDS...`, or point --db (or CHECKENGINE_ARCHIVE) at an existing one")


def test_another_programs_database(postgres: Any) -> None:
    url = postgres.new_database()
    raw_rows(url, "CREATE TABLE invoices (id integer)")
    with pytest.raises(ArchiveError) as caught:
        with open_archive(url, write=True):
            pass
    assert str(caught.value) == (
        f"{url}: not a checkengine archive (a PostgreSQL database with tables of another program); give the URL "
        "of an archive made by `checkengine archive add`, or of an empty database (--db or CHECKENGINE_ARCHIVE)")
    assert raw_rows(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(1,)]


def test_a_role_that_may_only_read(postgres: Any, archived: Archived, book_path: Path, stream: Path) -> None:
    """Append-only by privileges as well: a reader's role has SELECT and nothing else."""
    url = postgres.new_database()
    archived(url, book_path, [stream])
    raw_rows(url, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'auditor') THEN "
                  "CREATE ROLE auditor LOGIN; END IF; END $$")
    raw_rows(url, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO auditor")
    reader = url.replace("checkengine@", "auditor@")
    with open_archive(reader, write=False) as archive:
        assert len(list(query_outcomes(archive, Filters(outcome="fail")))) > 0
    with pytest.raises(ArchiveError) as caught:
        archived(reader, book_path, [stream])
    assert str(caught.value) == (
        f"{reader}: cannot write the archive (permission denied for table rulebooks); use a role that may insert "
        "into the archive's tables (--db or CHECKENGINE_ARCHIVE)")
    assert raw_rows(url, "SELECT count(*) FROM runs") == [(1,)]


def test_a_reader_cannot_write(postgres: Any, archived: Archived, book_path: Path, stream: Path) -> None:
    url = postgres.new_database()
    archived(url, book_path, [stream])
    with open_archive(url, write=False) as archive:
        with pytest.raises(ArchiveError) as caught:
            archive.add_rulebook("x", "1", "digest", {})
    assert str(caught.value).startswith(f"{url}: cannot write the archive (cannot execute INSERT in a read-only "
                                        "transaction)")


def test_a_migration_in_progress_is_waited_for_then_reported(postgres: Any) -> None:
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        with pytest.raises(ArchiveError) as caught:
            with open_archive(url, write=True, busy_timeout=0.3):
                pass
    assert str(caught.value) == (
        f"{url}: the archive is locked by another writer (waited 0.3 s); wait for the other `checkengine archive "
        "add` to finish and run again, or raise --busy-timeout")
    with open_archive(url, write=True) as archive:  # the lock is gone with the session: now it is made
        assert archive.schema_version() == SCHEMA_VERSION


@pytest.mark.parametrize(("error", "expected"), [
    ("DiskFull", "the database server's disk is full; nothing of this run was archived"),
    ("TooManyConnections", "the database server is out of resources"),
    ("InsufficientPrivilege", "cannot write the archive"),
    ("ReadOnlySqlTransaction", "cannot write the archive"),
    ("LockNotAvailable", "the archive is locked by another writer"),
    ("SerializationFailure", "the run collided with another transaction"),
    ("DeadlockDetected", "the run collided with another transaction"),
    ("InvalidPassword", "PostgreSQL refused the login"),
    ("InvalidCatalogName", "no such database"),
    ("RestrictViolation", "the archive refused the change"),
    ("AdminShutdown", "the database server ended the session"),
    ("DataCorrupted", "the archive failed"),
])
def test_errors_are_told_apart_by_sqlstate(error: str, expected: str) -> None:
    """The message follows the SQLSTATE; the text (here the same for all) plays no part."""
    exc = getattr(psycopg.errors, error)("something happened")
    assert str(explain("pg", exc, busy_timeout=1.0)).startswith(f"pg: {expected}")


def test_urls_are_shown_without_passwords() -> None:
    assert shown("postgresql://a:b@host:5432/db?sslmode=require&password=x") == (
        "postgresql://a@host:5432/db?sslmode=require")
    assert shown("postgresql:///db?host=/run/postgresql") == "postgresql:///db?host=/run/postgresql"
    assert shown("postgresql://") == "postgresql://"


def test_a_writer_that_waited_for_a_migration_sees_its_tables(postgres: Any) -> None:
    """Two writers on a new database: the second waits for the first's migration, then finds the
    schema made (it must not try to make it again: "relation schema_version already exists")."""
    import threading

    from psycopg.rows import dict_row

    from checkengine.archive.postgres import PostgresStore

    url = postgres.new_database()
    outcome: dict[str, Any] = {}

    def second_writer() -> None:
        try:
            with open_archive(url, write=True, busy_timeout=60) as archive:
                outcome["version"], outcome["applied"] = archive.schema_version(), archive.applied
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            outcome["error"] = exc

    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as first:
        first.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        thread = threading.Thread(target=second_writer)
        thread.start()
        waiting = False
        for _ in range(600):  # until the second writer waits for the lock (not a timed assertion)
            row = first.execute("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                ).fetchone()
            if row and row["n"]:
                waiting = True
                break
            thread.join(0.05)
        assert waiting, outcome
        assert PostgresStore("first", first, 5.0).migrate() == [m.number for m in MIGRATIONS]
        first.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        thread.join(60)
    assert outcome == {"version": SCHEMA_VERSION, "applied": []}


def test_without_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(UserError) as caught:
        with open_archive("postgresql://auditor:s3cret@db.example/audit", write=False):
            pass
    assert str(caught.value) == ("postgresql://auditor@db.example/audit: a PostgreSQL archive needs the 'psycopg' "
                                 "package; install it with pip install 'checkengine[postgresql]'")
