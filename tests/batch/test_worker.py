"""The worker side of a batch: what a chunk sends back, and the per-process caches."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checkengine import lookups
from checkengine.batch import job as job_module
from checkengine.batch import worker
from checkengine.batch.job import EngineSpec, EvaluateJob, IndexJob
from checkengine.batch.source import chunked, read_items
from checkengine.plugins import default_registry
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
LEAVE = ROOT / "rulebooks" / "leave-and-swaps.yaml"
MONTH = ROOT / "examples" / "month-2026-11"


def _chunks(size: int = 50) -> list[Any]:
    return list(chunked(read_items([MONTH], default_registry()), size))


def test_the_first_pass_sends_back_its_index_and_no_output_per_record() -> None:
    spec = EngineSpec(load_rulebook(LEAVE), other_kinds="skip")
    chunks = _chunks()
    indexed = [worker.run_chunk(IndexJob(spec), chunk) for chunk in chunks]
    assert all(result.outputs == [] for result in indexed)
    merged: lookups.Index = {}
    for result in indexed:
        merged = lookups.merge_into(merged, result.groups)
    engine = job_module.engine_for(spec)
    whole = lookups.build(engine.lookups, [item.data for chunk in chunks for item in chunk.items
                                           if hasattr(item, "data")])
    assert merged == whole and sum(len(t) for t in whole.values()) > 0
    evaluated = [worker.run_chunk(EvaluateJob(spec.with_facts(merged)), chunk) for chunk in chunks]
    assert sum(len(result.outputs) for result in evaluated) > 0  # the evaluation still answers per record


def test_merge_into_gives_what_merge_gives_and_changes_only_its_first_argument() -> None:
    engine = job_module.engine_for(EngineSpec(load_rulebook(LEAVE), other_kinds="skip"))
    data = [item.data for chunk in _chunks() for item in chunk.items if hasattr(item, "data")]
    a, b = lookups.build(engine.lookups, data[::2]), lookups.build(engine.lookups, data[1::2])
    expected, b_before = lookups.merge(a, b), repr(b)
    assert lookups.merge_into(a, b) is a
    assert a == expected and repr(b) == b_before


def test_a_long_lived_worker_keeps_only_its_latest_runners_and_engines() -> None:
    """A Dask worker (or a server) runs many jobs: each runner holds a compiled rulebook and the
    run's index, so the caches are bounded and a new job evicts the least recently used."""
    book = load_rulebook(LEAVE)
    specs = [EngineSpec(book, lang=lang, other_kinds="skip") for lang in book.languages]
    specs += [EngineSpec(book, lang=book.languages[0], on=date(2026, 11, day)) for day in (1, 2, 3)]
    assert len({s.key for s in specs}) > worker.KEEP_RUNNERS
    first = worker.runner_for(EvaluateJob(specs[0]))
    for spec in specs[1:]:
        worker.runner_for(EvaluateJob(spec))
        assert len(worker._RUNNERS) <= worker.KEEP_RUNNERS
        assert len(job_module._ENGINES) <= job_module.KEEP_ENGINES
    assert worker.runner_for(EvaluateJob(specs[-1])) is worker.runner_for(EvaluateJob(specs[-1]))
    assert worker.runner_for(EvaluateJob(specs[0])) is not first  # evicted, built again


def test_the_first_pass_reads_only_lines_that_may_be_of_the_lookups_kinds(tmp_path: Path, monkeypatch: Any) -> None:
    """The first pass skips, unparsed, a line that cannot hold a record of the lookups' kinds; the
    index is the one every record filed gives, whatever way the JSON writes the kind."""
    import json

    from checkengine.batch import source
    from checkengine.batch.ranges import ranged_chunks
    from checkengine.batch.source import JsonLinesFile
    from checkengine.records import Record

    base = {
        "checkengine": 1, "kind": "shift_swap", "id": "S1", "timestamp": "2026-11-11T14:00:00+08:00",
        "site": {"id": "cc-taipei", "country": "TW", "timezone": "Asia/Taipei"},
        "subject": {"employee": "A00014", "role": "agent", "team": "T3"},
        "data": {"requester": "A00014", "counterpart": "A00015", "shift_date": "2026-11-14",
                 "return_date": "2026-11-20", "handover_clear": True, "shift_missed": False}}
    lines = [json.dumps(base)]
    escaped = dict(base, id="S2", data=dict(base["data"], requester="A00016"))
    lines.append(json.dumps(escaped).replace('"shift_swap"', '"shift\\u005fswap"'))  # the kind with an escape
    moved = {k: v for k, v in dict(base, id="S3", data=dict(base["data"], counterpart="A00017")).items() if k != "kind"}
    lines.append(json.dumps({**moved, "kind": "shift_swap"}, ensure_ascii=False))  # the kind last, no spaces
    lines.append(json.dumps({**moved, "kind": "shift_swap"}, separators=(",", ":")))
    lines.append(json.dumps(dict(base, kind="attendance", id="A1", data={"note": "shift_swap"})))  # named elsewhere
    lines.append(json.dumps(dict(base, kind="meeting", id="M1")))
    lines.append('{"kind": "shift_swap", "id": ')  # not JSON
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")

    spec = EngineSpec(load_rulebook(LEAVE), other_kinds="skip")
    parsed: list[str] = []
    real = source.validated

    def counting(item: Any) -> Any:
        parsed.append(item[0] if isinstance(item, tuple) else "")
        return real(item)

    monkeypatch.setattr(worker, "validated", counting)
    merged: lookups.Index = {}
    for chunk in ranged_chunks([JsonLinesFile(path, str(path))], 2):
        merged = lookups.merge_into(merged, worker.run_chunk(IndexJob(spec), chunk).groups)
    every = [source.validated((line, str(path), n)) for n, line in enumerate(lines, 1)]
    whole = lookups.build(job_module.engine_for(spec).lookups,
                          [record.data for record in every if isinstance(record, Record)])
    assert merged == whole
    assert {"A00014", "A00016", "A00017"} <= {key[0] for table in whole.values() for key in table}
    assert len(parsed) == len(lines) - 1  # the meeting's line was never parsed
    assert not any('"meeting"' in text for text in parsed)
