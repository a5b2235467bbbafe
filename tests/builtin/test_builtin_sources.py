"""The built-in sources: standard input (``-``), PostgreSQL tables (on the real server of
tests/pgcluster.py), and the refusals of an address no source reads."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def records_json(capsys: pytest.CaptureFixture[str], *args: Any) -> dict[str, Any]:
    code, out, err = cli(capsys, *args, "-f", "json")
    assert code in (0, 1), err
    result: dict[str, Any] = json.loads(out)
    return result


def verdicts(result: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {e["record"]["id"]: [(o["rule"], o["outcome"]) for o in e["outcomes"]] for e in result["records"]}


def test_stdin_is_read_as_json_lines(monkeypatch: pytest.MonkeyPatch, book_path: Path, stream: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from_file = records_json(capsys, "evaluate", "-r", book_path, stream)
    stdin_of(monkeypatch, stream.read_bytes())
    from_stdin = records_json(capsys, "evaluate", "-r", book_path, "-")
    assert verdicts(from_stdin) == verdicts(from_file) and len(from_stdin["records"]) == 200
    assert from_stdin["groups"] == from_file["groups"]
    assert {e["record"]["file"] for e in from_stdin["records"]} == {"<stdin>"}


def test_a_bad_line_on_stdin_is_named_and_the_others_are_evaluated(
        monkeypatch: pytest.MonkeyPatch, book_path: Path, stream: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = stream.read_text("utf-8").splitlines()
    lines[2] = "{not json"
    stdin_of(monkeypatch, ("\n".join(lines[:10]) + "\n").encode())
    code, out, err = cli(capsys, "batch", "-r", book_path, "-", "-j", "1", "-f", "json")
    assert code == 2
    assert err == ("checkengine: 1 unusable record (the others were evaluated):\n"
                   "  <stdin>:3:2: error: invalid JSON: Expecting property name enclosed in double quotes\n")
    assert len(json.loads(out)["records"]) == 9


def test_nothing_on_stdin(monkeypatch: pytest.MonkeyPatch, book_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stdin_of(monkeypatch, b"")
    code, out, err = cli(capsys, "evaluate", "-r", book_path, "-")
    assert code == 2
    assert err == ("checkengine: 1 unusable record, the first at <stdin> (listed in the report)\n")
    assert ("<stdin>: error: no records on standard input (it was empty, or already read: a rulebook with "
            "lookups reads its input twice); pipe JSON Lines in, one record a line, or save them to a file") in out


def test_stdin_on_a_terminal_is_refused(monkeypatch: pytest.MonkeyPatch, book_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    code, out, err = cli(capsys, "evaluate", "-r", book_path, "-")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: - reads records from standard input, which is a terminal; pipe JSON "
                   "Lines in (e.g. cat records.jsonl | checkengine evaluate -r RULEBOOK -), or name the files\n")


def test_an_unknown_scheme_lists_the_known_ones(book_path: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["evaluate"], ["batch", "-j", "1"], ["archive", "add", "--db", tmp_path / "a.sqlite"]):
        code, out, err = cli(capsys, *command, "-r", book_path, "s3://bucket/records.jsonl")
        assert (code, out) == (2, ""), command
        assert err == ("checkengine: error: s3://bucket/records.jsonl: no source reads 's3://' addresses; known "
                       "schemes: file://, postgres://, postgresql:// (or give a file, a folder, or - for "
                       "standard input)\n")
    assert not (tmp_path / "a.sqlite").exists()  # refused before the archive was touched


def test_a_postgresql_address_needs_a_table(book_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "evaluate", "-r", book_path, "postgresql://user:secret@db.example/month")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: postgresql://user@db.example/month: name the table of records, e.g. "
                   "postgresql://host/db?table=inspections (with column=NAME when the JSON is not in a column "
                   "named record)\n")  # and the password is not shown


def test_an_unreachable_postgresql_server(book_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://nobody:secret@/month?host={tmp_path}&table=records"
    code, out, err = cli(capsys, "batch", "-r", book_path, url, "-j", "1")
    assert code == 2 and "Traceback" not in err and "secret" not in err
    assert err.startswith(f"checkengine: error: postgresql://nobody@/month?host={tmp_path}&table=records: cannot "
                          "connect to PostgreSQL (")
    assert err.endswith("check the URL (or the PG* environment variables) and that the server runs and accepts "
                        "connections\n")


def test_a_malformed_postgresql_url(book_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "evaluate", "-r", book_path, "postgresql://h/db?table=t&nonsense=1")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: postgresql://h/db?table=t&nonsense=1: not a PostgreSQL URL libpq "
                   "understands (invalid URI query parameter: \"nonsense\"); e.g. "
                   "postgresql://user@host:5432/dbname?table=NAME\n")


def test_records_from_a_postgresql_table(postgres: Any, book_path: Path, stream: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    url = postgres.new_database()
    lines = stream.read_text("utf-8").splitlines()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE inspections (n integer PRIMARY KEY, body jsonb, note text)")
        with db.cursor() as cursor:
            cursor.executemany("INSERT INTO inspections VALUES (%s, %s, NULL)",
                               [(len(lines) - i, Jsonb(json.loads(line))) for i, line in enumerate(lines)])
            # A row that holds no record is reported as unusable, at its row number.
            cursor.execute("INSERT INTO inspections VALUES (0, %s, NULL)", [Jsonb([1, 2])])
    address = f"{url}&table=inspections&column=body&order=n"
    code, out, err = cli(capsys, "batch", "-r", book_path, address, "-j", "2", "-f", "json")
    assert code == 2
    result = json.loads(out)
    where = address.split("?")[0] + "?table=inspections"
    assert result["errors"] == [{"file": where, "line": 1, "column": 1, "path": None,
                                 "message": "the row holds list JSON, not a record (a JSON object with kind, id "
                                            "and timestamp)"}]
    from_file = records_json(capsys, "evaluate", "-r", book_path, stream)
    # Ordered by n, descending from the file's order: the same verdicts, record for record.
    assert [e["record"]["id"] for e in result["records"]] == [e["record"]["id"] for e in from_file["records"]][::-1]
    assert verdicts(result) == verdicts(from_file)
    assert result["groups"] == from_file["groups"] or len(result["groups"]) == len(from_file["groups"])
    code, out, err = cli(capsys, "evaluate", "-r", book_path, f"{url}&table=missing")
    assert (code, out) == (2, "")
    assert err.endswith("no table missing in the database; check table= in the URL\n")
    code, out, err = cli(capsys, "evaluate", "-r", book_path, f"{url}&table=inspections")
    assert err.endswith("the table inspections has no column record; name the JSON column with column= (and the "
                        "ordering one with order=)\n")
