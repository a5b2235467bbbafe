"""The corrective actions of the store (``checkengine actions``) as a report lists them: owner,
status and age, for the actions of the site (and team) that were open at some time in the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from checkengine.actions.lifecycle import Action
from checkengine.archive.reading import Reader
from checkengine.report.period import Period


@dataclass
class TrackedAction:
    id: int
    book: str
    rule: str
    employee: str | None
    owner: str | None
    status: str  # open, assigned, in_progress, done, closed
    overdue: bool
    opened: date
    due: date | None
    age: int  # days from opening to the report's day (or to its closing)
    records: list[str]


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _failure_day(action: Action) -> date:
    """The day of the failure that opened the action (the record's day; the opening time when the
    failure had no day)."""
    first = action.events[0] if action.events else {}
    return _day(str(first.get("day") or action.opened_at))


def tracked_actions(archive: Reader, site: str, team: str | None, period: Period,
                    today: date | None = None) -> list[TrackedAction]:
    """The store's actions of *site* (and *team*) whose failure was on or before the end of
    *period* and that were not closed before it began, with their status now (a manager reading
    October's report wants to know whether October's findings are fixed): overdue ones first,
    then open ones, oldest first; age in days from the failure to today, or to the closing."""
    from checkengine.actions.tracker import list_actions

    day = today or date.today()
    out = []
    for action in list_actions(archive, site=site, when=day):
        if team is not None and action.team != team:
            continue
        opened = _failure_day(action)
        if opened > period.end:
            continue
        closed = next((_day(e["at"]) for e in reversed(action.events) if e.get("event") == "verified"), None)
        if action.status == "closed" and closed is not None and closed < period.start:
            continue
        end = closed if action.status == "closed" and closed is not None else day
        out.append(TrackedAction(action.id, action.book, action.rule, action.employee, action.owner or action.owner_role,
                                 action.status, action.overdue(day), opened,
                                 _day(action.due) if action.due else None, max(0, (end - opened).days),
                                 list(action.records)))
    return sorted(out, key=lambda a: (not a.overdue, a.status == "closed", a.opened, a.id))
