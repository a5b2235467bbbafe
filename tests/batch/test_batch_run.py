"""A batch gives exactly the result of Engine.run on the same input, however it is split."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checkengine.batch.executors import InlineExecutor, LocalExecutor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import EngineSpec, EvaluateJob
from checkengine.batch.run import BatchOptions, evaluate_batch, result_head
from checkengine.batch.writers import JsonLinesWriter, JsonWriter, make_writer
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import iter_records
from checkengine.rulebook.load import load_rulebook


def reference(book_path: Path, paths: list[Path]) -> dict[str, Any]:
    result = Engine(load_rulebook(book_path)).run(iter_records(paths, default_registry()))
    roundtrip: dict[str, Any] = json.loads(json.dumps(result, ensure_ascii=False))
    return roundtrip


def jsonl_batch(spec: EngineSpec, paths: list[Path], executor: Any, chunk_size: int,
                stop: StopFlag | None = None, after: Any = None) -> tuple[list[dict[str, Any]], Any]:
    out = io.StringIO()
    writer = JsonLinesWriter(out)
    writer.header(result_head(spec))
    tally = evaluate_batch(spec, paths, writer, executor, stop=stop,
                           options=BatchOptions(chunk_size=chunk_size), after_chunk=after)
    writer.close(tally)
    return [json.loads(line) for line in out.getvalue().splitlines()], tally


def as_result(lines: list[dict[str, Any]]) -> dict[str, Any]:
    strip = lambda d: {k: v for k, v in d.items() if k not in ("type", "seq")}  # noqa: E731
    return {
        "records": [strip(d) for d in lines if d["type"] == "record"],
        "groups": [strip(d) for d in lines if d["type"] == "group"],
        "errors": [strip(d) for d in lines if d["type"] == "error"],
        "summary": lines[-1]["summary"],
    }


@pytest.fixture
def inputs(tmp_path: Path, stream: Path) -> list[Path]:
    """The stream with a malformed line and an invalid record in the middle, and a YAML file."""
    lines = stream.read_text("utf-8").splitlines()
    lines.insert(40, '{"kind": "floor_inspection", "id": broken')
    lines.insert(90, json.dumps({"kind": "floor_inspection", "id": "NO-TIME"}))
    stream.write_text("\n".join(lines) + "\n", "utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text("kind: monitoring\nid: MO-extra\ntimestamp: 2026-11-05T10:00:00+08:00\nsite: cc-taipei\n"
                     "data: {agent: E001, monitored_at: 2026-11-05T10:00:00+08:00, scores: {attitude: 80}}\n", "utf-8")
    return [stream, extra]


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_inline_batch_equals_engine_run(book_path: Path, inputs: list[Path], chunk_size: int) -> None:
    expected = reference(book_path, inputs)
    lines, tally = jsonl_batch(EngineSpec(load_rulebook(book_path)), inputs, InlineExecutor(), chunk_size)
    got = as_result(lines)
    assert got["records"] == expected["records"]
    assert got["groups"] == expected["groups"]
    assert got["errors"] == expected["errors"]
    assert got["summary"] == expected["summary"]
    assert len(expected["groups"]) > 5 and len(expected["errors"]) == 2
    assert tally.exit_code == 2


@pytest.mark.slow
def test_two_processes_equal_engine_run(book_path: Path, inputs: list[Path]) -> None:
    expected = reference(book_path, inputs)
    # 13 records a chunk: every agent's monthly group and every day's call-loss group is split
    # across chunks, and the chunks across the two workers.
    lines, _ = jsonl_batch(EngineSpec(load_rulebook(book_path)), inputs, LocalExecutor(2), 13)
    got = as_result(lines)
    assert got == {k: expected[k] for k in ("records", "groups", "errors", "summary")}


def test_output_is_in_input_order_with_sequence_numbers(book_path: Path, inputs: list[Path]) -> None:
    lines, _ = jsonl_batch(EngineSpec(load_rulebook(book_path)), inputs, InlineExecutor(), 10)
    seqs = [d["seq"] for d in lines if d["type"] in ("record", "error")]
    assert seqs == list(range(303))
    errors = {d["seq"]: f"{d['file']}:{d['line']}" for d in lines if d["type"] == "error"}
    assert errors == {40: f"{inputs[0]}:41", 90: f"{inputs[0]}:91"}
    assert [d["type"] for d in lines][0] == "header" and lines[-1]["type"] == "summary"


def test_json_writer_streams_the_result_document(book_path: Path, inputs: list[Path]) -> None:
    spec = EngineSpec(load_rulebook(book_path))
    out = io.StringIO()
    writer = JsonWriter(out)
    writer.header(result_head(spec))
    tally = evaluate_batch(spec, inputs, writer, InlineExecutor(), options=BatchOptions(chunk_size=16))
    writer.close(tally)
    got = json.loads(out.getvalue())
    expected = reference(book_path, inputs)
    for key in ("schema", "rulebook", "language", "records", "groups", "errors", "summary"):
        assert got[key] == expected[key], key
    # A whole run is exactly the result schema's document; only a cut one says "interrupted".
    assert "interrupted" not in got and set(got) == set(expected)


def test_text_writer(book_path: Path, tmp_path: Path, scenario: ModuleType) -> None:
    path = tmp_path / "two.jsonl"
    records = list(scenario.records(3))
    records[0]["observations"] = {"uniform": False, "badge": "standard", "minutes_outside": 3}
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:1]) + "oops\n", "utf-8")
    spec = EngineSpec(load_rulebook(book_path))
    out = io.StringIO()
    writer = make_writer("text", out)
    writer.header(result_head(spec))
    tally = evaluate_batch(spec, [path], writer, InlineExecutor())
    writer.close(tally)
    digest = spec.book.digest[:19]
    why = reference(book_path, [path])["records"][0]["outcomes"][0]["explanation"]  # the engine's words
    assert out.getvalue() == (
        f"rulebook scenario 1.0.0 ({digest})\n"
        f"\n{path}:1: floor_inspection FL-2026-11-000000 {records[0]['subject']['employee']} score 57.14 FAILED\n"
        f"  FAIL DRS-01-uniform: Uniform worn — {why}\n"
        "\n"
        f"{path}:2:1: error: invalid JSON: Expecting value\n"
        "\n1 records, 0 aggregate groups, 1 unusable: 2 passed, 1 failed, 0 waived, 0 need review, "
        "0 errors, 0 not applicable\n"
    )


def test_stop_leaves_valid_output_for_what_was_finished(book_path: Path, inputs: list[Path]) -> None:
    stop = StopFlag()
    done: list[int] = []

    def after(count: int) -> None:
        done.append(count)
        if len(done) == 3:
            stop.set()

    lines, tally = jsonl_batch(EngineSpec(load_rulebook(book_path)), inputs, InlineExecutor(), 20, stop, after)
    body = [d for d in lines if d["type"] in ("record", "error")]
    assert tally.interrupted and tally.exit_code == 130
    # Whole chunks only, in input order, and the summary says what the file holds.
    assert [d["seq"] for d in body] == list(range(len(body)))
    assert len(body) % 20 == 0 and 60 <= len(body) < 303
    assert not [d for d in lines if d["type"] == "group"]
    assert lines[-1] == {"type": "summary", "summary": lines[-1]["summary"], "records": tally.records,
                         "groups": 0, "errors": tally.errors, "interrupted": True}


def test_window_bounds_what_is_read_ahead(book_path: Path, stream: Path) -> None:
    """The parent reads only as far as the chunks in flight: memory does not grow with the input."""
    from checkengine.batch import pipeline
    from checkengine.batch.job import EvaluateJob
    from checkengine.batch.source import chunked, read_items

    spec = EngineSpec(load_rulebook(book_path))
    pulled = 0
    peak_ahead = 0
    consumed = 0

    def counting() -> Any:
        nonlocal pulled
        for item in read_items([stream], default_registry()):
            pulled += 1
            yield item

    def consume(output: Any) -> None:
        nonlocal consumed, peak_ahead
        consumed += 1
        peak_ahead = max(peak_ahead, pulled - consumed)

    pipeline.run_pipeline(EvaluateJob(spec), chunked(counting(), 10), InlineExecutor(), consume=consume,
                          stop=StopFlag(), max_in_flight=3)
    assert consumed == 300
    assert peak_ahead <= 3 * 10


def test_stream_lines_that_are_not_records(book_path: Path, tmp_path: Path, scenario: ModuleType) -> None:
    """A waivers document inside a stream is skipped, as the loaders skip it; its seq is a gap."""
    path = tmp_path / "mixed.jsonl"
    rows = [json.dumps(r) for r in scenario.records(3)]
    rows.insert(1, json.dumps({"checkengine": 1, "kind": "waivers", "waivers": []}))
    path.write_text("\n".join(rows) + "\n\n", "utf-8")
    lines, tally = jsonl_batch(EngineSpec(load_rulebook(book_path)), [path], InlineExecutor(), 2)
    assert [d["seq"] for d in lines if d["type"] == "record"] == [0, 2, 3]
    assert as_result(lines)["records"] == reference(book_path, [path])["records"]
    assert tally.records == 3 and tally.errors == 0


def test_a_stream_that_is_not_utf8(book_path: Path, tmp_path: Path, scenario: ModuleType) -> None:
    path = tmp_path / "latin1.jsonl"
    first, last = (json.dumps(r).encode() + b"\n" for r in scenario.records(2))
    path.write_bytes(first + '{"id": "é"}\n'.encode("latin-1") + last)
    lines, tally = jsonl_batch(EngineSpec(load_rulebook(book_path)), [path], InlineExecutor(), 10)
    errors = [d for d in lines if d["type"] == "error"]
    assert [(e["file"], e["line"], e["column"], e["message"]) for e in errors] == [
        (str(path), 2, 9, "not UTF-8 text (byte 0xe9); save the file as UTF-8")]
    assert tally.records == 2  # the lines after it are read


def test_the_pool_quiets_the_resource_trackers_leak_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """After Ctrl-C stops workers mid-chunk, multiprocessing's resource tracker would print a
    "leaked semaphore objects" warning on the user's terminal after checkengine's own message (it
    cleans them up itself). The pool starts the tracker with that warning filtered."""
    import sys

    monkeypatch.setattr(sys, "warnoptions", [])
    pool = LocalExecutor(1)
    root = Path(__file__).resolve().parents[2]
    pool.start(EvaluateJob(EngineSpec(load_rulebook(root / "rulebooks" / "cs-floor.yaml"))))
    try:
        assert sys.warnoptions == ["ignore::UserWarning:multiprocessing.resource_tracker"]
    finally:
        pool.close(cancel=True)


def test_ranges_hold_several_chunks_only_when_the_workers_write_parts(book_path: Path, stream: Path) -> None:
    """Writing parts, nothing but counts comes back per record: a range holds five chunks (the
    last ones of a file one). Otherwise (archive add) every record's output comes back, and a
    range is one chunk, as many outputs in flight as before."""
    from checkengine.batch.ranges import RangeChunk
    from checkengine.batch.run import EVALUATE_RANGES, read_chunks

    spec = EngineSpec(load_rulebook(book_path))
    returned = [c.count for c in read_chunks([stream], spec, LocalExecutor(2), 10) if isinstance(c, RangeChunk)]
    parted = [c.count for c in read_chunks([stream], spec, LocalExecutor(2), 10, parts=True)
              if isinstance(c, RangeChunk)]
    assert sum(returned) == sum(parted) == 300  # the batch tests stream 300 records
    assert max(returned) == 10
    assert max(parted) == 10 * EVALUATE_RANGES and parted[-1] <= 10
