"""Fixtures of the store tests (helpers in storetest.py)."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from storetest import Raw, archive_once, raw_rows


@pytest.fixture
def db(archive_at: str) -> Raw:
    """``db(sql)``: the rows of *sql* in the test's archive, read with the database's own client."""
    return lambda sql: raw_rows(archive_at, sql)


@pytest.fixture
def archived() -> Callable[..., tuple[int, Any]]:
    """``archived(location, book_path, paths, **options)``: one ``add_batch`` run, (run id, tally)."""
    return archive_once
