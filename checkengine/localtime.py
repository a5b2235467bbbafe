"""The site's local time: every calendar question about a record is answered in its site's zone.

A date-time in a record is an instant (it must carry an offset); which *day* it falls on, its time
of day, its weekday, whether that day is a holiday, its month: those are calendar questions, and
the answer depends on where the clock hangs. The answer is the site's (``site.timezone``, an IANA
name such as ``Asia/Taipei``), whatever offset the export happened to write: the same instants
written in UTC or in +08:00 give the same verdicts.

A record whose site has no zone can still be judged on durations (minutes between two instants),
but not on a calendar question about a date-time: that raises :class:`ZoneNeeded`, which the
engine reports as ``needs_review`` naming ``site.timezone``. A plain date (``2026-11-12``) is a
calendar day already and needs no zone.

Check types get the zone from their :class:`~checkengine.checks.Env` (``env.zone``); condition
functions, which CEL calls with plain values, read it from :data:`CURRENT`, which the Env sets
while a condition of that record runs.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkengine.conditions import Undecidable


class ZoneNeeded(Undecidable):
    """A calendar question about a date-time of a record whose site has no time zone."""

    def __init__(self, value: Any) -> None:
        super().__init__(
            f"the site has no time zone (site.timezone), so the local date and time of {value} are "
            "unknown; add the site's IANA zone to the record (e.g. site: {id: ..., timezone: Asia/Taipei})"
        )


@dataclass
class Zone:
    """The zone calendar questions are answered in: a site's (``info``), or none known."""

    info: ZoneInfo | None
    #: set when a calendar question could not be answered for want of a zone
    missing: bool = False

    def local(self, moment: datetime) -> datetime:
        if self.info is None:
            self.missing = True
            raise ZoneNeeded(moment.isoformat())
        return moment.astimezone(self.info)


#: The zone of the record whose conditions are running; None outside an evaluation (a function
#: called on its own answers in the offset the value is written in).
CURRENT: ContextVar[Zone | None] = ContextVar("checkengine_zone", default=None)


@lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo | None:
    """The zone named *name*, or None when there is no such IANA zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def site_zone_name(record: Mapping[str, Any] | None) -> Any:
    # a plain dict (every record read from a file) first: isinstance(x, Mapping) is slow
    site = record.get("site") if type(record) is dict or isinstance(record, Mapping) else None
    return site.get("timezone") if type(site) is dict or isinstance(site, Mapping) else None


def zone_of(record: Mapping[str, Any] | None) -> Zone:
    """The zone of *record*'s site (``Zone(None)`` when it has none, or an unknown name)."""
    name = site_zone_name(record)
    return Zone(zone_info(name) if isinstance(name, str) and name else None)


def to_local(moment: datetime, zone: Zone | None = None) -> datetime:
    """*moment* in the site's zone: *zone*, else the running record's, else as written."""
    zone = zone if zone is not None else CURRENT.get()
    if zone is None or moment.tzinfo is None:
        return moment
    return zone.local(moment)


def parse_instant(value: str) -> datetime | None:
    """A date-time with its offset from an ISO 8601 string, or None when *value* is a plain date."""
    if len(value) <= 10:
        return None
    return datetime.fromisoformat(value)


def local_date(value: Any, zone: Zone | None = None) -> date:
    """The calendar day of *value*: a date as it is, a date-time's date in the site's zone."""
    if isinstance(value, datetime):
        return to_local(value, zone).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date or date-time, got {value!r}")
    moment = parse_instant(value)
    if moment is None:
        return date.fromisoformat(value)
    return to_local(moment, zone).date()


def shift_starts(start: datetime, end: datetime) -> list[datetime]:
    """The starts of the shifts a span of leave covers: *start*, and every 24 hours after it while
    before *end*. A night shift 22:00-07:00 is one shift (one day of leave), not two dates; three
    day shifts 09:00 on the 3rd to 17:00 on the 5th are three."""
    starts = [start]
    while starts[-1] + _DAY < end:
        starts.append(starts[-1] + _DAY)
    return starts


_DAY = timedelta(hours=24)
