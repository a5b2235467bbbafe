"""Facts from other records of the run: declared lookups, an index built in a first pass.

A record-scope rule sometimes needs a fact that another record holds: whether the shift a leave
is for was taken in a swap is written in the swap register, not in the leave request. A rulebook
declares, under ``lookups``, which records to file and under which keys::

    lookups:
      swapped_shifts:
        kinds: [shift_swap]
        keys:                                  # each entry one way of filing a record
          - [data.counterpart, data.shift_date]  # the counterpart works the swapped shift
          - [data.requester, data.return_date]   # the requester works the returned one
        keep: [data.requester, data.counterpart, data.shift_date, data.return_date]

and a condition asks ``lookup('swapped_shifts', [record.subject.employee, '2026-11-18'])``: the
kept part of every record filed under that key (its ``id`` and ``kind`` always kept), in id order.
A key part that is a date-time is filed under its date on the site's clock; null or missing parts
file nothing.

The index is data (a dict of tuples, picklable), built before the records are judged: by
:meth:`Engine.run` in one process, and by a first pass of the batch pipeline whose partial indexes
merge like aggregate states (:func:`merge`) and then travel with the job to every worker, local
or Dask. A lookup in a run without an index (one record judged alone) cannot know the other
records: the rule is needs_review, never judged on an empty register.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from checkengine.cel_context import prune
from checkengine.conditions import EvaluationError, Undecidable
from checkengine.fields import get_path
from checkengine.localtime import local_date, zone_of

Key = tuple[str, ...]
#: lookup name -> key -> kept records (sorted by id)
Index = dict[str, dict[Key, tuple[dict[str, Any], ...]]]


class FactsUnavailable(Undecidable):
    """A lookup in a run that has no index of the other records."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"the rule looks up other records ('{name}'), which this run does not have; evaluate the "
            "record together with the others (e.g. the whole month's folder)")


@dataclass(frozen=True)
class Lookup:
    """One declared lookup, compiled."""

    name: str
    kinds: frozenset[str]
    keys: tuple[tuple[str, ...], ...]
    keep: frozenset[tuple[str, ...]]

    @classmethod
    def from_raw(cls, name: str, raw: Mapping[str, Any]) -> "Lookup":
        keep = {("id",), ("kind",)} | {tuple(p.split(".")) for p in raw.get("keep") or ()}
        for paths in raw["keys"]:
            keep |= {tuple(p.split(".")) for p in paths}
        return cls(name, frozenset(raw["kinds"]), tuple(tuple(k) for k in raw["keys"]), frozenset(keep))

    def file(self, index: Index, record: Mapping[str, Any]) -> None:
        if record.get("kind") not in self.kinds:
            return
        table = index.setdefault(self.name, {})
        kept = dict(prune(record, self.keep))
        zone = zone_of(record)
        for paths in self.keys:
            key = [_part(get_path(record, path), zone) for path in paths]
            if any(part is None for part in key):
                continue
            entry = tuple(str(p) for p in key)
            table[entry] = _add(table.get(entry, ()), (kept,))


def _part(value: Any, zone: Any) -> str | None:
    if value is None or not isinstance(value, (str, int, float, bool)):
        return None  # missing (the MISSING marker), null, or a structure: filed nowhere
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return local_date(value, zone).isoformat()
        except (ValueError, EvaluationError):
            return None  # not placed on a day: filed nowhere
    return str(value)


def _add(a: tuple[dict[str, Any], ...], b: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    seen = {str(r.get("id")): r for r in a}
    for r in b:
        seen.setdefault(str(r.get("id")), r)
    return tuple(seen[k] for k in sorted(seen))


_NAMED = re.compile(r"\blookup\(\s*['\"]([^'\"]+)['\"]")


def named(source: str) -> list[str]:
    """The lookup names a condition's text asks for (``lookup('worked_by_swap', ...)``)."""
    return _NAMED.findall(source)


def kinds_of(lookups: tuple[Lookup, ...]) -> frozenset[str]:
    """The record kinds that *lookups* file."""
    return frozenset().union(*(lookup.kinds for lookup in lookups))


def compile_lookups(raw: Mapping[str, Any] | None) -> tuple[Lookup, ...]:
    return tuple(Lookup.from_raw(name, spec) for name, spec in (raw or {}).items())


def build(lookups: tuple[Lookup, ...], records: Any) -> Index:
    """The index of *records* (plain record mappings) under every lookup."""
    index: Index = {lookup.name: {} for lookup in lookups}
    for record in records:
        for lookup in lookups:
            lookup.file(index, record)
    return index


def merge(a: Index, b: Index) -> Index:
    """Both indexes in one (associative and commutative: records are kept in id order)."""
    return merge_into({name: dict(table) for name, table in a.items()}, b)


def merge_into(a: Index, b: Index) -> Index:
    """*b* merged into *a*, which is changed and returned: what a run's first pass does with each
    chunk's index (copying the whole index for every chunk made that pass quadratic)."""
    for name, table in b.items():
        mine = a.setdefault(name, {})
        for key, found in table.items():
            mine[key] = _add(mine.get(key, ()), found)
    return a


@dataclass
class Facts:
    """What the running record's conditions may look up: the run's index, or none."""

    index: Index | None
    names: frozenset[str] = field(default_factory=frozenset)
    #: set when a lookup could not be answered (no index in this run)
    missing: str | None = None

    def find(self, name: str, key: Any) -> list[dict[str, Any]]:
        if name not in self.names:
            known = ", ".join(sorted(self.names)) or "none"
            raise ValueError(f"unknown lookup '{name}'; the rulebook declares: {known}")
        if self.index is None:
            self.missing = name
            raise FactsUnavailable(name)
        parts = key if isinstance(key, (list, tuple)) else [key]
        entry = tuple(str(p) for p in parts)
        return [dict(r) for r in self.index.get(name, {}).get(entry, ())]


#: The facts of the record whose conditions are running (set by Env.evaluate).
CURRENT: ContextVar[Facts | None] = ContextVar("checkengine_facts", default=None)


def lookup(name: str, key: Any) -> list[dict[str, Any]]:
    """CEL: the records filed under *key* (a list, one value per key path) in lookup *name*."""
    facts = CURRENT.get()
    if facts is None:
        raise ValueError(f"lookup('{name}', ...) is only available while a rulebook's record is evaluated")
    return facts.find(name, key)

