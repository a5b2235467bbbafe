"""Reading a record's field for a verdict lane (:meth:`checkengine.checks.CompiledCheck.fast_verdict`):
:func:`path_reader` makes, once per rule, a reader of one dotted path that answers what
:func:`~checkengine.fields.get_path` answers on plain JSON data (the value, or :data:`MISSING`),
and :data:`UNSURE` wherever the two could differ (a list or a mapping that is not a dict on the
way), so that the check's own ``run`` decides there.
"""

from __future__ import annotations

from typing import Any, Callable

from checkengine.fields import MISSING


class _Unsure:
    def __repr__(self) -> str:
        return "UNSURE"


#: a :func:`path_reader`'s answer where only :func:`~checkengine.fields.get_path` can tell
UNSURE: Any = _Unsure()

# Values get_path cannot step into: a path through one of them is MISSING.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def path_reader(path: str) -> Callable[[Any], Any]:
    """A reader of the dotted *path* (``observations.badge``) on a record's data."""
    parts = tuple(path.split("."))
    if len(parts) == 2:  # the common case (observations.x, data.x): no loop
        first, second = parts

        def read_two(data: Any) -> Any:
            if type(data) is not dict:
                return UNSURE
            inner = data.get(first, MISSING)
            if type(inner) is dict:
                return inner.get(second, MISSING)
            if inner is MISSING or type(inner) in _LEAVES:
                return MISSING
            return UNSURE

        return read_two

    def read(data: Any) -> Any:
        current = data
        for part in parts:
            if type(current) is dict:
                current = current.get(part, MISSING)
                if current is MISSING:
                    return MISSING
            elif type(current) in _LEAVES:
                return MISSING
            else:
                return UNSURE
        return current

    return read


__all__ = ["UNSURE", "path_reader"]
