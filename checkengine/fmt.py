"""``checkengine fmt``: rulebooks, sources, waivers and rulebook tests in one stable layout.

Keys are put in the order the JSON Schema declares them (the schema is the single source of the
format; unknown keys keep their place after the known ones), dates are double-quoted strings (so
no YAML reader turns them into dates), and everything else - comments, quoting, flow style, blank
lines - is kept as written, through ruamel.yaml's round trip. Formatting is idempotent.

The file is first read with checkengine's own strict loader (duplicate keys, alias bombs, size),
so a file fmt accepts is one checkengine can read; the round trip then only rearranges it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from checkengine.errors import Location, UserError

KINDS = ("rulebook", "sources", "waivers", "tests")


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line: a fold is a change nobody asked for
    y.indent(mapping=2, sequence=4, offset=2)
    # An explicit null stays one (ruamel would write an empty value).
    y.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


def _resolve(root: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _branches(root: dict[str, Any], node: Any) -> list[Any]:
    node = _resolve(root, node)
    if not isinstance(node, dict):
        return []
    found = [node]
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(key) or []:
            found.extend(_branches(root, sub))
    return found


def _mapping_schema(root: dict[str, Any], node: Any, keys: set[str]) -> dict[str, Any] | None:
    """The branch of *node* that describes a mapping with *keys* (most keys declared)."""
    best, score = None, -1
    for branch in _branches(root, node):
        props = branch.get("properties")
        if isinstance(props, dict) or isinstance(branch.get("additionalProperties"), dict):
            hits = len(keys & set(props or {}))
            if hits > score:
                best, score = branch, hits
    return best


def _items_schema(root: dict[str, Any], node: Any) -> Any:
    for branch in _branches(root, node):
        if "items" in branch:
            return branch["items"]
    return None


def _arrange(value: Any, node: Any, root: dict[str, Any], seen: set[int]) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return DoubleQuotedScalarString(value.isoformat())
    if id(value) in seen:  # an alias: arranged where it was first met
        return value
    if isinstance(value, CommentedMap):
        seen.add(id(value))
        schema = _mapping_schema(root, node, {str(k) for k in value})
        props = (schema or {}).get("properties") or {}
        extra = (schema or {}).get("additionalProperties")
        for key in list(value.keys()):
            sub = props.get(str(key), extra if isinstance(extra, dict) else None)
            new = _arrange(value[key], sub, root, seen)
            if new is not value[key]:
                value[key] = new
            if isinstance(key, dt.date) and not isinstance(key, dt.datetime):
                _rename(value, key, DoubleQuotedScalarString(key.isoformat()))
        order = [k for k in props if k in value]
        for key in order + [k for k in list(value.keys()) if k not in props]:
            value.move_to_end(key)
    elif isinstance(value, CommentedSeq):
        seen.add(id(value))
        items = _items_schema(root, node)
        for i, item in enumerate(value):
            new = _arrange(item, items, root, seen)
            if new is not item:
                value[i] = new
    return value


def _rename(mapping: CommentedMap, old: Any, new: Any) -> None:
    """Replace key *old* by *new* in place, keeping its position and its comments."""
    keys = list(mapping.keys())
    values = [mapping[k] for k in keys]
    comments = mapping.ca.items.pop(old, None)
    for k in keys:
        del mapping[k]
    for k, v in zip(keys, values):
        mapping[new if k == old else k] = v
    if comments is not None:
        mapping.ca.items[new] = comments


def format_text(text: str, *, display: str) -> str:
    """*text* (a YAML file of one of :data:`KINDS`) in the stable layout."""
    from checkengine.lint.discover import classify
    from checkengine.schema_bundle import bundled

    y = _yaml()
    try:
        data = y.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        raise UserError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", where) from None
    kind = classify(data)
    if kind not in KINDS:
        raise UserError("not a rulebook, sources catalogue, waivers file or rulebook test (its keys do not "
                        "say which); fmt formats only those", Location(display))
    root = bundled(kind)
    _arrange(data, root, root, set())
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def format_file(path: Path, *, display: str) -> tuple[str, str]:
    """The file's text and its formatted text; a UserError when checkengine cannot read it."""
    from checkengine.yamlio import load_file

    load_file(path, display=display)  # strict: duplicate keys, alias bombs, size, encoding
    text = path.read_text("utf-8")
    return text, format_text(text, display=display)
