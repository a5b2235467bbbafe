"""Validation of YAML documents against checkengine's JSON Schemas, with located, readable errors.

:mod:`.schemas` holds the schemas and their validators (the record schema composed from the
registered record kinds); :mod:`.messages` turns a violation into a message.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from checkengine import limits
from checkengine.errors import Location, UserError
from checkengine.validation.messages import _explain as _explain  # engine.py explains check options
from checkengine.validation.messages import _leaves, _misspelt_required
from checkengine.validation.schemas import (
    BASE, SCHEMA_NAMES, Schema, compiled, format_checker, full, record_schema, schema, validator,
)
from checkengine.yamlio import Document, format_path


def errors(name: str | Schema, doc: Document, *, subpath: tuple[str | int, ...] = ()) -> list[UserError]:
    """Every violation of schema *name* (or the :class:`Schema` given) by ``doc.data``, or by the
    value at *subpath*, located and explained."""
    checked = compiled(name) if isinstance(name, str) else name
    instance: Any = doc.data
    for part in subpath:
        instance = instance[part]
    numbers = list(_number_errors(instance, doc, subpath))
    if numbers:
        return numbers
    if checked.fast_valid(instance):
        return []
    raw = list(_leaves(checked.validator.iter_errors(instance)))
    found = [_explain(err, doc, subpath) for err in raw if not _misspelt_required(err, raw)]
    if not found:  # never accept what the fast validator refused (a test keeps this unused)
        found = _fast_errors(checked, instance, doc, subpath)
    found.sort(key=lambda e: (e.location.line or 0, e.location.column or 0))
    return found


def _number_errors(instance: Any, doc: Document, subpath: tuple[str | int, ...]) -> Iterator[UserError]:
    """Numbers no schema can describe: NaN and infinities (YAML's .nan, .inf), and integers
    outside the signed 64-bit range that CEL computes with."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(instance, tuple(subpath))]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, path + (k,)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, path + (i,)) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, float) and not math.isfinite(value):
            yield UserError(f"{value} is not a number checkengine can use; write a finite number "
                            "(or null when it is not known)", doc.location(path))
        elif isinstance(value, int) and not isinstance(value, bool) and \
                not limits.INT_MIN <= value <= limits.INT_MAX:
            shown = str(value) if len(str(value)) <= 30 else f"a {len(str(value))}-digit number"
            yield UserError(f"{shown} is out of range: whole numbers must lie between "
                            f"{limits.INT_MIN} and {limits.INT_MAX}", doc.location(path))


def _fast_errors(checked: Schema, instance: Any, doc: Document, subpath: tuple[str | int, ...]) -> list[UserError]:
    out = []
    for err in checked.fast.iter_errors(instance) if checked.fast is not None else ():
        path = tuple(subpath) + tuple(err.instance_path)
        out.append(UserError(str(err.message), doc.location(path)))
    return out


def _fast_validator(name: str) -> Any:
    """The fast (jsonschema_rs) validator of schema *name*, or None without jsonschema_rs."""
    return compiled(name).fast


def validate(name: str | Schema, doc: Document) -> None:
    """Raise the first schema violation as a :class:`UserError`."""
    problems = errors(name, doc)
    if problems:
        raise problems[0]


def located_path(path: tuple[str | int, ...]) -> str:
    return format_path(path)


def raise_at(doc: Document, path: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
    raise UserError(message, doc.location(path, key=key))


__all__ = ["BASE", "Location", "SCHEMA_NAMES", "Schema", "errors", "format_checker", "full", "record_schema",
           "schema", "validate", "validator"]
