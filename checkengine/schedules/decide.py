"""A manager's decision about one occurrence of a schedule - excuse it, or move its due day - kept
with its reason in the store's append-only history (``schedule_events``). The command
(``checkengine schedule excuse|reschedule``) and the workspace's schedule page both call
:func:`decide`."""

from __future__ import annotations

from datetime import date
from typing import Literal, Mapping, Sequence

from checkengine.archive.store import Store, now
from checkengine.archive.tracking import add_schedule_event
from checkengine.errors import UserError
from checkengine.schedules.model import Schedule
from checkengine.schedules.plan import check_occurrence, find_schedule

Decision = Literal["excused", "rescheduled"]


def decide(store: Store, schedules: Sequence[tuple[Schedule, Mapping[str, object]]], name: str, *, book: str | None,
           site: str, due: date, event: Decision, actor: str, reason: str, subject: str | None = None,
           new_due: date | None = None, block: Mapping[str, object] | None = None) -> Schedule:
    """Record *event* for the occurrence of schedule *name* due on *due* at *site* (inside the
    caller's :meth:`Store.writing`; *block*: the site's description when the caller knows it); a UserError says what is wrong, and nothing is written."""
    if not reason.strip():
        raise UserError("--reason: say why (it is kept in the history)")
    if not actor.strip():
        raise UserError("--by: give the id of the manager deciding")
    if (event == "rescheduled") != (new_due is not None):
        raise UserError("a reschedule needs the new due day (--to DAY); an excuse takes none")
    schedule = find_schedule(schedules, name, book)
    if schedule.per and not subject:
        raise UserError(f"{schedule.book}:{schedule.id} is counted per {schedule.per}: say whose occurrence "
                        "with --subject EMPLOYEE")
    check_occurrence(store, schedule, site, due, block)
    add_schedule_event(store, book=schedule.book, schedule=schedule.id, site=site, subject=subject or "",
                       occurrence=due.isoformat(), event=event, new_due=new_due.isoformat() if new_due else None,
                       reason=reason, actor=actor, at=now())
    return schedule
