"""Schema violations as messages: where, what is wrong, what is allowed, how to fix it.

jsonschema's errors name a schema keyword; these say it in words, pick the branch of a union the
value was meant for, and point at the key rather than the mapping when a key is the culprit.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from checkengine import formats
from checkengine.errors import UserError
from checkengine.schema_words import (
    _KEY_EXAMPLES, _PATTERNS, _describe, _did_you_mean, _example, _example_value, _unique, _words,
)
from checkengine.yamlio import Document

if TYPE_CHECKING:  # jsonschema is imported only to explain an invalid document (start-up time)
    from jsonschema.exceptions import ValidationError


def _leaves(errs: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Replace anyOf/oneOf errors by the errors of the branch the value was meant for.

    A branch whose type matches the value (a mapping given where a mapping or a string is
    allowed) is the one meant, and its own errors say what is wrong. When no branch's type
    matches, the union error itself is kept and explained as "expected A or B".
    """
    for err in errs:
        if err.validator in ("anyOf", "oneOf") and err.context:
            typed = [subs for subs in _branches(err) if not any(_wrong_type(s) for s in subs)]
            if typed:
                meant: list[ValidationError] = min(typed, key=_count)
                yield from _leaves(meant)
                continue
        yield err


def _count(errs: list[ValidationError]) -> int:
    return len(errs)


def _wrong_type(err: ValidationError) -> bool:
    """Whether *err* says the value itself has none of the types a (sub)schema allows."""
    if err.relative_path:
        return False
    if err.validator == "type":
        return True
    if err.validator in ("anyOf", "oneOf") and err.context:
        return all(any(_wrong_type(s) for s in subs) for subs in _branches(err))
    return False


def _branches(err: ValidationError) -> list[list[ValidationError]]:
    """A union error's sub-errors, grouped by the branch they come from."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in err.context or []:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    return list(branches.values())


def _branch_schemas(err: ValidationError) -> list[Any]:
    """The schemas of a union's branches, with ``$ref`` resolved where the errors show them."""
    schemas = list(err.validator_value)
    for sub in err.context or []:
        index = sub.relative_schema_path[0]
        if isinstance(index, int) and not sub.relative_path and sub.validator == "type":
            schemas[index] = sub.schema
        elif isinstance(index, int) and not sub.relative_path and sub.validator in ("anyOf", "oneOf"):
            schemas[index] = {"anyOf": _branch_schemas(sub)}
    return schemas


def _misspelt_required(err: ValidationError, others: list[ValidationError]) -> bool:
    """A missing key that an unknown key of the same mapping misspells: that error says it all."""
    if err.validator != "required" or not isinstance(err.instance, dict):
        return False
    missing = _missing_key(err)
    return any(
        o.validator == "additionalProperties" and o.instance is err.instance
        and _did_you_mean(missing, [k for k in o.instance if k not in (o.schema.get("properties") or {})])
        for o in others
    )


def _date_problem(value: str) -> str:
    """Why a YYYY-MM-DD-looking string is not a date, or how to write one."""
    return formats.date_problem(value) or "write dates as YYYY-MM-DD (e.g. 2026-11-03)"


def _missing_key(err: ValidationError) -> str:
    found = re.match(r"^'([^']*)'", err.message)
    return found.group(1) if found else err.message


def _explain(err: ValidationError, doc: Document, subpath: tuple[str | int, ...]) -> UserError:
    path = tuple(subpath) + tuple(err.absolute_path)
    where = doc.location(path)
    v = err.validator
    value = err.instance
    key = path[-1] if path else None
    if _is_property_name(err, doc, path):
        # propertyNames errors point at the mapping; the culprit is one of its keys.
        name = str(value)
        where = doc.location(path + (name,), key=True)
        if v == "format":
            return UserError(f"the key '{name}' is not a valid date: {_date_problem(name)}", where)
        if v == "pattern" and err.validator_value in _PATTERNS:
            words, example = _PATTERNS[err.validator_value]
            return UserError(f"the key '{name}' is not allowed here: use {words} (e.g. {example})", where)
        return UserError(f"the key '{name}' is not allowed here: {err.message}", where)
    if v == "additionalProperties" and isinstance(value, dict):
        allowed = sorted((err.schema.get("properties") or {}).keys())
        extra = [k for k in value if k not in allowed]
        unknown = extra[0] if extra else "?"
        hint = _did_you_mean(unknown, allowed)
        if hint:
            message = f"unknown key '{unknown}' (did you mean '{hint}'?); the keys allowed here are: "
        else:
            message = f"unknown key '{unknown}': remove it, or use one of the keys allowed here: "
        return UserError(message + ", ".join(allowed), doc.location(path + (unknown,), key=True))
    if v == "required":
        missing = _missing_key(err)
        spec = (err.schema.get("properties") or {}).get(missing)
        extra = [k for k in value if k not in (err.schema.get("properties") or {})] \
            if isinstance(value, dict) else []
        typo = _did_you_mean(missing, extra)
        if typo:
            return UserError(f"missing required key '{missing}' (is '{typo}' a misspelling of it?); "
                             f"rename '{typo}' to '{missing}'", where)
        sample = _example(spec, missing) or (
            f" (e.g. {missing}: {_KEY_EXAMPLES[missing]})" if missing in _KEY_EXAMPLES else "")
        return UserError(f"missing required key '{missing}'; add it{sample}", where)
    if v == "type":
        words = _words(err.schema)
        fix = _example(err.schema, key)
        if err.schema.get("type") == "array" and isinstance(value, (str, int, float)) and isinstance(key, str):
            fix = f"; write a list, e.g. {key}: [{value}]"
        return UserError(f"expected {words}, got {_describe(value)}{fix}", where)
    if v in ("anyOf", "oneOf"):
        meant = next(iter(_leaves([err])), err)
        if meant is not err:  # callers that skip _leaves (check options) still get the right branch
            return _explain(meant, doc, subpath)
        branches = _branch_schemas(err)
        options = _unique(_words(branch) for branch in branches)
        examples = [e for e in _unique(_example_value(b) or "" for b in branches) if e]
        shown = ""
        if examples and isinstance(key, str):
            shown = " (e.g. " + ", or ".join(f"{key}: {e}" for e in examples) + ")"
        return UserError(f"expected {' or '.join(options)}, got {_describe(value)}{shown}", where)
    if v == "enum":
        choices = ", ".join(json.dumps(o, ensure_ascii=False) for o in err.validator_value)
        hint = _did_you_mean(str(value), [str(o) for o in err.validator_value])
        guess = f" (did you mean '{hint}'?)" if hint else ""
        return UserError(f"{_describe(value)} is not allowed{guess}; expected one of: {choices}", where)
    if v == "const":
        const = json.dumps(err.validator_value, ensure_ascii=False)
        fix = f"; write {key}: {const}" if isinstance(key, str) else ""
        return UserError(f"expected {const}, got {_describe(value)}{fix}", where)
    if v == "format" and err.validator_value == "date":
        return UserError(f"{_describe(value)} is not a valid date: {_date_problem(str(value))}", where)
    if v == "format" and err.validator_value in formats.PROBLEMS and isinstance(value, str):
        why = formats.PROBLEMS[err.validator_value](value)
        if why and why.startswith("has no time zone"):
            return UserError(f"{_describe(value)} has no time zone; add the offset, e.g. "
                             f"{value[:19]}+08:00 (or Z for UTC)", where)
        if why and why.startswith("is not"):
            return UserError(f"{_describe(value)} {why}", where)
        if why:
            return UserError(f"{_describe(value)} is not a valid {err.validator_value}: {why}", where)
    if v == "format":
        fmt = err.validator_value
        sample = {"date-time": "2026-11-03T09:15:00+08:00"}.get(fmt, "")
        shown = f" (e.g. {sample})" if sample else ""
        return UserError(f"{_describe(value)} is not a valid {fmt}{shown}", where)
    if v == "pattern" and isinstance(value, str) and "T" in value and "[+-]" in str(err.validator_value):
        return UserError(
            f"{_describe(value)} has no time zone; add the offset, e.g. {value[:19]}+08:00 (or Z for UTC)",
            where,
        )
    if v == "pattern" and err.validator_value in _PATTERNS:
        words, example = _PATTERNS[err.validator_value]
        return UserError(f"{_describe(value)} is not allowed here: use {words} (e.g. {example})", where)
    if v == "pattern":
        return UserError(
            f"{_describe(value)} does not have the expected form (pattern {err.validator_value})", where
        )
    if v in ("minItems", "minProperties"):
        what = "item" if v == "minItems" else "key"
        count = "one" if err.validator_value == 1 else str(err.validator_value)
        plural = "" if err.validator_value == 1 else "s"
        return UserError(f"must not be empty: give at least {count} {what}{plural}, or leave the key "
                         "out", where)
    if v == "minLength":
        return UserError("must not be empty: write some text, or leave the key out", where)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}[str(v)]
        return UserError(f"{_describe(value)} is out of range: it must be {bound} {err.validator_value}",
                         where)
    if v == "uniqueItems":
        return UserError("the list has duplicate items; remove them", where)
    return UserError(err.message, where)


def _is_property_name(err: ValidationError, doc: Document, path: tuple[str | int, ...]) -> bool:
    """Whether *err* is about a key of the mapping at *path* rather than the mapping itself."""
    if not isinstance(err.instance, str) or "propertyNames" not in err.schema_path:
        return False
    target: Any = doc.data
    try:
        for part in path:
            target = target[part]
    except (KeyError, IndexError, TypeError):
        return False
    return isinstance(target, dict) and err.instance in target


