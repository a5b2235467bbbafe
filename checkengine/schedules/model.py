"""A rulebook's ``schedules``, read and checked: the RRULE parsed by python-dateutil, the count's
parameter and the cited clause looked up; every mistake a CE213 finding at its field."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.rulebook.model import Declared

#: occurrences are counted from this Monday (it sets the phase of INTERVAL=2 and the like)
ANCHOR = datetime(2000, 1, 3)
_FREQS = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
EXAMPLE = "FREQ=WEEKLY;BYDAY=MO, FREQ=MONTHLY;BYMONTHDAY=22 or FREQ=MONTHLY;BYDAY=-1FR"


@dataclass(frozen=True)
class Schedule:
    book: str
    id: str
    title: Any
    source: str
    every: str
    rule: rrule
    kind: str
    where: dict[str, Any] = field(default_factory=dict)
    date_field: str | None = None
    count: int | str = 1
    per: str | None = None
    holidays: str = "keep"
    grace_days: int = 0
    sites: tuple[str, ...] = ()
    site_types: tuple[str, ...] = ()

    def applies_to(self, site: str, block: Mapping[str, Any] | None) -> bool:
        if self.sites and site not in self.sites:
            return False
        if self.site_types and (block or {}).get("type") not in self.site_types:
            return False
        return True


def parse_rrule(text: str) -> rrule:
    """*text* as a dateutil rrule counted from :data:`ANCHOR`; ValueError saying what is wrong."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if "\n" in body or "DTSTART" in body.upper() or ":" in body:
        raise ValueError("give the RRULE alone, without DTSTART or other lines")
    if not body.upper().startswith("FREQ="):
        raise ValueError("an RRULE starts with FREQ=")
    parsed = rrulestr(body, dtstart=ANCHOR)
    if not isinstance(parsed, rrule):
        raise ValueError("expected a single RRULE")
    if parsed._freq not in _FREQS:  # hours, minutes, seconds: a schedule is of days
        raise ValueError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY (a schedule is of days)")
    if parsed._count is not None:
        raise ValueError("COUNT is not allowed (occurrences are counted from 2000-01-03, so it means little); "
                         "use UNTIL")
    if any(part in body.upper() for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise ValueError("BYHOUR, BYMINUTE and BYSECOND are not allowed (a schedule is of days)")
    # A rule no day satisfies would make dateutil search day by day to the year 9999 (seconds);
    # the same filters a year at a time find out in a fraction of that, once, here.
    if parsed.replace(freq=YEARLY, interval=1, until=None).after(ANCHOR, inc=True) is None:
        raise ValueError("it never occurs (check BYMONTH and BYMONTHDAY: no 30 February)")
    return parsed


def param_value(merged: Mapping[str, Any], name: str, on: date | None) -> Any:
    values = ((merged.get("parameters") or {}).get(name) or {}).get("values") or {}
    days = sorted(values)
    i = len(days) if on is None else bisect.bisect_right(days, on.isoformat())
    return values[days[i - 1]].get("value") if i else None


def _where(declared: Declared, *sub: str | int) -> Location:
    from checkengine.yamlio import format_path

    return Location(declared.file, None, None, format_path(declared.path + sub))


def check(declared: Declared, merged: Mapping[str, Any], clauses: Mapping[str, Any]) -> Iterator[Finding]:
    """CE213 findings of one declared schedule."""
    raw = declared.raw
    try:
        parse_rrule(raw["every"])
    except ValueError as exc:
        yield Finding("CE213", f"'{raw['every']}' is not a usable RRULE: {exc}; write an iCalendar RRULE (RFC 5545) "
                      f"such as {EXAMPLE}", _where(declared, "every"))
    count = raw.get("count", 1)
    if isinstance(count, str):
        values = ((merged.get("parameters") or {}).get(count) or {}).get("values")
        if not values:
            yield Finding("CE213", f"count names parameter '{count}', which the rulebook does not define; name a "
                          "parameter holding a whole number, or give the number", _where(declared, "count"))
        elif any(isinstance(v.get("value"), bool) or not isinstance(v.get("value"), int) or v["value"] < 1
                 for v in values.values()):
            yield Finding("CE213", f"count names parameter '{count}', which holds something other than a whole "
                          "number of at least 1", _where(declared, "count"))
    source = raw["source"]["clause"] if isinstance(raw["source"], dict) else raw["source"]
    if clauses and source not in clauses:
        yield Finding("CE213", f"source names clause '{source}', which the sources catalogue does not have; cite a "
                      "clause of the catalogue", _where(declared, "source"))


def schedule_findings(book: Any) -> Iterator[Finding]:
    """Every CE213 finding of a loaded rulebook's schedules."""
    for declared in book.schedules:
        yield from check(declared, book.merged, book.clauses)


def located(finding: Finding) -> UserError:
    """*finding* as a UserError at its field's line and column (the file is read again to find it)."""
    loc = finding.location
    if loc.file and loc.line is None and loc.path:
        from checkengine.rulebook.load import RulebookLoader
        from checkengine.yamlio import parse_path

        try:
            exact = RulebookLoader().document(Path(loc.file), "rulebook").location(parse_path(loc.path))
            loc = Location(loc.file, exact.line, exact.column, loc.path)
        except UserError:
            pass
    return Finding(finding.code, finding.message, loc).as_error()


def schedules_of(book_id: str, merged: Mapping[str, Any], declared: list[Declared] | None = None,
                 clauses: Mapping[str, Any] | None = None) -> list[Schedule]:
    """The schedules of a merged rulebook (as loaded, with *declared* for locations and *clauses*
    the catalogue; or as archived), checked: the first mistake is raised as a UserError."""
    items = declared if declared is not None else [
        Declared(raw, f"the archived rulebook {book_id}", ("schedules", i))
        for i, raw in enumerate(merged.get("schedules") or [])]
    out = []
    for d in items:
        for finding in check(d, merged, clauses or {}):
            raise located(finding)
        raw = d.raw
        done_by = raw["done_by"]
        source = raw["source"]["clause"] if isinstance(raw["source"], dict) else raw["source"]
        out.append(Schedule(
            book=book_id, id=raw["id"], title=raw["title"], source=source, every=raw["every"],
            rule=parse_rrule(raw["every"]), kind=done_by["kind"], where=dict(done_by.get("where") or {}),
            date_field=done_by.get("date"), count=raw.get("count", 1), per=raw.get("per"),
            holidays=raw.get("holidays", "keep"), grace_days=int(raw.get("grace_days", 0)),
            sites=tuple(raw.get("sites") or ()), site_types=tuple(raw.get("site_types") or ())))
    return out
