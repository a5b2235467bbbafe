"""Public holidays from the holidays library, plus a site's own calendar."""

from __future__ import annotations

from datetime import date

import pytest

from checkengine.calendars import is_public_holiday


def test_national_day_in_taiwan_is_a_holiday_and_a_site_date_counts_too() -> None:
    assert is_public_holiday(date(2026, 10, 10), "TW")
    assert not is_public_holiday(date(2026, 11, 12), "TW")
    assert is_public_holiday(date(2026, 11, 12), "TW", ["2026-11-12"])


def test_an_unknown_country_code_is_named() -> None:
    with pytest.raises(ValueError) as caught:
        is_public_holiday(date(2026, 1, 1), "XX")
    assert str(caught.value) == "unknown country code 'XX' for public holidays (use ISO 3166, e.g. TW, CN, KR, ES)"
