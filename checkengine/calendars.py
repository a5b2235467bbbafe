"""Public holidays (from the ``holidays`` library) plus a site's own calendar."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Iterable


@lru_cache(maxsize=256)
def _country(country: str, year: int) -> Any:
    import holidays  # imported when a calendar is first asked for: most commands never do

    # Ask the library which calendars it has, rather than waiting for it to refuse one.
    if country not in holidays.list_supported_countries():
        raise ValueError(
            f"unknown country code '{country}' for public holidays (use ISO 3166, e.g. TW, CN, KR, ES)"
        )
    return holidays.country_holidays(country, years=year)


def is_public_holiday(day: date, country: str | None, extra: Iterable[str] | None = None) -> bool:
    """Whether *day* is a public holiday in *country*, or one of the site's own dates *extra*."""
    if extra and day.isoformat() in set(extra):
        return True
    if not country:
        return False
    return day in _country(country.upper(), day.year)
