"""Replaying past records under two rulebooks finds exactly the outcomes that change."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checkengine.archive.add import add_batch
from checkengine.archive.store import open_archive
from checkengine.batch.executors import DaskExecutor, InlineExecutor, LocalExecutor
from checkengine.batch.job import EngineSpec
from checkengine.diff.replay import ReplayJob
from checkengine.diff.run import replay
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import iter_records
from checkengine.rulebook.load import load_rulebook


@pytest.fixture
def books(tmp_path: Path, scenario: ModuleType) -> tuple[Path, Path]:
    old = scenario.write_rulebook(tmp_path / "old.yaml")
    new = scenario.write_rulebook(tmp_path / "new.yaml", version="1.1.0", max_outside=8, min_monitoring=5)
    return old, new


@pytest.fixture
def month(tmp_path: Path, scenario: ModuleType) -> Path:
    path: Path = scenario.write_jsonl(tmp_path / "month.jsonl", 80)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{broken\n")
    return path


def expected_changes(old: Path, new: Path, paths: list[Path]) -> tuple[set[Any], set[Any]]:
    """What Engine.run under each book gives, compared naively."""
    results = [Engine(load_rulebook(p)).run(iter_records(paths, default_registry())) for p in (old, new)]
    records = [{(e["record"]["id"], o["rule"]): o for e in r["records"] for o in e["outcomes"]} for r in results]
    groups = [{(o["rule"], json.dumps(o["group"], sort_keys=True)): o for o in r["groups"]} for r in results]
    changed_records = {(rid, rule, records[0][(rid, rule)]["outcome"], records[1][(rid, rule)]["outcome"],
                        records[0][(rid, rule)]["explanation"], records[1][(rid, rule)]["explanation"])
                       for rid, rule in records[0] if records[0][(rid, rule)]["outcome"] != records[1][(rid, rule)]["outcome"]}
    changed_groups = {(key[0], key[1], groups[0][key]["outcome"], groups[1][key]["outcome"])
                      for key in groups[0] if groups[0][key]["outcome"] != groups[1][key]["outcome"]}
    return changed_records, changed_groups


def found_changes(result: Any) -> tuple[set[Any], set[Any]]:
    records = {(e["record"]["id"], c["rule"], c["old"], c["new"], c["old_explanation"], c["new_explanation"])
               for e in result.changed_entries() for c in e["changes"]}
    groups = {(c.rule, json.dumps(g.group, sort_keys=True), c.old, c.new) for g in result.groups for c in g.changes}
    return records, groups


def test_replay_finds_what_engine_run_finds(books: tuple[Path, Path], month: Path) -> None:
    old, new = books
    expected = expected_changes(old, new, [month])
    job = ReplayJob(EngineSpec(load_rulebook(old)), EngineSpec(load_rulebook(new)))
    result = replay(job, [str(month)], InlineExecutor(), chunk_size=7)
    assert found_changes(result) == expected
    assert expected[0] and expected[1]  # both kinds of change happen in this month
    assert (result.records, result.unusable) == (80, 1)
    assert result.changed_records == len({r[0] for r in expected[0]})
    assert result.transitions[("CND-08-time-outside", "pass", "fail")] == len(expected[0])
    result.close()


@pytest.mark.slow
def test_replay_in_two_processes(books: tuple[Path, Path], month: Path) -> None:
    old, new = books
    job = ReplayJob(EngineSpec(load_rulebook(old)), EngineSpec(load_rulebook(new)))
    result = replay(job, [str(month)], LocalExecutor(2), chunk_size=9)
    assert found_changes(result) == expected_changes(old, new, [month])
    result.close()


def test_replay_from_the_archive(archive_at: str, books: tuple[Path, Path], month: Path) -> None:
    """From a SQLite file and from a PostgreSQL URL alike."""
    old, new = books
    db = archive_at
    with open_archive(db, write=True) as archive:
        add_batch(archive, EngineSpec(load_rulebook(old)), [month], InlineExecutor(), language="en")
        # A re-evaluation archives the records again: the replay still sees each record once.
        add_batch(archive, EngineSpec(load_rulebook(old)), [month], InlineExecutor(), language="en")
    job = ReplayJob(EngineSpec(load_rulebook(old)), EngineSpec(load_rulebook(new)))
    from_archive = replay(job, [str(db)], InlineExecutor())
    assert found_changes(from_archive) == expected_changes(old, new, [month])
    assert (from_archive.records, from_archive.unusable) == (80, 0)  # unusable lines were never archived
    from_archive.close()


def test_a_record_unusable_under_one_book_only(tmp_path: Path, books: tuple[Path, Path], scenario: ModuleType) -> None:
    old, _ = books
    data = scenario.rulebook(version="2.0.0")
    data["sections"][0]["rules"][0]["check"]["field"] = "observations.uniform_colour"
    import yaml

    (tmp_path / "v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    records = scenario.write_jsonl(tmp_path / "few.jsonl", 4)
    job = ReplayJob(EngineSpec(load_rulebook(old)), EngineSpec(load_rulebook(tmp_path / "v2.yaml")))
    result = replay(job, [str(records)], InlineExecutor())
    first = next(result.changed_entries())
    assert first["changes"][0] == {
        "rule": "(record)", "old": "usable", "new": "unusable", "old_explanation": None,
        "new_explanation": "missing required observation 'observations.uniform_colour' (rule DRS-01-uniform reads "
                           "it); add it, or set it to null if it could not be observed",
    }
    result.close()


@pytest.mark.slow
def test_replay_on_dask_equals_local(dask_scheduler: str, books: tuple[Path, Path], month: Path,
                                     tmp_path: Path) -> None:
    """The replay on a Dask cluster finds what the local one finds, from files and from an archive."""
    old, new = books
    db = tmp_path / "a.sqlite"
    with open_archive(db, write=True) as archive:
        add_batch(archive, EngineSpec(load_rulebook(old)), [month], InlineExecutor(), language="en")
    job = ReplayJob(EngineSpec(load_rulebook(old)), EngineSpec(load_rulebook(new)))
    for sources in ([str(month)], [str(db)]):
        local = replay(job, sources, InlineExecutor(), chunk_size=9)
        remote = replay(job, sources, DaskExecutor(dask_scheduler), chunk_size=9)
        assert list(remote.changed_entries()) == list(local.changed_entries())
        assert [g.as_dict() for g in remote.groups] == [g.as_dict() for g in local.groups]
        assert (remote.records, remote.unusable, remote.transitions) == (local.records, local.unusable,
                                                                         local.transitions)
        assert found_changes(remote) == expected_changes(old, new, [month])
        local.close()
        remote.close()
