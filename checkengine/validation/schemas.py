"""checkengine's JSON Schemas: the shipped files, the record schema composed from the registered
record kinds, and the two validators of each (jsonschema explains, jsonschema_rs decides fast)."""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
import pkgutil
from typing import TYPE_CHECKING, Any

from checkengine import formats

if TYPE_CHECKING:
    # jsonschema (and referencing) only explain an invalid document: valid ones are decided by
    # jsonschema_rs, so a command over valid files never imports them (start-up time).
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry

    from checkengine.kinds import RecordKind
    from checkengine.plugins import Registry as PluginRegistry

SCHEMA_NAMES = ("rulebook", "sources", "waivers", "record", "result", "tests")
BASE = "https://checkengine.dev/schemas/"


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``<name>.schema.json`` shipped in the package (for ``record``, the envelope:
    :func:`full` adds the registered kinds)."""
    # pkgutil reads through the package's loader, as importlib.resources does, without importing
    # tempfile and zipfile (7 ms of every command's start-up)
    data = pkgutil.get_data("checkengine.schemas", f"{name}.schema.json")
    assert data is not None  # a package always has a loader that reads its files
    loaded: dict[str, Any] = json.loads(data.decode("utf-8"))
    return loaded


def _exists(name: str) -> bool:
    try:
        pkgutil.get_data("checkengine.schemas", f"{name}.schema.json")
    except OSError:
        return False
    return True


@lru_cache(maxsize=None)
def _registry() -> Registry:
    from referencing import Registry, Resource

    pairs = [(BASE + f"{name}.schema.json", Resource.from_contents(schema(name)))
             for name in SCHEMA_NAMES if _exists(name)]
    return Registry().with_resources(pairs)


@lru_cache(maxsize=None)
def format_checker() -> FormatChecker:
    """jsonschema's format checker with checkengine's own date, date-time and time-zone formats
    (the same functions the fast validator is given: :mod:`checkengine.formats`)."""
    from jsonschema import FormatChecker

    checker = FormatChecker()
    for name, check in formats.CHECKS.items():
        checker.checks(name)(check)
    return checker


class Schema:
    """One schema (*name* says which file its references resolve beside) and its validators,
    each built when first used."""

    def __init__(self, name: str, contents: dict[str, Any]) -> None:
        self.name, self.contents = name, contents

    @cached_property
    def validator(self) -> Draft202012Validator:
        """jsonschema's validator, which explains an invalid document."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(_expand(self.contents, self.name, ()), registry=_registry(),
                                    format_checker=format_checker())

    @cached_property
    def fast(self) -> Any:
        """A validator from the Rust-based ``jsonschema_rs``, or None when it is not installed.

        It answers "valid or not" about fifty times faster than ``jsonschema``; the Python validator
        is still what explains an invalid document, so messages do not depend on which one ran.
        """
        try:
            import jsonschema_rs
        except ImportError:  # pragma: no cover - it is a dependency, but only a speed-up
            return None
        registry = jsonschema_rs.Registry([(BASE + f"{n}.schema.json", schema(n)) for n in SCHEMA_NAMES if _exists(n)])
        # The shipped schemas have no $id (their relative $refs resolve beside the file, offline, in
        # editors and check-jsonschema); here they are resolved against the registry's keys.
        return jsonschema_rs.validator_for(self.contents, registry=registry, validate_formats=True,
                                           base_uri=BASE + f"{self.name}.schema.json", formats=formats.CHECKS)

    def fast_valid(self, instance: Any) -> bool:
        return bool(self.fast is not None and self.fast.is_valid(instance))


@lru_cache(maxsize=None)
def _shipped(name: str) -> Schema:
    return Schema(name, schema(name))


@lru_cache(maxsize=8)
def _records(kinds: tuple["RecordKind", ...]) -> Schema:
    from checkengine.kinds import record_schema

    return Schema("record", record_schema(schema("record"), kinds))


def record_schema(registry: "PluginRegistry | None" = None) -> Schema:
    """The record schema of *registry*'s record kinds (by default, the installed plugins')."""
    if registry is None:
        from checkengine.plugins import default_registry

        registry = default_registry()
    built = registry.built.get("record schema")
    if built is None:  # once per registry: validating a record must not rebuild or even look it up
        built = registry.built["record schema"] = _records(tuple(registry.record_kinds.values()))
    assert isinstance(built, Schema)
    return built


def compiled(name: str) -> Schema:
    """Schema *name*, the record schema with the installed plugins' record kinds."""
    return record_schema() if name == "record" else _shipped(name)


def full(name: str) -> dict[str, Any]:
    """The contents of schema *name* as validation uses it (the record schema with its kinds)."""
    return compiled(name).contents


def validator(name: str) -> Draft202012Validator:
    return compiled(name).validator


def _expand(node: Any, doc: str, seen: tuple[str, ...]) -> Any:
    """*node* with each ``$ref`` replaced by what it points to.

    Resolving references is a good part of jsonschema's time on a large rulebook (every rule's
    texts, dates and clause references are references); the shipped schemas are not recursive,
    so they can be expanded once. A reference met again inside itself is left as it is.
    """
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
