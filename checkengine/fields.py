"""Reading a record's values as check types do: :func:`get_path` follows a dotted path
(``observations.badge``, ``data.turns.0.text``) and answers :data:`MISSING` where the record has
nothing, which is falsy and never equal to a value the record could hold; :func:`parse_datetime`
and :func:`parse_date` read ISO 8601 values (None when a value is not one). Part of the
check-type API: :mod:`checkengine.checks` exports them to plugins.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted *path* (``observations.badge``, ``data.turns.0.text``), or MISSING."""
    current = data
    for part in _parts(path):
        if type(current) is dict or isinstance(current, Mapping):  # dict first: the common, fast case
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string (or None if it is not one)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
