"""Why a valid record cannot be evaluated against a rulebook: a kind it has no rules for, an
unknown time zone, a language it lacks, or an observation a rule reads that the record leaves out.

Most records lack nothing, so the observations the rules of a kind read are listed once per kind,
grouped by the mapping that holds them, and looked up together (one comparison of key sets) before
any rule is considered: only a record that lacks one pays for working out, rule by rule, whether
the rule that reads it applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checkengine.applicability import missing, not_applicable
from checkengine.checks import Env
from checkengine.compiled import CompiledRule
from checkengine.conditions import EvaluationError
from checkengine.errors import Location
from checkengine.kinds import field_value
from checkengine.localtime import site_zone_name, zone_info
from checkengine.outcomes import record_date
from checkengine.records import Record, RecordError

if TYPE_CHECKING:
    from checkengine.engine import Engine


@dataclass(frozen=True)
class Required:
    """The observations the rules for one kind read: each rule with its field's path, in rule
    order; and the fields again, grouped by the mapping that holds them (``observations``) as
    (path of the mapping, the keys it must have)."""

    rules: tuple[tuple[CompiledRule, str], ...]
    holders: tuple[tuple[tuple[str, ...], frozenset[str]], ...]

    def lacking(self, data: Mapping[str, Any]) -> set[str] | None:
        """The paths of the fields *data* lacks (empty: it has them all; null counts as there), or
        None when a holder is missing or not a mapping (then each field is looked up on its own)."""
        gone: set[str] = set()
        for path, keys in self.holders:
            holder: Any = data
            for part in path:
                if not isinstance(holder, Mapping) or part not in holder:
                    return None
                holder = holder[part]
            if not isinstance(holder, Mapping):
                return None
            absent = keys - holder.keys()
            if absent:
                gone.update(".".join((*path, key)) for key in absent)
        return gone


def required(engine: Engine, kind: str) -> Required:
    found = engine.required.get(kind)
    if found is None:
        pairs = ((c, getattr(c.check, "required_field", None)) for c in engine.record_rules(kind))
        # a rule that declares it needs the field reports its absence itself
        rules = tuple((c, f) for c, f in pairs if isinstance(f, str) and f and f not in c.rule.needs)
        holders: dict[tuple[str, ...], set[str]] = {}
        for _, path in rules:
            *holder, key = path.split(".")
            holders.setdefault(tuple(holder), set()).add(key)
        found = engine.required[kind] = Required(rules, tuple((h, frozenset(k)) for h, k in holders.items()))
    return found


def precheck(engine: Engine, record: Record) -> RecordError | None:
    """What makes *record* unusable for *engine*'s rulebook, or None (see :meth:`Engine.precheck`)."""
    data = record.data
    if not record.prepared:
        engine.registry.hook.checkengine_prepare_record(record=data)
        record.prepared = True
    kind = data["kind"]
    where = record.location
    if not engine.covers(kind):
        # Never an empty "passed": the record was checked against the wrong rulebook.
        checked = sorted(set(engine.by_kind) | {k for c in engine.group_rules for k in (c.kinds or ())})
        return RecordError(
            Location(where.file, where.line, where.column, "kind"),
            f"no rule of {engine.book.id} applies to kind {kind}; it checks: {', '.join(checked) or '—'} "
            f"(evaluate {kind} records against a rulebook that has rules for them)",
        )
    zone = site_zone_name(data)
    if zone is not None and (not isinstance(zone, str) or zone_info(zone) is None):
        return RecordError(
            Location(where.file, where.line, where.column, "site.timezone"),
            f"{zone!r} is not a known time zone; use an IANA name such as Asia/Taipei or Europe/Madrid",
        )
    record_kind = engine.registry.record_kinds.get(kind)
    field = record_kind.language_field if record_kind is not None else None
    language = field_value(data, field) if field else None
    # A variant of a rulebook language will do (zh-TW for zh-Hant): phrase matching folds scripts.
    if field and isinstance(language, str) and _primary(language) not in {_primary(lang) for lang in engine.book.languages}:
        return RecordError(
            Location(where.file, where.line, where.column, field),
            f"the {kind.replace('_', ' ')} is in '{language}', which the rulebook '{engine.book.id}' lacks; "
            f"its languages are: {', '.join(engine.book.languages)}",
        )
    reads = required(engine, kind)
    gone = reads.lacking(data)
    if gone is not None and not gone:
        return None
    on = engine.on or record_date(data)
    env = Env(engine.book, data, on, engine.lang, engine.conditions, cache=engine.env_cache)
    env.lookups = engine._facts()
    for compiled, needs in reads.rules:
        if not (needs in gone if gone is not None else missing(data, needs)):
            continue
        try:
            applies = not_applicable(compiled, data, env, on) is None
        except EvaluationError:
            applies = True
        if applies:
            return RecordError(
                Location(where.file, where.line, where.column, needs),
                f"missing required observation '{needs}' (rule {compiled.rule.id} reads it); "
                "add it, or set it to null if it could not be observed",
            )
    return None


def _primary(language: str) -> str:
    return language.split("-", 1)[0].lower()
