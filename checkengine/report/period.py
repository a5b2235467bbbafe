"""Report periods: a month (2026-11) or an ISO week (2026-W45), and the periods before them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from checkengine.errors import UserError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_WEEK = re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")
TREND_MONTHS = 6
TREND_WEEKS = 8


@dataclass(frozen=True)
class Period:
    kind: Literal["month", "week"]
    label: str
    start: date
    end: date  # inclusive

    @property
    def column(self) -> str:
        """The archive column that holds this kind of period."""
        return self.kind

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> "Period":
        return parse_period(month_label(self.start - timedelta(days=1)) if self.kind == "month"
                            else week_label(self.start - timedelta(days=7)))

    def trend(self) -> list["Period"]:
        """This period and the ones before it, oldest first (6 months or 8 weeks)."""
        out = [self]
        for _ in range((TREND_MONTHS if self.kind == "month" else TREND_WEEKS) - 1):
            out.append(out[-1].previous())
        return out[::-1]

    @property
    def month(self) -> str:
        """The month a coverage count belongs to: the period's own, or that of the week's Thursday
        (the ISO rule for which month, like which year, a week belongs to)."""
        return self.label if self.kind == "month" else month_label(self.start + timedelta(days=3))


def month_label(day: date) -> str:
    return day.strftime("%Y-%m")


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_period(text: str) -> Period:
    month = _MONTH.match(text)
    if month:
        start = date(int(month.group(1)), int(month.group(2)), 1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return Period("month", text, start, end)
    week = _WEEK.match(text)
    if week:
        try:
            start = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError:
            raise UserError(f"--period {text}: {week.group(1)} has no week {int(week.group(2))}") from None
        return Period("week", text, start, start + timedelta(days=6))
    raise UserError(f"--period {text}: expected a month (2026-11) or an ISO week (2026-W45)")
