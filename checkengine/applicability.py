"""Applicability: whether a compiled rule applies to a record at all, before its check runs.

A rule is not applicable outside its effective dates, to a subject whose role or team, a site or
a shift outside its audience, or when its ``when`` condition is false (:data:`CONDITION_FALSE`,
whose explanation the outcome builds once per rule). A fact the audience test needs but the
record holds as null raises :class:`~checkengine.conditions.Undecidable` (needs_review), never a
guess. :func:`missing` tells whether a record lacks a field a rule requires.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from checkengine import unknown
from checkengine.checks import Env
from checkengine.compiled import CompiledRule

# not_applicable's answer when the rule's condition is false (its explanation is made once per rule).
CONDITION_FALSE = "condition_false"


def not_applicable(compiled: CompiledRule, data: Mapping[str, Any], env: Env, on: date | None) -> str | None:
    """Why *compiled* does not apply to the record *data* on *on*, or None when it applies."""
    rule = compiled.rule
    if (rule.effective_from or rule.effective_until) and not rule.in_force(on):
        window = f"{rule.effective_from or '…'} – {rule.effective_until or '…'}"
        return f"not in force on {on.isoformat() if on else '?'} (effective {window})"
    if compiled.roles is not None or compiled.teams is not None:
        subject = data.get("subject") or {}
        if compiled.roles is not None and unknown.known(subject.get("role"), "subject.role") not in compiled.roles:
            return f"role {subject.get('role', '—')} not in {', '.join(sorted(compiled.roles))}"
        if compiled.teams is not None and unknown.known(subject.get("team"), "subject.team") not in compiled.teams:
            return f"team {subject.get('team', '—')} not in {', '.join(sorted(compiled.teams))}"
    if compiled.sites is not None:
        site = (data.get("site") or {}).get("id")
        if unknown.known(site, "site.id") not in compiled.sites:
            return f"site {site or '—'} not in {', '.join(sorted(compiled.sites))}"
    if compiled.shifts is not None:
        shift = (data.get("shift") or {}).get("kind") or (data.get("data") or {}).get("shift_kind")
        if unknown.known(shift, "shift.kind or data.shift_kind") not in compiled.shifts:
            return f"shift {shift or '—'} not in {', '.join(sorted(compiled.shifts))}"
    if compiled.when is not None:
        holds = env.evaluate(compiled.when)  # EvaluationError: the caller makes it an error outcome
        if holds is not True:
            return CONDITION_FALSE
    return None


def missing(data: Mapping[str, Any], path: str) -> bool:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return True
        current = current[part]
    return False
