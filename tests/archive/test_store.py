"""The store's shared suite: every test runs on SQLite and on a real PostgreSQL server.

Append-only rows, ids from the database, runs, latest evaluations, versioned migrations, and two
``archive add`` processes writing one archive at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

from checkengine.archive.query import Filters, query_outcomes
from checkengine.archive.schema import MIGRATIONS, SCHEMA_VERSION, TABLES
from checkengine import __version__
from checkengine.archive.store import ArchiveError, is_url, open_archive
from checkengine.batch.executors import DaskExecutor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.run import BatchOptions
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import iter_records
from checkengine.rulebook.load import load_rulebook

from storetest import Raw, raw_failure

Archived = Callable[..., tuple[int, Any]]
CHECKENGINE = Path(sys.executable).with_name("checkengine")


def test_new_archive(archive_at: str, db: Raw, archived: Archived, book_path: Path, stream: Path) -> None:
    run, tally = archived(archive_at, book_path, [stream])
    assert run == 1 and tally.records == 200 and tally.groups > 0
    assert db("SELECT version FROM schema_version ORDER BY version") == [(m.number,) for m in MIGRATIONS]
    book = load_rulebook(book_path)
    assert db("SELECT rulebook_id, version, digest FROM rulebooks") == [("scenario", "1.0.0", book.digest)]
    assert db("SELECT status, records, errors, groups FROM run_ends") == [("complete", 200, 0, tally.groups)]
    assert db("SELECT count(*) FROM records") == [(200,)]
    assert db("SELECT count(*) FROM outcomes WHERE record IS NULL") == [(tally.groups,)]


def test_ids_come_from_the_database(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                    stream: Path) -> None:
    """Each outcome points at its own record: the ids the database gave were read back right."""
    archived(archive_at, book_path, [stream], options=BatchOptions(chunk_size=37))
    archived(archive_at, book_path, [stream], options=BatchOptions(chunk_size=50))
    assert db("SELECT count(*), count(DISTINCT id), count(DISTINCT run * 100000 + seq) FROM records") == [
        (400, 400, 400)]
    mismatched = db("SELECT count(*) FROM outcomes o JOIN records r ON r.id = o.record WHERE o.run <> r.run "
                    "OR o.site IS DISTINCT FROM r.site OR o.employee IS DISTINCT FROM r.employee "
                    "OR o.day IS DISTINCT FROM r.day")
    assert mismatched == [(0,)]
    # The same input in chunks of 37 and of 50: every record has the same outcomes in both runs.
    runs = [sorted(db(f"SELECT r.record_id, o.rule, o.outcome FROM outcomes o JOIN records r ON r.id = o.record "
                      f"WHERE o.run = {run}")) for run in (1, 2)]
    assert runs[0] == runs[1] and len(runs[0]) > 300


@pytest.mark.parametrize("table", TABLES)
def test_rows_are_never_changed_or_deleted(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                           stream: Path, table: str) -> None:
    with stream.open("a") as fh:
        fh.write("not json\n")  # a row in errors too
    archived(archive_at, book_path, [stream])
    assert db(f"SELECT count(*) > 0 FROM {table}")[0][0]
    column = {"schema_version": "version", "rulebooks": "version", "runs": "language"}.get(table, "run")
    assert raw_failure(archive_at, f"UPDATE {table} SET {column} = {column}") == (
        f"the archive is append-only: rows of {table} are never changed")
    assert raw_failure(archive_at, f"DELETE FROM {table}") == (
        f"the archive is append-only: rows of {table} are never deleted")
    before = db(f"SELECT count(*) FROM {table}")
    assert before[0][0] > 0


def test_re_evaluation_is_a_new_row(archive_at: str, db: Raw, archived: Archived, book_path: Path, stream: Path,
                                    scenario: Any, tmp_path: Path) -> None:
    archived(archive_at, book_path, [stream])
    stricter = scenario.write_rulebook(tmp_path / "v2.yaml", version="2.0.0", max_outside=0)
    archived(archive_at, stricter, [stream])
    assert db("SELECT count(*), count(DISTINCT record_id) FROM records") == [(400, 200)]
    assert db("SELECT rulebook_id, version FROM rulebooks ORDER BY id") == [("scenario", "1.0.0"),
                                                                            ("scenario", "2.0.0")]
    with open_archive(archive_at, write=False) as archive:
        latest = list(query_outcomes(archive, Filters(rule="CND-08-time-outside")))
        every = list(query_outcomes(archive, Filters(rule="CND-08-time-outside", history=True)))
        replayed = list(archive.latest_records())
    assert len(every) == 2 * len(latest) and len(latest) > 0
    assert {o["rulebook"]["version"] for o in latest} == {"2.0.0"}
    # Nothing is outside for zero minutes only when nobody left: the stricter book fails the others.
    assert {o["outcome"] for o in latest if o["observed"] != 0} == {"fail"}
    assert len(replayed) == 200 and len({data["id"] for data, _, _ in replayed}) == 200


def test_query_filters(archive_at: str, archived: Archived, book_path: Path, stream: Path) -> None:
    archived(archive_at, book_path, [stream])
    with open_archive(archive_at, write=False) as archive:
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


def _timeless(outcomes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Queried outcomes without the second their run began: two archives filled one after the
    other may straddle a second."""
    found = list(outcomes)
    assert all("run_started_at" in o for o in found)
    return [{k: v for k, v in o.items() if k != "run_started_at"} for o in found]


def test_both_stores_answer_alike(tmp_path: Path, postgres: Any, archived: Archived, book_path: Path,
                                  stream: Path) -> None:
    """The same run archived in SQLite and in PostgreSQL reads back identically."""
    answers = []
    for location in (str(tmp_path / "a.sqlite"), postgres.new_database()):
        archived(location, book_path, [stream])
        with open_archive(location, write=False) as archive:
            answers.append((_timeless(query_outcomes(archive, Filters(history=True))), list(archive.latest_records()),
                            archive.rulebooks()))
    assert answers[0] == answers[1]
    assert len(answers[0][0]) > 200


@pytest.mark.slow
def test_archived_on_dask_equals_local(archive_at: str, dask_scheduler: str, archived: Archived, book_path: Path,
                                       stream: Path, tmp_path: Path) -> None:
    """``archive add --executor dask``: the records evaluated on the cluster are archived as a local run's."""
    archived(archive_at, book_path, [stream], executor=DaskExecutor(dask_scheduler),
             options=BatchOptions(chunk_size=23))
    local = str(tmp_path / "local.sqlite")
    archived(local, book_path, [stream])
    answers = []
    for location in (archive_at, local):
        with open_archive(location, write=False) as archive:
            answers.append((_timeless(query_outcomes(archive, Filters(history=True))), list(archive.latest_records())))
    assert answers[0] == answers[1]
    assert len(answers[0][1]) == 200 and any("group" in o for o in answers[0][0])


def test_interrupted_run_keeps_what_was_finished(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                                 stream: Path) -> None:
    stop = StopFlag()
    run, tally = archived(archive_at, book_path, [stream], stop=stop, options=BatchOptions(chunk_size=50),
                          after_chunk=lambda n: stop.set())
    assert tally.interrupted and tally.records == 50
    assert db("SELECT status, records FROM run_ends") == [("interrupted", 50)]
    assert db("SELECT count(*) FROM outcomes WHERE record IS NULL") == [(0,)]


def test_a_failed_run_leaves_the_archive_as_it_was(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                                   stream: Path) -> None:
    archived(archive_at, book_path, [stream])

    def broken(count: int) -> None:
        raise RuntimeError("the machine went away")

    with pytest.raises(RuntimeError):
        archived(archive_at, book_path, [stream], options=BatchOptions(chunk_size=50), after_chunk=broken)
    assert db("SELECT count(*) FROM runs") == [(1,)]
    assert db("SELECT count(*) FROM records") == [(200,)]


def test_another_rulebook_adds_its_own_outcomes(archive_at: str, archived: Archived, book_path: Path, stream: Path,
                                                scenario: Any, tmp_path: Path) -> None:
    """A newer version of a rulebook supersedes its older outcomes; another rulebook does not."""
    import yaml

    other = scenario.rulebook()
    other["id"] = "dress-only"
    other["sections"] = other["sections"][:1]
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other, allow_unicode=True), "utf-8")
    archived(archive_at, book_path, [stream])
    archived(archive_at, tmp_path / "other.yaml", [stream])
    with open_archive(archive_at, write=False) as archive:
        latest = list(query_outcomes(archive, Filters(rule="DRS-01-uniform")))
    assert sorted({o["rulebook"]["id"] for o in latest}) == ["dress-only", "scenario"]
    assert len(latest) == 2 * len({o["record"]["id"] for o in latest})


# -- migrations --------------------------------------------------------------------------------------
def at_version_1(location: str) -> None:
    """Make *location* a version-1 archive, as checkengine made them before migration 2."""
    if is_url(location):
        import psycopg
        from psycopg.rows import dict_row

        from checkengine.archive.postgres import PostgresStore

        with psycopg.connect(location, autocommit=True, row_factory=dict_row) as connection:
            assert PostgresStore("v1", connection, 5.0).migrate(MIGRATIONS[:1]) == [1]
    else:
        import sqlite3

        from checkengine.archive.sqlite import SqliteStore

        con = sqlite3.connect(location, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        assert SqliteStore(Path(location), con, 5.0).migrate(MIGRATIONS[:1]) == [1]
        con.close()


def test_an_older_archive_is_migrated_when_written(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                                   stream: Path) -> None:
    at_version_1(archive_at)
    with open_archive(archive_at, write=False) as archive:
        assert archive.schema_version() == 1  # read as it is: reading changes nothing
        assert archive.rulebooks() == []
    assert db("SELECT version FROM schema_version") == [(1,)]
    archived(archive_at, book_path, [stream])
    assert db("SELECT version FROM schema_version ORDER BY version") == [(m.number,) for m in MIGRATIONS]
    assert db("SELECT count(*) FROM records") == [(200,)]
    with open_archive(archive_at, write=True) as archive:
        assert archive.schema_version() == SCHEMA_VERSION == 3
        assert archive.migrate() == []  # up to date: nothing to apply


def test_a_newer_archive_is_refused(archive_at: str, db: Raw, archived: Archived, book_path: Path,
                                    stream: Path) -> None:
    archived(archive_at, book_path, [stream])
    # The triggers forbid changing rows, not adding them: a newer checkengine's migration adds one.
    db("INSERT INTO schema_version (version, applied_at, tool) VALUES (7, 'later', 'checkengine 9')")
    for write in (False, True):
        with pytest.raises(ArchiveError) as caught:
            with open_archive(archive_at, write=write):
                pass
        assert str(caught.value).endswith(
            f": the archive has schema version 7, newer than this checkengine ({__version__}) reads "
            f"({SCHEMA_VERSION}); upgrade checkengine")
    assert db("SELECT count(*) FROM records") == [(200,)]


# -- many writers --------------------------------------------------------------------------------------
def test_two_writers_at_once_lose_nothing_and_duplicate_nothing(archive_at: str, db: Raw, book_path: Path,
                                                                scenario: Any, tmp_path: Path) -> None:
    """Two ``archive add`` processes started together on one new archive: both runs are archived
    whole, every record once per run. (SQLite lets them in one after the other; PostgreSQL at once.)"""
    first = scenario.write_jsonl(tmp_path / "first.jsonl", 400, seed=1)
    second = scenario.write_jsonl(tmp_path / "second.jsonl", 400, seed=2)
    env = {**os.environ, "CI": "true"}
    procs = [subprocess.Popen([str(CHECKENGINE), "archive", "add", "-r", str(book_path), str(path), "--db", archive_at,
                               "-j", "1", "--busy-timeout", "120"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for path in (first, second)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert sorted(db("SELECT id FROM runs")) == [(1,), (2,)]
    assert db("SELECT status, records, errors FROM run_ends ORDER BY run") == [("complete", 400, 0)] * 2
    assert db("SELECT run, count(*), count(DISTINCT seq), min(seq), max(seq) FROM records GROUP BY run ORDER BY run"
              ) == [(1, 400, 400, 0, 399), (2, 400, 400, 0, 399)]
    inputs = sorted(db("SELECT r.run, count(DISTINCT r.record_id) FROM records r GROUP BY r.run"))
    assert inputs == [(1, 400), (2, 400)]
    # Every outcome of each input is there once: as many as Engine.run gives on that input alone.
    for run, inputs_json in db("SELECT id, inputs FROM runs"):
        [path] = json.loads(inputs_json)
        result = Engine(load_rulebook(book_path)).run(iter_records([Path(path)], default_registry()))
        expected = (sum(len(e["outcomes"]) for e in result["records"]), len(result["groups"]))
        assert db(f"SELECT count(record), count(*) - count(record) FROM outcomes WHERE run = {run}") == [expected]
    assert db("SELECT version FROM schema_version ORDER BY version") == [(m.number,) for m in MIGRATIONS]  # migrated once
    assert db("SELECT count(*) FROM rulebooks") == [(1,)]
