"""Record kinds: what a record can be, registered by plugins, and the record schema they compose.

``record.schema.json`` is the envelope every record shares (kind, id, timestamp, site, subject,
observations, answers ...). The kinds themselves, and the schema of each kind's ``data``, come
from plugins through ``checkengine_register_record_kinds``: the call-centre kinds from the built-in
``callcentre`` plugin, any other from a third party, without editing the envelope.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from checkengine.plugins import Registry, default_registry


@dataclass(frozen=True, eq=False)
class RecordKind:
    """One kind of record (``kind: NAME``).

    :ivar name: the value of the record's ``kind``.
    :ivar data: the JSON Schema (draft 2020-12) of the record's ``data`` mapping; a record of the
        kind must then have ``data``. ``None``: ``data`` is optional and free-form.
    :ivar description: one line saying what a record of the kind is (``checkengine plugins``).
    :ivar language_field: the dotted path of the field that names the language of the record's
        text (a transcript's ``data.language``): a record in a language its rulebook lacks is
        refused before it is judged, since phrases are matched in the rulebook's languages.
    :ivar checklist: filled in on a visit (observations and the auditor's answers), so a blank
        checklist (``checkengine form checklist``) can be printed for it.
    :ivar person_fields: dotted paths of the fields naming the employee a record is about when it
        has no ``subject.employee`` (a monitored call's ``data.agent``), the first one given: a
        waiver's ``scope.employee`` and the archive's per-employee counts read it.
    """

    name: str
    data: Mapping[str, Any] | None = None
    description: str = ""
    language_field: str | None = None
    checklist: bool = False
    person_fields: tuple[str, ...] = ()


def record_schema(envelope: Mapping[str, Any], kinds: Iterable[RecordKind]) -> dict[str, Any]:
    """The record schema: *envelope* with ``kind`` one of *kinds*, and each kind's ``data`` schema
    applied to the records of that kind (``if kind == NAME then data: ...``)."""
    composed: dict[str, Any] = copy.deepcopy(dict(envelope))
    kinds = list(kinds)
    composed["properties"]["kind"] = {"enum": [kind.name for kind in kinds]}
    rules = [
        {"if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
         "then": {"required": ["data"], "properties": {"data": copy.deepcopy(dict(kind.data))}}}
        for kind in kinds if kind.data is not None
    ]
    if rules:
        composed["allOf"] = list(composed.get("allOf") or []) + rules
    return composed


def person_of(data: Mapping[str, Any], registry: Registry | None = None) -> Any:
    """The employee a record is about: ``subject.employee``, else the first of its kind's
    ``person_fields`` that is given (kinds of *registry*, by default the installed plugins')."""
    subject = data.get("subject")
    employee = subject.get("employee") if isinstance(subject, Mapping) else None
    if employee:
        return employee
    if registry is None:
        registry = default_registry()
    kind = registry.record_kinds.get(str(data.get("kind")))
    value = employee
    for path in kind.person_fields if kind is not None else ():
        value = field_value(data, path)
        if value:
            return value
    return value


def field_value(record: Mapping[str, Any], path: str) -> Any:
    """The value at dotted *path* of *record*, or None where any part is missing."""
    current: Any = record
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current
