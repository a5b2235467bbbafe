"""JSON as other programs read it: never NaN or Infinity, which JSON does not have.

Inputs with such numbers are refused when they are read; a value that a condition computes (a
division by 0.0) can still be infinite. It is written as null, which says "no number" in JSON.

Compact output (no options) is encoded by orjson, in C: the standard library's encoder was most of
the cost of writing a result. orjson writes NaN and Infinity as null too, and UTF-8 as it is (as
``ensure_ascii=False``); what it does not take (integers past 64 bits, keys that are not strings,
dates, objects) falls back to the standard library's encoder, which behaves as before.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO

import orjson

# Dates, dataclasses and subclasses go to the standard library's encoder as before (which refuses
# what JSON has no type for), rather than being written in orjson's own way.
_ORJSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


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
    """Strict JSON (non-finite numbers as null): compact (``{"a":1}``) without *options*, else
    :func:`json.dumps` with them (``indent=2``, ``sort_keys=True`` ...)."""
    if not options:
        try:
            return orjson.dumps(value, option=_ORJSON).decode("utf-8")
        except TypeError:
            options = {"separators": (",", ":")}
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, **options)
    except ValueError:
        return json.dumps(finite(value), allow_nan=False, ensure_ascii=False, **options)


def dump(value: Any, out: TextIO, **options: Any) -> None:
    out.write(dumps(value, **options))
