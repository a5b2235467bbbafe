"""Fixtures of the diff tests: the batch tests' scenario."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))

import scenario as scenario_module  # noqa: E402


@pytest.fixture(scope="session")
def scenario() -> ModuleType:
    return scenario_module


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path: Path = scenario_module.write_rulebook(tmp_path / "scenario.yaml")
    return path


@pytest.fixture
def stream(tmp_path: Path) -> Path:
    path: Path = scenario_module.write_jsonl(tmp_path / "month.jsonl", 200)
    return path
