"""JSON as other programs read it: never NaN or Infinity, which JSON does not have.

Inputs with such numbers are refused when they are read; a value that a condition computes (a
division by 0.0) can still be infinite. It is written as null, which says "no number" in JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO


def finite(value: Any) -> Any:
    """*value* with every NaN or infinite float replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """:func:`json.dumps` that writes strict JSON (non-finite numbers as null)."""
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, **options)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False, ensure_ascii=False, **options)


def dump(value: Any, out: TextIO, **options: Any) -> None:
    out.write(dumps(value, **options))
