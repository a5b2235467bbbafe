"""Fixtures of the batch tests: the scenario rulebook and month of records (see scenario.py).

The archive, report, diff and command tests use the same scenario: their conftest (or module)
puts this folder on ``sys.path`` and imports ``scenario``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

import scenario as scenario_module


@pytest.fixture(scope="session")
def scenario() -> ModuleType:
    return scenario_module


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path: Path = scenario_module.write_rulebook(tmp_path / "scenario.yaml")
    return path


@pytest.fixture
def stream(tmp_path: Path) -> Path:
    """300 records as JSON Lines."""
    path: Path = scenario_module.write_jsonl(tmp_path / "month.jsonl", 300)
    return path
