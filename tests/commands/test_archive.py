"""``checkengine archive add`` and ``query``: the default place, and every way the archive can fail."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from test_batch import cli, scenario, tmpfs  # same folder: the batch command tests' helpers


def test_add_then_query(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHECKENGINE_ARCHIVE", raising=False)
    code, out, err = cli(capsys, "archive", "add", "-r", book, month, "-j", "1")
    assert (code, out) == (0, "")
    groups = err.split("records, ")[1].split(" aggregate")[0]
    assert err == f"run 1 archived: 120 records, {groups} aggregate groups, 0 unusable, in checkengine-archive.sqlite\n"
    code, out, err = cli(capsys, "archive", "query", "--employee", "E002", "--outcome", "fail", "--rule", "DRS-01-uniform")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == f"{len(lines) - 1} outcomes (latest evaluations)"
    for line in lines[:-1]:
        day, site, team, employee, record, rule, outcome = line.split(" ")[:7]
        assert (site, team, employee, rule, outcome) == ("cc-taipei", "T1", "E002", "DRS-01-uniform", "fail:")
    code, out, err = cli(capsys, "archive", "query", "--rule", "QAM-04-call-loss", "-f", "json")
    items = json.loads(out)
    assert items and {i["rulebook"]["id"] for i in items} == {"scenario"}
    assert all("group" in i and "record" not in i for i in items)


def test_environment_names_the_archive(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("CHECKENGINE_ARCHIVE", str(db))
    code, _, err = cli(capsys, "archive", "add", "-r", book, month, "-j", "1")
    assert code == 0 and err.endswith(f" in {db}\n")
    code, _, err = cli(capsys, "archive", "add", "-r", book, month, "-j", "1")
    assert code == 0 and err.startswith("run 2 archived: 120 records, ")
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT record_id) FROM records").fetchone() == (240, 120)
    con.close()


def test_corrupt_archive(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.sqlite"
    db.write_bytes(b"\x00garbage" * 1000)
    for args in (["archive", "add", "-r", book, month], ["archive", "query"]):
        code, out, err = cli(capsys, *args, "--db", db)
        assert (code, out) == (2, "")
        assert err == (
            f"checkengine: error: {db}: not a readable checkengine archive (file is not a database); the file is "
            "damaged or is something else: restore it from a backup, or use another archive (--db or "
            "CHECKENGINE_ARCHIVE)\n"
        )


def test_locked_archive(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.sqlite"
    assert cli(capsys, "archive", "add", "-r", book, month, "--db", db, "-j", "1")[0] == 0
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", db, "--busy-timeout", "0.2")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {db}: the archive is locked by another writer (waited 0.2 s); wait for the "
                   "other `checkengine archive add` to finish and run again, or raise --busy-timeout\n")


def test_read_only_folder(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "ro", "size=1m,ro") as folder:
        db = folder / "a.sqlite"
        code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", db, "-j", "1")
        assert (code, out) == (2, "")
        assert err == (f"checkengine: error: {db}: cannot write the archive (unable to open database file); use "
                       "a folder you may write to (--db or CHECKENGINE_ARCHIVE)\n")
        assert list(folder.iterdir()) == []


def test_full_disk(tmp_path: Path, book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = scenario.write_jsonl(tmp_path / "small.jsonl", 10)
    big = scenario.write_jsonl(tmp_path / "big.jsonl", 2000)
    with tmpfs(tmp_path / "small-disk", "size=512k") as folder:
        db = folder / "a.sqlite"
        assert cli(capsys, "archive", "add", "-r", book, small, "--db", db, "-j", "1")[0] == 0
        code, out, err = cli(capsys, "archive", "add", "-r", book, big, "--db", db, "-j", "1")
        assert (code, out) == (2, "")
        assert err == (f"checkengine: error: {db}: the disk is full; nothing of this run was archived (the archive "
                       "is as it was); free some space and run again\n")
        con = sqlite3.connect(db)
        try:
            assert con.execute("SELECT count(*) FROM records").fetchone() == (10,)
        finally:
            con.close()  # an open file keeps the tmpfs busy


def test_bad_filters(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.sqlite"
    cli(capsys, "archive", "add", "-r", book, month, "--db", db, "-j", "1")
    code, out, err = cli(capsys, "archive", "query", "--db", db, "--period", "2026-13")
    assert (code, out, err) == (2, "", "checkengine: error: --period 2026-13: expected a month (2026-11), an ISO "
                                       "week (2026-W45) or a day (2026-11-03)\n")
    code, out, err = cli(capsys, "archive", "query", "--db", db, "--outcome", "failed")
    assert (code, out, err) == (2, "", "checkengine: error: --outcome failed: expected one of pass, fail, "
                                       "not_applicable, waived, needs_review, error\n")


def _timeless(answer: tuple[int, str, str]) -> tuple[int, list[dict[str, Any]], str]:
    """A JSON query's answer without the second each run began (two archives are filled one after
    the other, and may straddle a second)."""
    code, out, err = answer
    items = json.loads(out)
    assert all("run_started_at" in item for item in items)
    return code, [{k: v for k, v in item.items() if k != "run_started_at"} for item in items], err


def test_add_and_query_on_postgresql(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                                     postgres: Any) -> None:
    """--db takes a postgresql:// URL; what is archived there reads back as from a SQLite file."""
    url = postgres.new_database()
    code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", url, "-j", "1")
    assert (code, out) == (0, "") and err.startswith("run 1 archived: 120 records, ") and err.endswith(f" in {url}\n")
    db = tmp_path / "a.sqlite"
    assert cli(capsys, "archive", "add", "-r", book, month, "--db", db, "-j", "1")[0] == 0
    answers = [_timeless(cli(capsys, "archive", "query", "--db", where, "--team", "T1", "-f", "json"))
               for where in (url, db)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 0 and len(answers[0][1]) > 50


@pytest.mark.slow
def test_add_on_dask(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                     dask_scheduler: str) -> None:
    local, remote = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    assert cli(capsys, "archive", "add", "-r", book, month, "--db", local, "-j", "1")[0] == 0
    code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", remote, "--executor", "dask",
                         "--scheduler", dask_scheduler)
    assert (code, out) == (0, "") and err.startswith("run 1 archived: 120 records, ")
    answers = [_timeless(cli(capsys, "archive", "query", "--db", db, "--history", "-f", "json"))
               for db in (local, remote)]
    assert answers[0] == answers[1] and len(answers[0][1]) > 120


@pytest.mark.parametrize(("args", "message"), [
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler is only used with --executor dask"),
    (["--executor", "dask"], "--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler-host:8786)"),
])
def test_executor_mistakes(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                           args: list[str], message: str) -> None:
    code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", tmp_path / "a.sqlite", *args)
    assert (code, out, err) == (2, "", f"checkengine: error: {message}\n")
    assert not (tmp_path / "a.sqlite").exists()


def test_migrate_then_write_with_a_role_that_may_only_insert(book: Path, month: Path, postgres: Any,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The owner makes the schema (`archive migrate`); the writers' role may insert and read, and
    nothing else - append-only by privileges as well as by triggers."""
    import psycopg

    url = postgres.new_database()
    assert cli(capsys, "archive", "migrate", "--db", url) == (0, "", f"{url}: schema version 3 (applied now: 1, 2, 3)\n")
    assert cli(capsys, "archive", "migrate", "--db", url) == (0, "", f"{url}: schema version 3 (up to date)\n")
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'writer') THEN "
                      "CREATE ROLE writer LOGIN; END IF; END $$")
        owner.execute("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO writer")
    writer = url.replace("checkengine@", "writer@")
    code, out, err = cli(capsys, "archive", "add", "-r", book, month, "--db", writer, "-j", "1")
    assert (code, out) == (0, "") and err.startswith("run 1 archived: 120 records, ")
    with psycopg.connect(writer, autocommit=True) as session:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            session.execute("DELETE FROM outcomes")


def test_migrate_an_older_sqlite_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from checkengine.archive.schema import MIGRATIONS
    from checkengine.archive.sqlite import SqliteStore

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db, isolation_level=None)
    SqliteStore(db, con, 5.0).migrate(MIGRATIONS[:1])
    con.close()
    assert cli(capsys, "archive", "migrate", "--db", db) == (0, "", f"{db}: schema version 3 (applied now: 2, 3)\n")
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [(1,), (2,), (3,)]
    con.close()
