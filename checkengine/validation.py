"""Validation of YAML documents against checkengine's JSON Schemas, with located, readable errors."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from checkengine.errors import Location, UserError
from checkengine.yamlio import Document, format_path

SCHEMA_NAMES = ("rulebook", "sources", "waivers", "record", "result", "tests")
BASE = "https://checkengine.dev/schemas/"


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``<name>.schema.json`` shipped in the package."""
    text = resources.files("checkengine.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=None)
def _registry() -> Registry:
    pairs = []
    for name in SCHEMA_NAMES:
        try:
            pairs.append((BASE + f"{name}.schema.json", Resource.from_contents(schema(name))))
        except FileNotFoundError:  # pragma: no cover - only while a schema is being added
            continue
    return Registry().with_resources(pairs)


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        schema(name), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(name: str, doc: Document, *, subpath: tuple[str | int, ...] = ()) -> list[UserError]:
    """Every schema violation of ``doc.data`` (or of the value at *subpath*), located and explained."""
    instance: Any = doc.data
    for part in subpath:
        instance = instance[part]
    found = []
    for err in _leaves(validator(name).iter_errors(instance)):
        found.append(_explain(err, doc, subpath))
    found.sort(key=lambda e: (e.location.line or 0, e.location.column or 0))
    return found


def validate(name: str, doc: Document) -> None:
    """Raise the first schema violation as a :class:`UserError`."""
    problems = errors(name, doc)
    if problems:
        raise problems[0]


def _leaves(errs: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Replace anyOf/oneOf errors by the most relevant error of their best branch."""
    for err in errs:
        if err.validator in ("anyOf", "oneOf") and err.context:
            best = jsonschema.exceptions.best_match(err.context)
            # A branch that failed only because of its type is less telling than the union itself.
            if best is not None and best.validator != "type":
                yield best
                continue
        yield err


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _explain(err: ValidationError, doc: Document, subpath: tuple[str | int, ...]) -> UserError:
    path = tuple(subpath) + tuple(err.absolute_path)
    where = doc.location(path)
    v = err.validator
    value = err.instance
    if v == "additionalProperties" and isinstance(value, dict):
        allowed = sorted((err.schema.get("properties") or {}).keys())
        extra = [k for k in value if k not in allowed]
        key = extra[0] if extra else "?"
        hint = _did_you_mean(key, allowed)
        message = f"unknown key '{key}'{hint}; allowed keys: {', '.join(allowed)}"
        where = doc.location(path + (key,), key=True)
        return UserError(message, where)
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return UserError(f"missing required key '{missing}'; add it", where)
    if v == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        return UserError(f"expected {words}, got {_describe(value)}", where)
    if v == "enum":
        options = ", ".join(json.dumps(o, ensure_ascii=False) for o in err.validator_value)
        hint = _did_you_mean(str(value), [str(o) for o in err.validator_value])
        return UserError(f"{_describe(value)} is not allowed{hint}; expected one of: {options}", where)
    if v == "const":
        return UserError(
            f"expected {json.dumps(err.validator_value)}, got {_describe(value)}", where
        )
    if v == "format":
        fmt = err.validator_value
        example = {"date": "2026-11-03", "date-time": "2026-11-03T09:15:00+08:00"}.get(fmt, "")
        extra = f" (e.g. {example})" if example else ""
        return UserError(f"{_describe(value)} is not a valid {fmt}{extra}", where)
    if v == "pattern" and isinstance(value, str) and "T" in value and "[+-]" in str(err.validator_value):
        return UserError(
            f"{_describe(value)} has no time zone; add the offset, e.g. {value[:19]}+08:00 (or Z for UTC)",
            where,
        )
    if v == "pattern":
        return UserError(
            f"{_describe(value)} does not have the expected form (pattern {err.validator_value})", where
        )
    if v == "propertyNames":
        bad = err.instance if isinstance(err.instance, str) else None
        return UserError(f"the key {_describe(bad)} is not allowed here: {err.message}", where)
    if v in ("minItems", "minProperties"):
        return UserError(f"must not be empty ({err.message})", where)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return UserError(f"{_describe(value)} is out of range: {err.message}", where)
    if v == "uniqueItems":
        return UserError("the list has duplicate items; remove them", where)
    return UserError(err.message, where)


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def located_path(path: tuple[str | int, ...]) -> str:
    return format_path(path)


def raise_at(doc: Document, path: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
    raise UserError(message, doc.location(path, key=key))


__all__ = ["Location", "errors", "schema", "validate", "validator"]
