"""The SQLite store: WAL, the file's marks, and every way opening or writing a file can fail, each
told apart by SQLite's result code."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from checkengine.archive import sqlite as sqlite_store
from checkengine.archive.query import Filters, query_outcomes
from checkengine.archive.schema import APPLICATION_ID
from checkengine.archive.store import ArchiveError, open_archive

from storetest import raw_rows

Archived = Callable[..., tuple[int, Any]]


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    return raw_rows(str(db), sql)


def test_new_archive_is_a_marked_wal_file(tmp_path: Path, archived: Archived, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archived(str(db), book_path, [stream])
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db, "PRAGMA application_id") == [(APPLICATION_ID,)]
    indices = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"outcomes_by_site_month", "outcomes_by_rule", "records_by_record_id", "records_by_run_seq"} <= indices


def test_corrupt_archive(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    db.write_bytes(b"this is not a database, just some bytes\n" * 200)
    with pytest.raises(ArchiveError) as caught:
        with open_archive(db, write=False):
            pass
    assert str(caught.value) == (
        f"{db}: not a readable checkengine archive (file is not a database); the file is damaged or is "
        "something else: restore it from a backup, or use another archive (--db or CHECKENGINE_ARCHIVE)"
    )


def test_truncated_archive(tmp_path: Path, archived: Archived, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archived(str(db), book_path, [stream])
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    with pytest.raises(ArchiveError) as caught:
        with open_archive(db, write=False) as archive:
            list(query_outcomes(archive, Filters()))
    assert str(caught.value) == (
        f"{db}: not a readable checkengine archive (database disk image is malformed); the file is damaged "
        "or is something else: restore it from a backup, or use another archive (--db or CHECKENGINE_ARCHIVE)"
    )


def test_another_programs_database(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.close()
    with pytest.raises(ArchiveError) as caught:
        with open_archive(db, write=True):
            pass
    assert str(caught.value) == (
        f"{db}: not a checkengine archive (a SQLite database of another program); give the path of an "
        "archive made by `checkengine archive add`, or a new file name (--db or CHECKENGINE_ARCHIVE)"
    )


def test_missing_archive(tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite"
    with pytest.raises(ArchiveError) as caught:
        with open_archive(db, write=False):
            pass
    assert str(caught.value) == (
        f"{db}: no archive there; make one with `checkengine archive add --db {db} --rulebook RULEBOOK "
        "RECORDS...`, or point --db (or CHECKENGINE_ARCHIVE) at an existing one"
    )


def test_second_writer_is_told_the_archive_is_locked(tmp_path: Path, archived: Archived, book_path: Path,
                                                     stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archived(str(db), book_path, [stream])
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the first writer, mid-run
    try:
        started = time.monotonic()
        with pytest.raises(ArchiveError) as caught:
            archived(str(db), book_path, [stream], busy_timeout=0.3)
        assert time.monotonic() - started < 3
        # A reader is not blocked by the writer (WAL).
        with open_archive(db, write=False) as archive:
            assert len(list(query_outcomes(archive, Filters(rule="DRS-01-uniform")))) > 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert str(caught.value) == (
        f"{db}: the archive is locked by another writer (waited 0.3 s); wait for the other `checkengine "
        "archive add` to finish and run again, or raise --busy-timeout"
    )
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]


def test_full_disk_leaves_the_archive_as_it_was(tmp_path: Path, archived: Archived, book_path: Path, stream: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.sqlite"
    archived(str(db), book_path, [stream])
    before = rows(db, "SELECT count(*) FROM records")
    pages = rows(db, "PRAGMA page_count")[0][0]
    connect = sqlite_store._connect

    def cramped(path: Path, busy_timeout: float, *, readonly: bool) -> sqlite3.Connection:
        con = connect(path, busy_timeout, readonly=readonly)
        con.execute(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up a few pages later
        return con

    monkeypatch.setattr(sqlite_store, "_connect", cramped)
    with pytest.raises(ArchiveError) as caught:
        archived(str(db), book_path, [stream])
    assert str(caught.value) == (
        f"{db}: the disk is full; nothing of this run was archived (the archive is as it was); free some "
        "space and run again"
    )
    assert rows(db, "SELECT count(*) FROM records") == before
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]


@pytest.mark.parametrize(("code", "expected"), [
    (sqlite3.SQLITE_BUSY, "the archive is locked by another writer"),
    (sqlite3.SQLITE_LOCKED_SHAREDCACHE, "the archive is locked by another writer"),
    (sqlite3.SQLITE_FULL, "the disk is full"),
    (sqlite3.SQLITE_READONLY_DBMOVED, "cannot write the archive"),
    (sqlite3.SQLITE_CANTOPEN, "cannot write the archive"),
    (sqlite3.SQLITE_NOTADB, "not a readable checkengine archive"),
    (sqlite3.SQLITE_CORRUPT_INDEX, "not a readable checkengine archive"),
    (sqlite3.SQLITE_CONSTRAINT_TRIGGER, "the archive refused the change"),
    (sqlite3.SQLITE_MISMATCH, "the archive failed"),
])
def test_errors_are_told_apart_by_code_not_text(code: int, expected: str) -> None:
    """The message follows the result code; the text (here the same for all) plays no part."""
    exc = sqlite3.OperationalError("something happened")
    exc.sqlite_errorcode = code
    message = str(sqlite_store.explain(Path("a.sqlite"), exc, busy_timeout=1.0))
    assert message.startswith(f"a.sqlite: {expected}")


def test_a_blank_database_is_made_an_archive_when_written(tmp_path: Path, archived: Archived, book_path: Path,
                                                          stream: Path) -> None:
    """An empty SQLite file (made by `sqlite3 x.sqlite 'VACUUM'`, or being made into an archive by
    another writer this moment) becomes an archive; to read, it is not one yet."""
    db = tmp_path / "blank.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 0")
    con.execute("VACUUM")
    con.close()
    assert db.stat().st_size > 0
    with pytest.raises(ArchiveError) as caught:
        with open_archive(db, write=False):
            pass
    assert str(caught.value).startswith(f"{db}: not a checkengine archive (an empty SQLite database); ")
    run, tally = archived(str(db), book_path, [stream])
    assert (run, tally.records) == (1, 200)
    assert rows(db, "PRAGMA application_id") == [(APPLICATION_ID,)]
