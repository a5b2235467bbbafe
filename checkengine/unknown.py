"""Facts a rule needs that a record does not give: needs_review naming them, never "does not apply".

A rule is not applicable only when its audience (``applies_to``) or its ``when`` is false on facts
the record states. A field the rule declares it ``needs``, a field a failing condition read, a
null read by a false ``when``, or an audience fact the record leaves out, makes the outcome
``needs_review`` with the field's name. A condition that asks ``has(record.x)`` states what the
absence of ``x`` means itself; those fields are left to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from checkengine.cel_context import references
from checkengine.checks import Result
from checkengine.fields import MISSING, get_path
from checkengine.conditions import Condition, Undecidable
from checkengine.i18n import message

_HAS = re.compile(r"\bhas\(\s*record\s*\.\s*([\w.\s]+?)\s*\)")


class AudienceUnknown(Undecidable):
    """The record does not say a fact that decides whether the rule applies to it."""


class FactUnknown(Undecidable):
    """A record of a group rule lacks a field the rule needs (or holds it as null)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"the record does not say {field}, which this rule needs")


def known(value: Any, field: str) -> Any:
    """*value*, when the record states it: an audience (applies_to) is never judged on a gap."""
    if value is None:
        raise AudienceUnknown(f"the record does not say {field}, which decides whether this rule applies")
    return value


def has_paths(condition: Condition) -> set[str]:
    """The record fields *condition* asks has() about (``has(record.data.x)``: ``data.x``)."""
    return {re.sub(r"\s+", "", g) for g in _HAS.findall(condition.source)}


def read_paths(condition: Condition) -> list[str]:
    """The record fields *condition* reads, except those it asks has() about: a rule that says
    what the absence of a field means has made that assumption itself."""
    read, _ = references(condition.source)
    guarded = has_paths(condition)
    return sorted(p for p in (".".join(p) for p in read or ()) if p not in guarded)


def null_reads(condition: Condition, data: Mapping[str, Any]) -> list[str]:
    """The fields *condition* reads that *data* holds as null (not known)."""
    return [p for p in read_paths(condition) if get_path(data, p) is None]


def first_unknown(data: Mapping[str, Any], paths: Iterable[str]) -> tuple[str, bool] | None:
    """The first of *paths* that *data* lacks or holds as null, and whether it is missing."""
    for path in paths:
        value = get_path(data, path)
        if value is MISSING or value is None:
            return path, value is MISSING
    return None


def unknown_fact(data: Mapping[str, Any], paths: Iterable[str], lang: str) -> Result | None:
    """needs_review naming the first of *paths* that *data* lacks or holds as null, or None."""
    found = first_unknown(data, paths)
    if found is None:
        return None
    path, missing = found
    state = message("fact_missing" if missing else "fact_null", lang)
    return Result("needs_review", None, None, message("fact_unknown", lang, field=path, state=state),
                  {"unknown": path})


def read_by(conditions: Iterable[Condition]) -> list[str]:
    """Every field the conditions read (has()-guarded ones left out), in order."""
    return [p for condition in conditions for p in read_paths(condition)]
