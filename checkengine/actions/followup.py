"""Who follows up a failed outcome, and by when: the one place a corrective action's owner and due
date are decided (the audit form can call :func:`resolve_follow_up` too).

A rule's ``follow_up`` wins over the rulebook's; the due date is ``due_days`` after the failed
record's date, or the number of days a parameter (``due``) holds on that date; the owner is a role
(``team_leader``, ``site_manager``, ``inspector``, ``employee``) resolved to the person the record
names for it when it names one. Without a declaration there is no due date and no owner: the
action is still opened, and says so (``basis``), rather than inventing a deadline.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterator, Mapping

from checkengine.errors import Location
from checkengine.findings import Finding

OWNER_ROLES = ("team_leader", "site_manager", "inspector", "employee")


@dataclass(frozen=True)
class FollowUp:
    """The resolved follow-up of one failed outcome."""

    due: date | None
    days: int | None
    owner: str | None
    """The person's id when the record names one for the role; else None (routing finds them)."""
    owner_role: str | None
    basis: str
    """How it was found, for the action's history (``rule follow_up.due_days``, ``parameter x since d``)."""

    def as_dict(self) -> dict[str, Any]:
        return {"due": self.due.isoformat() if self.due else None, "days": self.days, "owner": self.owner,
                "owner_role": self.owner_role, "basis": self.basis}


def _rule(merged: Mapping[str, Any], rule_id: str) -> Mapping[str, Any]:
    for section in merged.get("sections") or []:
        for rule in section.get("rules") or []:
            if rule.get("id") == rule_id:
                return rule  # type: ignore[no-any-return]
    return {}


def _param_days(merged: Mapping[str, Any], name: str, on: date | None) -> tuple[int | None, str]:
    values = ((merged.get("parameters") or {}).get(name) or {}).get("values") or {}
    days = sorted(values)
    i = len(days) if on is None else bisect.bisect_right(days, on.isoformat())
    if i == 0:
        return None, f"parameter {name} has no value on {on}"
    value = values[days[i - 1]].get("value")
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"parameter {name} is not a whole number of days ({value!r})"
    return value, f"parameter {name} since {days[i - 1]}"


def _person(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id") or value.get("employee")
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def owner_of(role: str | None, record: Mapping[str, Any]) -> str | None:
    """The person *record* names for *role* (None when it names none)."""
    subject = record.get("subject") if isinstance(record.get("subject"), Mapping) else {}
    site = record.get("site") if isinstance(record.get("site"), Mapping) else {}
    assert isinstance(subject, Mapping) and isinstance(site, Mapping)
    if role == "team_leader":
        return _person(subject.get("team_leader"))
    if role == "site_manager":
        return _person(site.get("manager"))
    if role == "inspector":
        return _person(record.get("inspector"))
    if role == "employee":
        return _person(subject.get("employee"))
    return None


def resolve_follow_up(merged: Mapping[str, Any], rule_id: str, record: Mapping[str, Any],
                      day: date | None) -> FollowUp:
    """The owner and due date of a failed outcome of *rule_id* on *record* (dated *day*, in the
    site's calendar), from the merged rulebook *merged* (as archived, or ``Rulebook.merged``)."""
    own = _rule(merged, rule_id).get("follow_up")
    declared, where = (own, "rule") if own else (merged.get("follow_up"), "rulebook")
    if not declared:
        return FollowUp(None, None, None, None, "no follow_up declared (by the rule or the rulebook): no due date")
    days: int | None = declared.get("due_days")
    basis = f"{where} follow_up.due_days"
    if "due" in declared:
        days, basis = _param_days(merged, declared["due"], day)
        basis = f"{where} follow_up.due: {basis}"
    due = day + timedelta(days=days) if day is not None and days is not None else None
    role = declared.get("owner")
    return FollowUp(due, days, owner_of(role, record), role, basis)


def follow_up_findings(book: Any) -> Iterator[Finding]:
    """CE212: a follow_up's ``due`` names no parameter, or one without whole days."""
    declared: list[tuple[Mapping[str, Any], Location]] = []
    if book.follow_up is not None:
        declared.append((book.follow_up.raw, Location(book.follow_up.file, None, None, "follow_up.due")))
    for rule in book.rules():
        if rule.raw.get("follow_up"):
            loc = rule.location
            declared.append((rule.raw["follow_up"], Location(loc.file, loc.line, loc.column,
                                                             f"{loc.path}.follow_up.due".lstrip("."))))
    for raw, where in declared:
        name = raw.get("due")
        if name is None:
            continue
        param = book.parameters.get(name)
        if param is None:
            import difflib

            close = difflib.get_close_matches(name, list(book.parameters), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Finding("CE212", f"follow_up.due names parameter '{name}', which the rulebook does not "
                          f"define{hint}; name a parameter of whole days, or give due_days: N", where)
            continue
        bad = [d for d, v in param.values.items()
               if isinstance(v.get("value"), bool) or not isinstance(v.get("value"), int) or v["value"] < 0]
        if bad:
            yield Finding("CE212", f"follow_up.due names parameter '{name}', whose value since {bad[0]} is not a "
                          "whole number of days (e.g. value: 14)", where)
