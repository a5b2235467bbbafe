"""The archive: append-only rows, runs, latest evaluations, and every way opening it can fail."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from checkengine.archive import store
from checkengine.archive.add import add_batch
from checkengine.archive.query import Filters, query_outcomes
from checkengine.archive.schema import TABLES
from checkengine.archive.store import ArchiveError, open_archive
from checkengine.batch.executors import InlineExecutor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import EngineSpec
from checkengine.batch.run import BatchOptions
from checkengine.rulebook.load import load_rulebook


def archive_once(db: Path, book_path: Path, paths: list[Path], **options: Any) -> tuple[int, Any]:
    spec = EngineSpec(load_rulebook(book_path))
    with open_archive(db, write=True, busy_timeout=options.pop("busy_timeout", 5.0)) as archive:
        return add_batch(archive, spec, paths, InlineExecutor(), language="en", **options)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return [tuple(r) for r in con.execute(sql)]
    finally:
        con.close()


def test_new_archive(tmp_path: Path, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    run, tally = archive_once(db, book_path, [stream])
    assert run == 1 and tally.records == 200 and tally.groups > 0
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db, "SELECT version FROM schema_version") == [(1,)]
    book = load_rulebook(book_path)
    assert rows(db, "SELECT rulebook_id, version, digest FROM rulebooks") == [("scenario", "1.0.0", book.digest)]
    assert rows(db, "SELECT status, records, errors, groups FROM run_ends") == [("complete", 200, 0, tally.groups)]
    assert rows(db, "SELECT count(*) FROM records") == [(200,)]
    assert rows(db, "SELECT count(*) FROM outcomes WHERE record IS NULL") == [(tally.groups,)]
    indices = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"outcomes_by_site_month", "outcomes_by_rule", "records_by_record_id"} <= indices


@pytest.mark.parametrize("table", TABLES)
def test_rows_are_never_changed_or_deleted(tmp_path: Path, book_path: Path, stream: Path, table: str) -> None:
    db = tmp_path / "a.sqlite"
    with stream.open("a") as fh:
        fh.write("not json\n")  # a row in errors too
    archive_once(db, book_path, [stream])
    assert rows(db, f"SELECT count(*) > 0 FROM {table}") == [(1,)]
    con = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.IntegrityError) as caught:
            con.execute(f"UPDATE {table} SET rowid = rowid")
        assert str(caught.value) == f"the archive is append-only: rows of {table} are never changed"
        with pytest.raises(sqlite3.IntegrityError) as caught:
            con.execute(f"DELETE FROM {table}")
        assert str(caught.value) == f"the archive is append-only: rows of {table} are never deleted"
    finally:
        con.close()


def test_re_evaluation_is_a_new_row(tmp_path: Path, book_path: Path, stream: Path, scenario: Any) -> None:
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
    stricter = scenario.write_rulebook(tmp_path / "v2.yaml", version="2.0.0", max_outside=0)
    archive_once(db, stricter, [stream])
    assert rows(db, "SELECT count(*), count(DISTINCT record_id) FROM records") == [(400, 200)]
    assert rows(db, "SELECT rulebook_id, version FROM rulebooks ORDER BY id") == [("scenario", "1.0.0"),
                                                                                   ("scenario", "2.0.0")]
    with open_archive(db, write=False) as archive:
        latest = list(query_outcomes(archive, Filters(rule="CND-08-time-outside")))
        every = list(query_outcomes(archive, Filters(rule="CND-08-time-outside", history=True)))
    assert len(every) == 2 * len(latest) and len(latest) > 0
    assert {o["rulebook"]["version"] for o in latest} == {"2.0.0"}
    # Nothing is outside for zero minutes only when nobody left: the stricter book fails the others.
    assert {o["outcome"] for o in latest if o["observed"] != 0} == {"fail"}


def test_query_filters(tmp_path: Path, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
    with open_archive(db, write=False) as archive:
        def ask(**filters: Any) -> list[dict[str, Any]]:
            return list(query_outcomes(archive, Filters(**filters)))

        everything = ask()
        fails = ask(outcome="fail")
        e1 = ask(employee="E001", period="2026-11")
        t2 = ask(team="T2", rule="QAM-01-monitoring")
        week = ask(period="2026-W45", site="cc-taipei")
    assert fails and all(o["outcome"] == "fail" for o in fails) and len(fails) < len(everything)
    assert e1 and {o["employee"] for o in e1} == {"E001"}
    # Monitoring coverage groups are keyed by employee; --team finds those of the team's agents.
    assert sorted(o["group"]["employee"] for o in t2) == ["E003", "E004", "E005"]
    assert week and {o["week"] for o in week} == {"2026-W45"}


def test_interrupted_run_keeps_what_was_finished(tmp_path: Path, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    stop = StopFlag()
    run, tally = archive_once(db, book_path, [stream], stop=stop, options=BatchOptions(chunk_size=50),
                              after_chunk=lambda n: stop.set())
    assert tally.interrupted and tally.records == 50
    assert rows(db, "SELECT status, records FROM run_ends") == [("interrupted", 50)]
    assert rows(db, "SELECT count(*) FROM outcomes WHERE record IS NULL") == [(0,)]


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


def test_truncated_archive(tmp_path: Path, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
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


def test_second_writer_is_told_the_archive_is_locked(tmp_path: Path, book_path: Path, stream: Path) -> None:
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the first writer, mid-run
    try:
        started = time.monotonic()
        with pytest.raises(ArchiveError) as caught:
            archive_once(db, book_path, [stream], busy_timeout=0.3)
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


def test_full_disk_leaves_the_archive_as_it_was(tmp_path: Path, book_path: Path, stream: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
    before = rows(db, "SELECT count(*) FROM records")
    pages = rows(db, "PRAGMA page_count")[0][0]
    connect = store._connect

    def cramped(path: Path, busy_timeout: float, *, readonly: bool) -> sqlite3.Connection:
        con = connect(path, busy_timeout, readonly=readonly)
        con.execute(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up a few pages later
        return con

    monkeypatch.setattr(store, "_connect", cramped)
    with pytest.raises(ArchiveError) as caught:
        archive_once(db, book_path, [stream])
    assert str(caught.value) == (
        f"{db}: the disk is full; nothing of this run was archived (the archive is as it was); free some "
        "space and run again"
    )
    assert rows(db, "SELECT count(*) FROM records") == before
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]


def test_another_rulebook_adds_its_own_outcomes(tmp_path: Path, book_path: Path, stream: Path, scenario: Any) -> None:
    """A newer version of a rulebook supersedes its older outcomes; another rulebook does not."""
    import yaml

    other = scenario.rulebook()
    other["id"] = "dress-only"
    other["sections"] = other["sections"][:1]
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other, allow_unicode=True), "utf-8")
    db = tmp_path / "a.sqlite"
    archive_once(db, book_path, [stream])
    archive_once(db, tmp_path / "other.yaml", [stream])
    with open_archive(db, write=False) as archive:
        latest = list(query_outcomes(archive, Filters(rule="DRS-01-uniform")))
    assert sorted({o["rulebook"]["id"] for o in latest}) == ["dress-only", "scenario"]
    assert len(latest) == 2 * len({o["record"]["id"] for o in latest})
