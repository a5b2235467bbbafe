"""Validation of YAML documents against checkengine's JSON Schemas, with located, readable errors."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Iterator

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from checkengine import formats, limits
from checkengine.errors import Location, UserError
from checkengine.schema_words import (
    _KEY_EXAMPLES, _PATTERNS, _describe, _did_you_mean, _example, _example_value, _unique, _words,
)
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
def format_checker() -> FormatChecker:
    """jsonschema's format checker with checkengine's own date, date-time and time-zone formats
    (the same functions the fast validator is given: :mod:`checkengine.formats`)."""
    checker = FormatChecker()
    for name, check in formats.CHECKS.items():
        checker.checks(name)(check)
    return checker


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_inlined(name), registry=_registry(), format_checker=format_checker())


def _inlined(name: str) -> dict[str, Any]:
    """Schema *name* with each ``$ref`` replaced by what it points to.

    Resolving references is a good part of jsonschema's time on a large rulebook (every rule's
    texts, dates and clause references are references); the shipped schemas are not recursive,
    so they can be expanded once. A reference met again inside itself is left as it is.
    """
    out: dict[str, Any] = _expand(schema(name), name, ())
    return out


def _expand(node: Any, doc: str, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_expand(item, doc, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and "#/" in ref:
        target_doc = ref.split("#", 1)[0].removesuffix(".schema.json") or doc
        key = f"{target_doc}#{ref.split('#', 1)[1]}"
        if key not in seen and target_doc in SCHEMA_NAMES:
            target: Any = schema(target_doc)
            for part in ref.split("#/", 1)[1].split("/"):
                target = target[part]
            merged = {**_expand(target, target_doc, seen + (key,)),
                      **{k: _expand(v, doc, seen) for k, v in node.items() if k != "$ref"}}
            return merged
    return {k: (v if k == "$defs" else _expand(v, doc, seen)) for k, v in node.items()}


def errors(name: str, doc: Document, *, subpath: tuple[str | int, ...] = ()) -> list[UserError]:
    """Every schema violation of ``doc.data`` (or of the value at *subpath*), located and explained."""
    instance: Any = doc.data
    for part in subpath:
        instance = instance[part]
    numbers = list(_number_errors(instance, doc, subpath))
    if numbers:
        return numbers
    if _fast_valid(name, instance):
        return []
    raw = list(_leaves(validator(name).iter_errors(instance)))
    found = [_explain(err, doc, subpath) for err in raw if not _misspelt_required(err, raw)]
    if not found:  # never accept what the fast validator refused (a test keeps this unused)
        found = _fast_errors(name, instance, doc, subpath)
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


def _fast_errors(name: str, instance: Any, doc: Document, subpath: tuple[str | int, ...]) -> list[UserError]:
    fast = _fast_validator(name)
    out = []
    for err in fast.iter_errors(instance) if fast is not None else ():
        path = tuple(subpath) + tuple(err.instance_path)
        out.append(UserError(str(err.message), doc.location(path)))
    return out


@lru_cache(maxsize=None)
def _fast_validator(name: str) -> Any:
    """A validator from the Rust-based ``jsonschema_rs``, or None when it is not installed.

    It answers "valid or not" about fifty times faster than ``jsonschema``; the Python validator
    is still what explains an invalid document, so messages do not depend on which one ran.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - it is a dependency, but only a speed-up
        return None
    registry = jsonschema_rs.Registry(
        [(BASE + f"{n}.schema.json", schema(n)) for n in SCHEMA_NAMES if _exists(n)]
    )
    # The shipped schemas have no $id (their relative $refs resolve beside the file, offline, in
    # editors and check-jsonschema); here they are resolved against the registry's keys.
    return jsonschema_rs.validator_for(schema(name), registry=registry, validate_formats=True,
                                       base_uri=BASE + f"{name}.schema.json", formats=formats.CHECKS)


def _exists(name: str) -> bool:
    return resources.files("checkengine.schemas").joinpath(f"{name}.schema.json").is_file()


def _fast_valid(name: str, instance: Any) -> bool:
    fast = _fast_validator(name)
    return bool(fast is not None and fast.is_valid(instance))


def validate(name: str, doc: Document) -> None:
    """Raise the first schema violation as a :class:`UserError`."""
    problems = errors(name, doc)
    if problems:
        raise problems[0]


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


def located_path(path: tuple[str | int, ...]) -> str:
    return format_path(path)


def raise_at(doc: Document, path: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
    raise UserError(message, doc.location(path, key=key))


__all__ = ["Location", "errors", "schema", "validate", "validator"]
