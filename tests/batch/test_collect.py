"""Batch output in a registered reporter's format: a plugin's reporter gets the result evaluate
would have given it; unusable records are kept aside to be named on stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, TextIO

import pytest

from checkengine.batch.collect import NotingWriter, ReporterWriter
from checkengine.batch.writers import JsonLinesWriter, Tally
from checkengine.errors import Location
from checkengine.records import RecordError
from checkengine.reporting import Reporter


class Counting(Reporter):
    name = "counting"
    summary = "test: how many records and errors"

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        out.write(json.dumps({"records": [e["record"]["id"] for e in result["records"]],
                              "errors": [e["message"] for e in result["errors"]],
                              "groups": len(result["groups"]), "summary": result["summary"],
                              "rulebook": result["rulebook"]["id"]}))


def test_the_reporter_gets_the_whole_result() -> None:
    out = io.StringIO()
    writer = ReporterWriter(Counting(), out)
    writer.header({"schema": "checkengine/result/1", "rulebook": {"id": "b"}, "language": "en",
                   "generated_at": "2026-11-30T00:00:00+00:00", "order": "input"})
    writer.record(0, json.dumps({"record": {"id": "R-1"}, "outcomes": []}))
    writer.error(1, RecordError(Location("r.yaml", 3, 1), "no time zone"))
    writer.record(2, json.dumps({"record": {"id": "R-2"}, "outcomes": []}))
    writer.groups([{"rule": "G", "outcome": "pass"}])
    tally = Tally()
    tally.summary["pass"] = 1
    writer.close(tally)
    assert json.loads(out.getvalue()) == {"records": ["R-1", "R-2"], "errors": ["no time zone"], "groups": 1,
                                          "summary": {**Tally().summary, "pass": 1}, "rulebook": "b"}


def test_a_plugins_reporter_is_a_batch_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              book_path: Path, stream: Path, stream_records: int) -> None:
    from checkengine import hookimpl
    from checkengine.cli import main
    from checkengine.plugins import registry_with

    class Plugin:
        @hookimpl
        def checkengine_register_reporters(self, register: Any) -> None:
            register(Counting())

    registry = registry_with(Plugin())
    monkeypatch.setattr("checkengine.plugins.default_registry", lambda: registry)
    out = tmp_path / "out.json"
    assert main(["batch", "-r", str(book_path), str(stream), "-j", "1", "-q", "-f", "counting", "-o", str(out)]) in (0, 1)
    assert len(json.loads(out.read_text("utf-8"))["records"]) == stream_records


def test_noting_writer_keeps_the_first_errors() -> None:
    inner = JsonLinesWriter(io.StringIO())
    writer = NotingWriter(inner, keep=2)
    for i in range(3):
        writer.error(i, RecordError(Location("r.yaml", i + 1), f"bad {i}"))
    assert [e["message"] for e in writer.errors] == ["bad 0", "bad 1"]
    assert inner.out.getvalue().count('"type":"error"') == 3  # type: ignore[attr-defined]
