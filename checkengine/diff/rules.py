"""What changed between two rulebooks, rule by rule and parameter by parameter."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from checkengine.i18n import pick
from checkengine.rulebook.model import Rule, Rulebook

RuleChangeKind = Literal["added", "removed", "disabled", "enabled", "changed"]

# Fields of a rule compared, in the order they are reported. Texts (title, description,
# corrective action) cannot change a verdict; everything else can.
FIELDS = ("section", "title", "description", "severity", "weight", "check", "when", "applies_to",
          "effective", "sources", "evidence", "tags", "corrective_action")
TEXT_FIELDS = frozenset({"title", "description", "corrective_action", "tags"})


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any

    def text(self) -> str:
        return f"{self.path}: {show(self.old)} -> {show(self.new)}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class RuleChange:
    rule: str
    kind: RuleChangeKind
    section: str
    title: str
    changes: tuple[FieldChange, ...] = ()
    reason: str | None = None

    @property
    def affects_verdicts(self) -> bool:
        """Whether the change can change an outcome or a score (not a mere re-wording)."""
        if self.kind != "changed":
            return True
        return any(c.path.split(".")[0] not in TEXT_FIELDS for c in self.changes)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "change": self.kind, "section": self.section, "title": self.title}
        if self.changes:
            out["fields"] = [c.as_dict() for c in self.changes]
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class ValueChange:
    since: str
    old: Any
    new: Any
    reference: str | None

    def text(self) -> str:
        if self.old is None:
            return f"from {self.since}: {show(self.new)} (new)"
        if self.new is None:
            return f"from {self.since}: {show(self.old)} (removed)"
        return f"from {self.since}: {show(self.old)} -> {show(self.new)}"


@dataclass(frozen=True)
class ParameterChange:
    name: str
    kind: Literal["added", "removed", "changed"]
    values: tuple[ValueChange, ...]
    rules: tuple[str, ...]
    """The rules (of either rulebook) that read the parameter."""

    def as_dict(self) -> dict[str, Any]:
        return {"parameter": self.name, "change": self.kind, "rules": list(self.rules),
                "values": [{"since": v.since, "old": v.old, "new": v.new, "reference": v.reference}
                           for v in self.values]}


@dataclass
class BookDiff:
    old: Rulebook
    new: Rulebook
    rules: list[RuleChange] = field(default_factory=list)
    parameters: list[ParameterChange] = field(default_factory=list)
    book: list[FieldChange] = field(default_factory=list)

    @property
    def affects_verdicts(self) -> bool:
        return (any(c.affects_verdicts for c in self.rules) or bool(self.parameters)
                or any(c.path.startswith("scoring") for c in self.book))

    @property
    def empty(self) -> bool:
        return not (self.rules or self.parameters or self.book)


def show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def deep_diff(old: Any, new: Any, path: str) -> list[FieldChange]:
    """Changed leaves between two values; mappings are compared key by key, anything else whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for key in list(old) + [k for k in new if k not in old]:
            out += deep_diff(old.get(key), new.get(key), f"{path}.{key}")
        return out
    return [] if old == new else [FieldChange(path, old, new)]


def rule_fields(rule: Rule) -> dict[str, Any]:
    return {
        "section": rule.section, "title": rule.title, "description": rule.description,
        "severity": rule.severity, "weight": rule.weight, "check": rule.check, "when": rule.when,
        "applies_to": rule.applies_to,
        "effective": {"from": rule.effective_from, "until": rule.effective_until},
        "sources": rule.sources, "evidence": rule.evidence, "tags": rule.tags,
        "corrective_action": rule.corrective_action,
    }


def _title(rule: Rule, book: Rulebook) -> str:
    return pick(rule.title, book.source_language, book.source_language)


def _reason(book: Rulebook, rule_id: str) -> str | None:
    reason = book.disabled.get(rule_id)
    return pick(reason, book.source_language, book.source_language) if reason else None


def reads(rule: Rule) -> set[str]:
    """The parameters a rule reads (``{param: NAME}`` in its check, ``params.NAME`` in conditions)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if set(value) == {"param"} and isinstance(value["param"], str):
                found.add(value["param"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and "params." in value:
            import re

            found.update(re.findall(r"params\.([A-Za-z_]\w*)", value))

    walk(rule.check)
    walk(rule.when or "")
    return found


def diff_books(old: Rulebook, new: Rulebook) -> BookDiff:
    result = BookDiff(old, new)
    for name in ("id", "version", "languages", "scoring"):
        a, b = getattr(old, name), getattr(new, name)
        result.book += deep_diff(a, b, name) if isinstance(a, dict) else ([] if a == b else [FieldChange(name, a, b)])
    old_rules = {r.id: r for r in old.rules()}
    new_rules = {r.id: r for r in new.rules()}
    for rid, rule in old_rules.items():
        if rid not in new_rules:
            kind: RuleChangeKind = "disabled" if rid in new.disabled else "removed"
            result.rules.append(RuleChange(rid, kind, rule.section, _title(rule, old),
                                           reason=_reason(new, rid) if kind == "disabled" else None))
            continue
        other = new_rules[rid]
        changes: list[FieldChange] = []
        a, b = rule_fields(rule), rule_fields(other)
        for name in FIELDS:
            changes += deep_diff(a[name], b[name], name)
        if changes:
            result.rules.append(RuleChange(rid, "changed", other.section, _title(other, new), tuple(changes)))
    for rid, rule in new_rules.items():
        if rid not in old_rules:
            kind = "enabled" if rid in old.disabled else "added"
            result.rules.append(RuleChange(rid, kind, rule.section, _title(rule, new)))
    readers: dict[str, set[str]] = {}
    for rule in list(old_rules.values()) + list(new_rules.values()):
        for name in reads(rule):
            readers.setdefault(name, set()).add(rule.id)
    for name in list(old.parameters) + [n for n in new.parameters if n not in old.parameters]:
        a_values = old.parameters[name].values if name in old.parameters else {}
        b_values = new.parameters[name].values if name in new.parameters else {}
        values = []
        for since in sorted(set(a_values) | set(b_values)):
            va, vb = a_values.get(since), b_values.get(since)
            if (va or {}).get("value") != (vb or {}).get("value") or (va is None) != (vb is None):
                ref = (vb or va or {}).get("reference")
                values.append(ValueChange(since, None if va is None else va.get("value"),
                                          None if vb is None else vb.get("value"), ref))
        if values:
            kind2: Literal["added", "removed", "changed"] = (
                "added" if name not in old.parameters else "removed" if name not in new.parameters else "changed")
            result.parameters.append(ParameterChange(name, kind2, tuple(values), tuple(sorted(readers.get(name, ())))))
    return result
