"""The shipped JSON Schemas, one by one with relative references, or bundled into one document.

The files in ``checkengine/schemas/`` have no ``$id``: their ``$ref``s to each other
(``sources.schema.json#/$defs/document``) resolve beside the file, so an editor, check-jsonschema
or yaml-language-server validates without the network. A schema printed on its own cannot lean
on its siblings, so :func:`bundled` copies what it refers to into its ``$defs``
(``sources.schema.json#/$defs/document`` becomes ``#/$defs/sources.document``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from checkengine.validation import SCHEMA_NAMES, full, schema

SUFFIX = ".schema.json"


def names() -> list[str]:
    from importlib import resources

    return [n for n in SCHEMA_NAMES if resources.files("checkengine.schemas").joinpath(n + SUFFIX).is_file()]


def shipped_text(name: str) -> str:
    """The text of schema file *name* as ``schema --write`` writes it: the file as shipped, except
    the record schema, which is written with the installed plugins' record kinds composed in."""
    from importlib import resources

    contents = full(name)
    if contents is schema(name):
        return resources.files("checkengine.schemas").joinpath(name + SUFFIX).read_text("utf-8")
    return json.dumps(contents, ensure_ascii=False, indent=1) + "\n"


def bundled(name: str) -> dict[str, Any]:
    """Schema *name* with every reference to another schema file copied into its own ``$defs`` (the
    record schema with the installed plugins' record kinds and their data schemas)."""
    root = copy.deepcopy(full(name))
    defs: dict[str, Any] = root.setdefault("$defs", {})
    pending: list[tuple[str, str]] = []

    def local(doc: str, pointer: str) -> str:
        """The reference in the bundle to ``<doc>#/$defs/<key>`` (queued for copying)."""
        key = pointer.removeprefix("/$defs/")
        if doc == name:
            return f"#/$defs/{key}"
        alias = f"{doc}.{key}"
        if alias not in defs:
            defs[alias] = None  # reserved, filled below
            pending.append((doc, key))
        return f"#/$defs/{alias}"

    def rewrite(node: Any, doc: str) -> Any:
        if isinstance(node, list):
            return [rewrite(item, doc) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and "#" in value:
                target, pointer = value.split("#", 1)
                target_doc = target.removesuffix(SUFFIX) if target else doc
                if not pointer.startswith("/$defs/"):
                    raise ValueError(f"{doc}: cannot bundle the reference {value!r}")
                out[key] = local(target_doc, pointer)
            else:
                out[key] = rewrite(value, doc)
        return out

    for key in list(defs):
        defs[key] = rewrite(defs[key], name)
    for key in [k for k in root if k != "$defs"]:
        root[key] = rewrite(root[key], name)
    while pending:
        doc, key = pending.pop()
        defs[f"{doc}.{key}"] = rewrite(copy.deepcopy(schema(doc)["$defs"][key]), doc)
    return root
