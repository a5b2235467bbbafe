"""Validation of YAML documents against checkengine's JSON Schemas, with located, readable errors.

:mod:`.schemas` holds the schemas and their validators (the record schema composed from the
registered record kinds); :mod:`.messages` turns a violation into a message.
"""

from __future__ import annotations

import math
import weakref
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
    if isinstance(name, str) and not subpath and _known_valid(doc, name):
        return []
    checked = compiled(name) if isinstance(name, str) else name
    instance: Any = doc.data
    for part in subpath:
        instance = instance[part]
    odd = instance is not doc.plain_numbers and _odd_numbers(instance)  # the YAML build looked already
    numbers = list(_number_errors(instance, doc, subpath)) if odd else []
    if numbers:
        return numbers
    if checked.fast_valid(instance):
        if isinstance(name, str) and not subpath:
            _remember_valid(doc, name)
        return []
    raw = list(_leaves(checked.validator.iter_errors(instance)))
    found = [_explain(err, doc, subpath) for err in raw if not _misspelt_required(err, raw)]
    if not found:  # never accept what the fast validator refused (a test keeps this unused)
        found = _fast_errors(checked, instance, doc, subpath)
    found.sort(key=lambda e: (e.location.line or 0, e.location.column or 0))
    return found


# (id of a document, schema name) -> (the document, weakly; the id of its data when it was found
# valid). A file is checked once per schema however many readers ask (lint validates every file,
# then the rulebook loader asks again for the ones it merges). Documents are not changed once read;
# one whose data was replaced is checked again. An entry goes when its document does.
_VALID: dict[tuple[int, str], tuple[weakref.ref[Document], int]] = {}


def _known_valid(doc: Document, name: str) -> bool:
    known = _VALID.get((id(doc), name))
    return known is not None and known[0]() is doc and known[1] == id(doc.data)


def _remember_valid(doc: Document, name: str) -> None:
    key = (id(doc), name)
    _VALID[key] = (weakref.ref(doc, lambda _: _VALID.pop(key, None)), id(doc.data))


def _odd_numbers(instance: Any) -> bool:
    """Whether *instance* holds a number :func:`_number_errors` refuses: a walk without the paths,
    which only a document that has one needs."""
    stack = [instance]
    pop, extend, low, high = stack.pop, stack.extend, limits.INT_MIN, limits.INT_MAX
    while stack:
        value = pop()
        kind = type(value)
        if kind is dict:
            extend(value.values())
        elif kind is list:
            extend(value)
        elif kind is str or kind is bool or value is None:
            continue
        elif isinstance(value, dict):
            extend(value.values())
        elif isinstance(value, list):
            extend(value)
        elif isinstance(value, float) and not math.isfinite(value):
            return True
        elif isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            return True
    return False


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
