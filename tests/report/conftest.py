"""Fixtures of the report tests: an archive of two months of the batch tests' scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import scenario as scenario_module  # tests/batch, on sys.path by tests/conftest.py

from checkengine.archive.add import add_batch
from checkengine.archive.store import open_archive
from checkengine.batch.executors import InlineExecutor
from checkengine.batch.job import EngineSpec
from checkengine.rulebook.load import load_rulebook

# Monitoring asks for more calls than some agents got, so that coverage has agents below it.
MIN_MONITORING = 42


@pytest.fixture(scope="session")
def month_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("months")
    oct_ = scenario_module.write_jsonl(folder / "oct.jsonl", 400, month="2026-10", seed=3)
    nov = scenario_module.write_jsonl(folder / "nov.jsonl", 800, month="2026-11", seed=4)
    # E009 works on the floor in November but is never monitored.
    with nov.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({
            "kind": "floor_inspection", "id": "FL-E009", "timestamp": "2026-11-20T10:00:00+08:00",
            "site": scenario_module.SITE, "subject": {"employee": "E009", "role": "agent", "team": "T1"},
            "observations": {"uniform": False, "badge": "standard", "minutes_outside": 2}}) + "\n")
    return {"book": scenario_module.write_rulebook(folder / "book.yaml", min_monitoring=MIN_MONITORING),
            "oct": oct_, "nov": nov}


def make_archive(location: str, month_files: dict[str, Path]) -> str:
    spec = EngineSpec(load_rulebook(month_files["book"]))
    with open_archive(location, write=True) as opened:
        add_batch(opened, spec, [month_files["oct"], month_files["nov"]], InlineExecutor(), language="en")
    return location


@pytest.fixture(scope="session", params=("sqlite", "postgresql"))
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            month_files: dict[str, Path]) -> str:
    """The two months archived, in SQLite and in PostgreSQL: every report test reads both."""
    if request.param == "sqlite":
        location = str(tmp_path_factory.mktemp("archive") / "archive.sqlite")
    else:
        location = request.getfixturevalue("postgres").new_database()
    return make_archive(location, month_files)
