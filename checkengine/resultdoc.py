"""The written shapes of an evaluation result: ``checkengine/result/2`` (compact) and ``/1`` (full).

In memory, and in what reporters, forms and the archive receive, a result is the full shape: every
outcome carries its rule's title, section, severity, weight, sources and corrective action. Written
that way, those fixed texts are most of the bytes (a rule's clause text repeated in every one of
its outcomes). ``checkengine/result/2`` writes them once, in the header's ``rules`` table, and each
outcome keeps only what is its own: rule, outcome, explanation, observed, expected, and the
parameters, waiver, comment, evidence and details it has (absent: none). A value that differs from
its rule's table is kept in the outcome, so compacting loses nothing by construction;
:func:`expand` gives the full shape back (``--result-schema 1`` writes it directly).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checkengine.engine import Engine
    from checkengine.records import Record

SCHEMA_1 = "checkengine/result/1"
SCHEMA_2 = "checkengine/result/2"
SCHEMAS = {1: SCHEMA_1, 2: SCHEMA_2}

#: An outcome's keys in the full shape, in order.
OUTCOME_ORDER = ("rule", "section", "title", "outcome", "severity", "weight", "critical", "explanation",
                 "observed", "expected", "parameters", "source", "sources", "waiver", "comment", "evidence",
                 "details", "corrective_action")
#: The keys a rule's ``rules`` entry holds (fixed per rule and language).
FIXED = ("section", "title", "severity", "weight", "critical", "sources", "corrective_action")
#: Keys left out of a compact outcome when they hold these (no parameter, no waiver ...).
EMPTY: dict[str, Any] = {"parameters": {}, "waiver": None, "comment": None, "evidence": [], "details": {}}


def rule_table(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every rule's fixed texts in the engine's language, as its outcomes carry them."""
    texts = engine._outcomes  # the one place that makes an outcome's fixed texts
    table = {}
    for compiled in engine.rules:
        rule = compiled.rule
        text = texts.text(rule)
        table[rule.id] = {"section": rule.section, "title": text.title, "severity": rule.severity,
                          "weight": rule.weight, "critical": rule.critical, "sources": list(text.sources),
                          "corrective_action": text.corrective_action}
    return table


def compact_outcome(outcome: dict[str, Any], rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    fixed = rules.get(outcome["rule"]) or {}
    out = {}
    for key, value in outcome.items():
        if key == "source":
            sources = outcome.get("sources")
            if value == (sources[0] if sources else None):
                continue
        elif key in fixed and fixed[key] == value:
            continue
        elif key in EMPTY and value == EMPTY[key]:
            continue
        out[key] = value
    return out


def compact_entry(entry: dict[str, Any], rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A record's entry with each outcome compacted (record and score as they are)."""
    return {**entry, "outcomes": [compact_outcome(o, rules) for o in entry["outcomes"]]}


def expand_outcome(outcome: dict[str, Any], rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = {**EMPTY, **(rules.get(outcome["rule"]) or {}), **outcome}
    if "source" not in outcome:
        sources = merged.get("sources")
        merged["source"] = sources[0] if sources else None
    full = {k: merged.get(k) for k in OUTCOME_ORDER}
    full.update((k, v) for k, v in merged.items() if k not in full)
    return full


def expand(doc: dict[str, Any]) -> dict[str, Any]:
    """A written result (schema 1 or 2) in the full shape (schema 1); schema 1 as it is."""
    if doc.get("schema") != SCHEMA_2:
        return doc
    rules = doc.get("rules") or {}
    out = {k: v for k, v in doc.items() if k != "rules"}
    out["schema"] = SCHEMA_1
    out["records"] = [{**e, "outcomes": [expand_outcome(o, rules) for o in e["outcomes"]]}
                      for e in doc["records"]]
    return out


def encoder(base: Any, rules: dict[str, dict[str, Any]]) -> Any:
    """*base* (a writer's encoder of full entries) applied to compacted entries; picklable."""
    return functools.partial(_encode_compact, base, rules)


def _encode_compact(base: Any, rules: dict[str, dict[str, Any]], seq: int, entry: dict[str, Any],
                    record: Record) -> Any:
    return base(seq, compact_entry(entry, rules), record)
