"""Fixtures of the batch, archive and report command tests: the scenario's rulebook and records."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture
def book(tmp_path: Path, scenario: ModuleType) -> Path:
    path: Path = scenario.write_rulebook(tmp_path / "book.yaml")
    return path


@pytest.fixture
def month(tmp_path: Path, scenario: ModuleType) -> Path:
    path: Path = scenario.write_jsonl(tmp_path / "month.jsonl", 120)
    return path
