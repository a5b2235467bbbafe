"""Schemas in words: what a value is, what a (sub)schema allows, an example of it, a close match.

The vocabulary of :mod:`checkengine.validation`'s messages ("expected a number, got 'ten' (e.g.
max: 10)"), kept apart from the validators themselves.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

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

# The patterns of the shared definitions, in words, with an example.
_PATTERNS = {
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": ("letters, digits, '.', '_' and '-', starting with a letter or "
                                     "digit", "DRS-01-uniform"),
    "^[a-z][a-z0-9_]*$": ("lower-case letters, digits and '_', starting with a letter",
                          "max_break_minutes"),
    "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": ("a language tag (BCP 47)", "en, zh-Hant"),
    "^[0-9]+(\\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$": ("a version number", "1.2.0"),
}


def _words(schema: Any) -> str:
    """What a (sub)schema allows, in words."""
    if not isinstance(schema, dict):
        return "a value"
    if "anyOf" in schema:
        return " or ".join(_unique(_words(b) for b in schema["anyOf"]))
    if schema.get("format") == "date":
        return "a date (YYYY-MM-DD)"
    if schema.get("required") == ["param"]:
        return "a {param: NAME} reference"
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if "propertyNames" in schema and "language" in json.dumps(schema["propertyNames"]):
        return "a mapping of language to text"
    kind = schema.get("type")
    if kind == "object" and schema.get("properties"):
        required = set(schema.get("required") or ())
        keys = [k + (" (required)" if k in required else "") for k in schema["properties"]]
        return f"a mapping with the keys {', '.join(keys)}"
    if isinstance(kind, list):
        return " or ".join(_TYPE_WORDS.get(str(k), str(k)) for k in kind)
    return _TYPE_WORDS.get(str(kind), "a value")


def _example_value(schema: Any) -> str | None:
    """An example value that *schema* allows, from its examples or description, if it has one."""
    if not isinstance(schema, dict):
        return None
    if schema.get("examples"):
        return json.dumps(schema["examples"][0], ensure_ascii=False)
    found = re.search(r"\be\.g\. ([^ ,;)]+?)\.?(?:$|[ ,;)])", str(schema.get("description") or ""))
    if found:
        return found.group(1)
    if schema.get("format") == "date":
        return "2026-11-03"
    if schema.get("required") == ["param"]:
        return "{param: NAME}"
    if "propertyNames" in schema and "language" in json.dumps(schema["propertyNames"]):
        return "{en: ..., zh-Hant: ...}"
    if schema.get("type") in ("number", "integer"):
        return "10"
    if schema.get("type") == "boolean":
        return "true"
    return None


# Examples for keys whose schema has none of its own (the shared schemas stay lean).
_KEY_EXAMPLES = {
    "checkengine": "1",
    "id": "DRS-01-uniform",
    "title": "{en: ..., zh-Hant: ...}",
    "languages": "[en, zh-Hant]",
    "source": "DRS-01",
    "check": "{type: equals, field: observations.uniform, value: true}",
    "type": "equals",
    "values": '{"2026-01-01": {value: 10, reference: ...}}',
    "value": "10",
    "description": "{en: ..., zh-Hant: ...}",
    "kind": "waivers",
    "rule": "DRS-01-uniform",
    "reason": "{en: ..., zh-Hant: ...}",
    "approved_by": "Chen, Centre director",
    "expires": "2026-12-31",
    "documents": "[{id: ..., title: ..., clauses: [...]}]",
    "clauses": "[{id: DRS-01, clause: ..., text: ...}]",
    "clause": "DRS-01",
    "text": "the clause quoted verbatim",
}


def _example(schema: Any, key: str | int | None) -> str:
    """`` (e.g. key: value)``, or "" when there is no telling example."""
    value = _example_value(schema)
    if value is None or not isinstance(key, str):
        return ""
    return f" (e.g. {key}: {value})"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _did_you_mean(word: str, options: list[str]) -> str:
    """The option closest to *word*, or "" when none is close."""
    import difflib  # only to explain a wrong key (start-up time)

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else ""
