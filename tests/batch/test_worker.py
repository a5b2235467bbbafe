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
