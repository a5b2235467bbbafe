"""The source port: addresses resolved by scheme, records in memory for the API, estimates."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checkengine.batch.executors import InlineExecutor
from checkengine.batch.job import EngineSpec
from checkengine.batch.run import evaluate_batch, result_head
from checkengine.batch.writers import JsonWriter
from checkengine.errors import UserError
from checkengine.plugins import default_registry
from checkengine.rulebook.load import load_rulebook
from checkengine.sources import Records, estimate_total, input_files, local_path, source_for


def document(spec: EngineSpec, inputs: list[Any]) -> Any:
    out = io.StringIO()
    writer = JsonWriter(out)
    writer.header(result_head(spec))
    writer.close(evaluate_batch(spec, inputs, writer, InlineExecutor()))
    return json.loads(out.getvalue())


def test_records_in_memory_give_the_verdicts_of_the_file(book_path: Path, stream: Path) -> None:
    spec = EngineSpec(load_rulebook(book_path))
    rows = [json.loads(line) for line in stream.read_text("utf-8").splitlines()]
    from_file = document(spec, [stream])
    in_memory = document(spec, [Records(rows, name="<api>")])
    strip = [{**e, "record": {k: v for k, v in e["record"].items() if k not in ("file", "line")}}
             for e in from_file["records"]]
    assert [{**e, "record": {k: v for k, v in e["record"].items() if k not in ("file", "line")}}
            for e in in_memory["records"]] == strip
    assert in_memory["groups"] == from_file["groups"] and in_memory["summary"] == from_file["summary"]
    assert in_memory["records"][0]["record"]["file"] == "<api>"


def test_a_bad_record_in_memory_is_an_error_at_its_position(book_path: Path) -> None:
    spec = EngineSpec(load_rulebook(book_path))
    result = document(spec, [Records([{"kind": "monitoring"}, "not a record"], name="<api>")])
    assert [(e["file"], e["line"]) for e in result["errors"]] == [("<api>", 1), ("<api>", 2)]
    assert result["records"] == []


def test_addresses_resolve_by_scheme(tmp_path: Path, stream: Path) -> None:
    registry = default_registry()
    assert source_for(str(stream), registry).name == "file"
    assert source_for(f"file://{stream}", registry).name == "file"
    assert local_path(f"file://{stream}") == str(stream)
    assert source_for("-", registry).name == "stdin"
    assert source_for("postgresql://h/db?table=t", registry).name == "postgresql"
    assert source_for(tmp_path / "-", registry).name == "file"  # a Path is a path, whatever its name
    with pytest.raises(UserError, match=r"^gopher://x: no source reads 'gopher://' addresses; known schemes: "
                                        r"file://, postgres://, postgresql://"):
        source_for("gopher://x", registry)


def test_estimate_and_files(stream: Path) -> None:
    registry = default_registry()
    assert estimate_total([stream, Records([{}])], registry) == 200
    assert input_files([stream, Records([{}]), "postgresql://h/db?table=t"], registry) == [stream]
