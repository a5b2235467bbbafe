"""A period's occurrences of each schedule at a site, matched with what the archive shows was done.

Each occurrence of a schedule's RRULE is a due day; a due day on a public holiday of the site
(``site.country`` and the site's own ``site.calendar`` days) is kept, skipped or moved to the next
or previous working day as the schedule says. An occurrence's window runs from the day after the
previous due day to its own due day (plus ``grace_days``): a matching record dated in it does it. A
manager's reschedule moves the due day; an excuse sets a missed one aside; both carry a reason and
stay in the store's history.

Status, as of a day (today on the site's clock unless given): ``done`` (enough records; ``late``
when one came after the due day), ``excused``, ``upcoming`` (the window has not begun), ``due``
(the window is open), ``overdue`` (past the due day, within the grace days), ``missed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from checkengine.archive.reading import Reader
from checkengine.archive.tracking import schedule_events, site_block, site_people, site_records
from checkengine.calendars import is_public_holiday
from checkengine.errors import UserError
from checkengine.localtime import Zone, local_date, zone_info
from checkengine.report.period import Period
from checkengine.schedules.model import Schedule, param_value

LOOK_BACK = timedelta(days=400)  # far enough back to find the occurrence before a period's first
LOOK_AHEAD = timedelta(days=31)  # records archived after the period that report a date inside it
STATUSES = ("done", "excused", "upcoming", "due", "overdue", "missed")


@dataclass
class Slot:
    schedule: Schedule
    site: str
    subject: str
    original: date
    due: date
    start: date
    needed: int
    found: list[str] = field(default_factory=list)
    late: bool = False
    status: str = "due"
    decision: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "book": self.schedule.book, "schedule": self.schedule.id, "title": self.schedule.title,
            "source": self.schedule.source, "site": self.site, "subject": self.subject or None,
            "due": self.due.isoformat(), "window": [self.start.isoformat(), self.due.isoformat()],
            "status": self.status, "late": self.late, "needed": self.needed, "found": self.found,
        }
        if self.original != self.due:
            out["original_due"] = self.original.isoformat()
        if self.decision:
            out["decision"] = self.decision
        return out


def working_day(day: date, country: str | None, extra: Sequence[str]) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day, country, extra)


def due_days(schedule: Schedule, first: date, last: date, country: str | None, extra: Sequence[str]) -> list[date]:
    """The due days from *first* to *last*, after the holiday policy."""
    start = datetime.combine(first, datetime.min.time())
    end = datetime.combine(last, datetime.min.time())
    own = schedule.rule._until
    bounded = schedule.rule.replace(until=min(own, end) if own else end)  # iteration stops at the period's end
    out = []
    for moment in bounded.between(start, end, inc=True):
        day = moment.date()
        try:
            holiday = is_public_holiday(day, country, extra)
        except ValueError as exc:
            raise UserError(f"site calendar: {exc}") from None
        if holiday and schedule.holidays == "skip":
            continue
        if holiday and schedule.holidays in ("next_working_day", "previous_working_day"):
            step = timedelta(days=1 if schedule.holidays == "next_working_day" else -1)
            for _ in range(60):
                day += step
                if working_day(day, country, extra):
                    break
        out.append(day)
    return sorted(set(out))


def _field(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def _done_entries(schedule: Schedule, records: list[dict[str, Any]], zone: Zone) -> list[tuple[date, str, str]]:
    """(day done, employee, record id) of the records that do *schedule*; one entry per day done
    when the day comes from a field (several rounds may report the same cleaning)."""
    out: dict[tuple[Any, ...], tuple[date, str, str]] = {}
    for rec in records:
        data = rec["data"]
        if rec["kind"] != schedule.kind or any(_field(data, k) != v for k, v in schedule.where.items()):
            continue
        if schedule.date_field:
            value = _field(data, schedule.date_field)
            try:
                day = local_date(value, zone) if value is not None else None
            except (ValueError, TypeError):
                day = None
            if day is None:
                continue
            key: tuple[Any, ...] = (day, rec["employee"] or "")
        else:
            if not rec["day"]:
                continue
            day = date.fromisoformat(rec["day"])
            key = (rec["record_id"],)
        out.setdefault(key, (day, rec["employee"] or "", rec["record_id"]))
    return sorted(out.values())


def _count(schedule: Schedule, merged: Mapping[str, Any], on: date) -> int:
    if isinstance(schedule.count, int):
        return schedule.count
    value = param_value(merged, schedule.count, on)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def plan_site(archive: Reader, schedules: Sequence[tuple[Schedule, Mapping[str, Any]]], site: str, period: Period,
              today: date | None = None, block: Mapping[str, Any] | None = None) -> list[Slot]:
    """Every occurrence due in *period* at *site* of the *schedules* (each with its merged rulebook).
    *block* is the site's own description (type, country, time zone, calendar) when the caller
    knows it (the workspace's sites); else it is read from the site's archived records."""
    block = block or site_block(archive, site) or {}
    zone_name = block.get("timezone")
    zone = Zone(zone_info(zone_name) if isinstance(zone_name, str) else None)
    country = block.get("country") if isinstance(block.get("country"), str) else None
    extra = [str(d) for d in block.get("calendar") or []]
    if today is None:
        now = datetime.now(zone.info) if zone.info else datetime.now().astimezone()
        today = now.date()
    decisions: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for event in schedule_events(archive, site):
        decisions[(event["book"], event["schedule"], event["subject"], event["occurrence"])] = event
    slots: list[Slot] = []
    for schedule, merged in schedules:
        if not schedule.applies_to(site, block):
            continue
        days = due_days(schedule, period.start - LOOK_BACK, period.end, country, extra)
        if not days or days[-1] < period.start:
            continue
        first_index = next(i for i, d in enumerate(days) if d >= period.start)
        windows = [(days[i - 1] + timedelta(days=1) if i else days[i], days[i]) for i in range(first_index, len(days))]
        subjects = [""]
        if schedule.per:
            subjects = site_people(archive, site, schedule.per, period.start.isoformat(), period.end.isoformat())
        last_end = max(end for _, end in windows) + timedelta(days=schedule.grace_days)
        moved = [date.fromisoformat(d["new_due"]) for k, d in decisions.items()
                 if k[0] == schedule.book and k[1] == schedule.id and d["event"] == "rescheduled" and d["new_due"]]
        last_end = max([last_end, *moved]) + LOOK_AHEAD
        records = site_records(archive, site, [schedule.kind], windows[0][0].isoformat(), last_end.isoformat())
        # as of *today*: what was archived with a later date is not known yet
        entries = _done_entries(schedule, [r for r in records if (r["day"] or "") <= today.isoformat()], zone)
        for subject in subjects:
            used: set[int] = set()
            for start, original in windows:
                decision = decisions.get((schedule.book, schedule.id, subject, original.isoformat()))
                due = original
                if decision and decision["event"] == "rescheduled" and decision["new_due"]:
                    due = date.fromisoformat(decision["new_due"])
                slot = Slot(schedule, site, subject, original, due, start, _count(schedule, merged, original),
                            decision={k: decision[k] for k in ("event", "reason", "actor", "at", "new_due")
                                      if decision.get(k)} if decision else None)
                limit = due + timedelta(days=schedule.grace_days)
                for i, (day, employee, record_id) in enumerate(entries):
                    if len(slot.found) >= slot.needed:
                        break
                    if i in used or day < start or day > limit or (schedule.per and employee != subject):
                        continue
                    used.add(i)
                    slot.found.append(record_id)
                    slot.late = slot.late or day > due
                slot.status = _status(slot, today, decision)
                slots.append(slot)
    return slots


def _status(slot: Slot, today: date, decision: Mapping[str, Any] | None) -> str:
    if len(slot.found) >= slot.needed:
        return "done"
    if decision and decision["event"] == "excused":
        return "excused"
    if today < slot.start:
        return "upcoming"
    if today <= slot.due:
        return "due"
    if today <= slot.due + timedelta(days=slot.schedule.grace_days):
        return "overdue"
    return "missed"


def schedules_in(rulebooks: Sequence[str]) -> list[tuple[Schedule, Mapping[str, Any]]]:
    """The schedules of the rulebooks at *rulebooks* (paths), each with its merged rulebook."""
    from checkengine.rulebook.load import load_rulebook
    from checkengine.schedules.model import schedules_of

    out: list[tuple[Schedule, Mapping[str, Any]]] = []
    for path in rulebooks:
        book = load_rulebook(path)
        out.extend((s, book.merged) for s in schedules_of(book.id, book.merged, book.schedules, book.clauses))
    return out


def load_schedules(archive: Reader, rulebooks: Sequence[str]) -> list[tuple[Schedule, Mapping[str, Any]]]:
    """The schedules of *rulebooks* (paths), or else of the newest archived version of each rulebook."""
    from checkengine.schedules.model import schedules_of

    if rulebooks:
        return schedules_in(rulebooks)
    out: list[tuple[Schedule, Mapping[str, Any]]] = []
    newest: dict[str, Mapping[str, Any]] = {}
    for item in archive.rulebooks():  # oldest first: the last one of an id is its newest
        newest[item["id"]] = item["merged"]
    for book_id, merged in newest.items():
        out.extend((s, merged) for s in schedules_of(book_id, merged))
    return out


def find_schedule(schedules: Sequence[tuple[Schedule, Mapping[str, Any]]], name: str,
                  book: str | None) -> Schedule:
    matches = [s for s, _ in schedules if s.id == name and (book is None or s.book == book)]
    if not matches:
        known = ", ".join(sorted({f"{s.book}:{s.id}" for s, _ in schedules})) or "none"
        raise UserError(f"no schedule '{name}'" + (f" in rulebook {book}" if book else "")
                        + f"; the schedules are: {known}")
    if len(matches) > 1:
        raise UserError(f"schedule '{name}' is in several rulebooks ({', '.join(s.book for s in matches)}); "
                        "say which with --book")
    return matches[0]


def check_occurrence(archive: Reader, schedule: Schedule, site: str, due: date,
                     block: Mapping[str, Any] | None = None) -> None:
    """That *due* is a due day of *schedule* at *site* (as the RRULE and holiday policy set it)."""
    block = block or site_block(archive, site) or {}
    country = block.get("country") if isinstance(block.get("country"), str) else None
    extra = [str(d) for d in block.get("calendar") or []]
    days = due_days(schedule, due - timedelta(days=62), due + timedelta(days=62), country, extra)
    if due not in days:
        near = ", ".join(d.isoformat() for d in days if abs((d - due).days) <= 31) or "none within a month"
        raise UserError(f"--due {due.isoformat()}: not a due day of {schedule.book}:{schedule.id} at {site} "
                        f"({schedule.every}); the due days near it: {near}")


def missed_findings(archive: Reader, site: str, period: Period, today: date | None = None,
                    rulebooks: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Each occurrence of *period* at *site* that was missed, as a finding a report lists beside
    the failed rules: the schedule and its clause, whose it was, the due day, and what was found."""
    schedules = load_schedules(archive, rulebooks)
    out = []
    for slot in plan_site(archive, schedules, site, period, today):
        if slot.status != "missed":
            continue
        who = f" for {slot.subject}" if slot.subject else ""
        out.append({
            "book": slot.schedule.book, "schedule": slot.schedule.id, "title": slot.schedule.title,
            "source": slot.schedule.source, "site": site, "subject": slot.subject or None,
            "due": slot.due.isoformat(), "outcome": "fail", "severity": "major",
            "explanation": (f"{slot.schedule.id}{who} was due on {slot.due.isoformat()} ({slot.schedule.every}); "
                            f"{len(slot.found)} of {slot.needed} found in the archive from "
                            f"{slot.start.isoformat()}"),
        })
    return out
