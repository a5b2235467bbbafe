"""Fixtures of the batch tests: the scenario rulebook and month of records (see scenario.py).

The scenario and its fixtures (``scenario``, ``book_path``, ``stream``) live in tests/conftest.py,
shared with the archive, report, diff and command tests; the batch tests stream more records.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def stream_records() -> int:
    """300 records as JSON Lines."""
    return 300
