"""Time check types (notice, deadline, day_of_month, holiday, covered) and the date CEL functions."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.builtin.cel_functions import iso_week, month_of, weekday_before
from checkengine.conditions import Conditions
from checkengine.plugins import default_registry

TZ = "+08:00"


def _leave(make_record: Any, record_id: str, **data: Any) -> Any:
    base = {"leave_type": "personal", "requested_at": f"2026-11-03T08:00:00{TZ}",
            "start": f"2026-11-03T09:00:00{TZ}", "end": f"2026-11-03T17:00:00{TZ}",
            "shift_start": f"2026-11-03T09:00:00{TZ}"}
    base.update(data)
    return make_record("leave_request", record_id, data=base)


def _one(evaluate: Any, book: Any, record: Any, helpers: Any, rule_id: str = "T", **options: Any) -> dict[str, Any]:
    result = evaluate(book, [record], **options)
    assert result["errors"] == []
    out: dict[str, Any] = helpers.outcome_of(result, rule_id)
    return out


# -- notice ----------------------------------------------------------------------------------------
@pytest.fixture
def notice_book(make_book: Any, helpers: Any) -> Any:
    rules = [
        helpers.rule("T", {"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                           "min": {"param": "notice"}}, kinds=["leave_request"]),
        helpers.rule("H", {"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                           "min": 24, "unit": "hours"}, kinds=["leave_request"]),
        helpers.rule("D", {"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                           "min": 1, "unit": "days"}, kinds=["leave_request"]),
    ]
    return make_book(rules, {"notice": helpers.param(60, unit="minutes")})


@pytest.mark.parametrize(("requested", "outcome", "given"), [
    ("08:01:00", "fail", 59.0), ("08:00:00", "pass", 60.0), ("08:00:30", "fail", 59.5), ("07:00:00", "pass", 120.0),
])
def test_special_leave_needs_an_hour(notice_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                                     requested: str, outcome: str, given: float) -> None:
    record = _leave(make_record, "LV", requested_at=f"2026-11-03T{requested}{TZ}")
    o = _one(evaluate, notice_book, record, helpers)
    assert (o["outcome"], o["observed"], o["expected"]) == (outcome, given, ">= 60 minutes")


def test_notice_explanation_names_the_minimum(notice_book: Any, make_record: Any, evaluate: Any,
                                              helpers: Any) -> None:
    o = _one(evaluate, notice_book, _leave(make_record, "LV", requested_at=f"2026-11-03T08:01:00{TZ}"), helpers)
    assert o["explanation"] == (
        "59 minutes of notice (2026-11-03T08:01:00+08:00 → 2026-11-03T09:00:00+08:00); at least 60 minutes "
        "required; notice = 60 (since 2020-01-01)")
    assert o["parameters"] == {"notice": {"value": 60, "since": "2020-01-01", "reference": "test"}}


def test_days_are_calendar_days_in_each_zone(notice_book: Any, make_record: Any, evaluate: Any,
                                             helpers: Any) -> None:
    # 23:30 in Taipei is 15:30 UTC: the request is made on the 2nd, the shift is on the 3rd -> 1 day,
    # although only 9.5 hours pass (the hours rule fails).
    record = _leave(make_record, "LV", requested_at=f"2026-11-02T23:30:00{TZ}")
    assert _one(evaluate, notice_book, record, helpers, "D")["outcome"] == "pass"
    assert _one(evaluate, notice_book, record, helpers, "H")["observed"] == 9.5
    # The same instant written in UTC is on the 2nd too; a shift at 00:30 Taipei time on the 3rd is
    # the 2nd in UTC but the 3rd in its own zone.
    utc = _leave(make_record, "LV", requested_at="2026-11-02T15:30:00Z", shift_start=f"2026-11-03T00:30:00{TZ}")
    assert _one(evaluate, notice_book, utc, helpers, "D")["observed"] == 1


def test_a_time_without_zone_in_free_data_is_an_error(make_book: Any, make_record: Any, evaluate: Any,
                                                      helpers: Any) -> None:
    # mystery_shopping data is free-form, so the record schema does not catch the missing zone.
    record = make_record("mystery_shopping", "MS", data={"asked": "2026-11-03T08:00:00",
                                                         "due": "2026-11-03T09:00:00+08:00"})
    book = make_book([helpers.rule("T", {"type": "notice", "from": "data.asked", "to": "data.due", "min": 1},
                                   kinds=["mystery_shopping"])])
    o = _one(evaluate, book, record, helpers)
    assert (o["outcome"], o["explanation"]) == ("error", (
        "the check could not run: data.asked is '2026-11-03T08:00:00', which has no time zone "
        "(add the offset, e.g. +08:00)"))
    missing = make_record("mystery_shopping", "MS", data={"due": "2026-11-03T09:00:00+08:00"})
    assert _one(evaluate, book, missing, helpers)["outcome"] == "needs_review"


# -- deadline --------------------------------------------------------------------------------------
@pytest.fixture
def deadline_book(make_book: Any, helpers: Any) -> Any:
    rules = [
        helpers.rule("T", {"type": "deadline", "field": "data.requested_at", "before": {"param": "deadline"},
                           "same_day_as": "data.shift_start"}, kinds=["leave_request"]),
        helpers.rule("N", {"type": "deadline", "field": "data.requested_at", "before": "12:00"},
                     kinds=["leave_request"]),
    ]
    return make_book(rules, {"deadline": helpers.param("12:00", unit="time")})


@pytest.mark.parametrize(("requested", "outcome"), [
    ("2026-11-04T11:59:00", "pass"), ("2026-11-04T11:59:59", "pass"), ("2026-11-04T12:00:00", "fail"),
    ("2026-11-04T12:01:00", "fail"), ("2026-11-03T18:00:00", "pass"), ("2026-11-05T09:00:00", "fail"),
])
def test_night_leave_before_noon_that_day(deadline_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                                          requested: str, outcome: str) -> None:
    record = _leave(make_record, "LV", requested_at=requested + TZ, shift_start=f"2026-11-04T22:00:00{TZ}")
    assert _one(evaluate, deadline_book, record, helpers)["outcome"] == outcome


def test_deadline_explanations(deadline_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    record = _leave(make_record, "LV", requested_at=f"2026-11-04T12:01:00{TZ}", shift_start=f"2026-11-04T22:00:00{TZ}")
    o = _one(evaluate, deadline_book, record, helpers)
    assert o["explanation"] == ("data.requested_at at 2026-11-04 12:01; due before 12:00 on 2026-11-04 (the day of "
                                "data.shift_start); deadline = 12:00 (since 2020-01-01)")
    n = _one(evaluate, deadline_book, record, helpers, "N")
    assert (n["outcome"], n["observed"], n["explanation"]) == (
        "fail", "12:01", "data.requested_at at 2026-11-04 12:01; due before 12:00")


def test_deadline_rejects_a_bad_time_parameter(make_book: Any, make_record: Any, evaluate: Any,
                                               helpers: Any) -> None:
    book = make_book([helpers.rule("T", {"type": "deadline", "field": "data.requested_at",
                                         "before": {"param": "deadline"}}, kinds=["leave_request"])],
                     {"deadline": helpers.param("noon")})
    o = _one(evaluate, book, _leave(make_record, "LV"), helpers)
    assert o["explanation"].startswith(
        "the check could not run: before must be a time of day HH:MM (e.g. 12:00), got 'noon'")


# -- day_of_month ----------------------------------------------------------------------------------
def _report(make_record: Any, submitted: str, period: str = "2026-11") -> Any:
    return make_record("report_submission", "RP", data={"report": "quality_analysis", "period": period,
                                                        "submitted_at": submitted + TZ})


@pytest.mark.parametrize(("submitted", "period", "offset", "outcome"), [
    ("2026-11-22T23:59:00", "2026-11", 0, "pass"),
    ("2026-11-23T00:00:00", "2026-11", 0, "fail"),
    ("2026-10-30T10:00:00", "2026-11", 0, "pass"),
    ("2026-12-22T10:00:00", "2026-11", 1, "pass"),
    ("2026-12-23T10:00:00", "2026-11", 1, "fail"),
    ("2027-01-22T10:00:00", "2026-12", 1, "pass"),  # the offset crosses the year
    ("2026-11-23T10:00:00", "2026-W47", 0, "fail"),  # a weekly period: the field's own month
    ("2026-11-21T10:00:00", "2026", 0, "pass"),
])
def test_report_by_the_22nd(make_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                            submitted: str, period: str, offset: int, outcome: str) -> None:
    check = {"type": "day_of_month", "field": "data.submitted_at", "period": "data.period",
             "day": {"param": "due"}, "month_offset": offset}
    book = make_book([helpers.rule("T", check, kinds=["report_submission"])], {"due": helpers.param(22)})
    o = _one(evaluate, book, _report(make_record, submitted, period), helpers)
    assert o["outcome"] == outcome


def test_day_31_means_the_last_day(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "day_of_month", "field": "data.submitted_at", "period": "data.period", "day": 31}
    book = make_book([helpers.rule("T", check, kinds=["report_submission"])])
    o = _one(evaluate, book, _report(make_record, "2026-11-30T10:00:00"), helpers)
    assert (o["outcome"], o["expected"], o["explanation"]) == (
        "pass", "<= 2026-11-30", "data.submitted_at on 2026-11-30; due by 2026-11-30")


# -- holiday ---------------------------------------------------------------------------------------
@pytest.fixture
def holiday_book(make_book: Any, helpers: Any) -> Any:
    return make_book([
        helpers.rule("T", {"type": "holiday", "date": "data.shift_date"}, kinds=["shift_swap"]),
        helpers.rule("Y", {"type": "holiday", "date": "data.shift_date", "expect": True}, kinds=["shift_swap"]),
    ])


def _swap(make_record: Any, day: str, site: Any = None) -> Any:
    fields: dict[str, Any] = {"data": {"requester": "E1", "counterpart": "E2", "shift_date": day}}
    if site is not None:
        fields["site"] = site
    return make_record("shift_swap", "SW", **fields)


def test_swap_on_a_taiwan_public_holiday_fails(holiday_book: Any, make_record: Any, evaluate: Any,
                                               helpers: Any) -> None:
    o = _one(evaluate, holiday_book, _swap(make_record, "2026-10-10"), helpers)
    assert (o["outcome"], o["observed"], o["details"]) == ("fail", "National Day", {"holiday": "National Day"})
    assert o["explanation"] == ("2026-10-10 is a public holiday in TW: National Day; it must not fall on a "
                                "public holiday")
    zh = _one(evaluate, holiday_book, _swap(make_record, "2026-10-10"), helpers, lang="zh-Hant")
    assert zh["explanation"] == "2026-10-10 是 TW 的國定假日：國慶日; 不得為國定假日"
    assert _one(evaluate, holiday_book, _swap(make_record, "2026-10-10"), helpers, "Y")["outcome"] == "pass"


def test_working_day_and_site_calendar(holiday_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    o = _one(evaluate, holiday_book, _swap(make_record, "2026-11-12"), helpers)
    assert (o["outcome"], o["explanation"]) == (
        "pass", "2026-11-12 is not a public holiday in TW; it must not fall on a public holiday")
    site = {"id": "cc-taipei", "country": "TW", "calendar": ["2026-11-12"]}
    o = _one(evaluate, holiday_book, _swap(make_record, "2026-11-12", site), helpers)
    assert (o["outcome"], o["observed"]) == ("fail", "a holiday in the site's calendar")


def test_holiday_needs_a_country(holiday_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    o = _one(evaluate, holiday_book, _swap(make_record, "2026-10-10", {"id": "somewhere"}), helpers)
    assert (o["outcome"], o["explanation"]) == ("error", (
        "the check could not run: site.country is missing: public holidays need the site's country "
        "(ISO 3166 code, e.g. TW)"))


# -- covered ---------------------------------------------------------------------------------------
@pytest.fixture
def covered_book(make_book: Any, helpers: Any) -> Any:
    check = {"type": "covered", "from": "data.start", "to": "data.end", "intervals": "data.certificates"}
    return make_book([helpers.rule("T", check, kinds=["leave_request"])])


def test_certificates_cover_every_day(covered_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    record = _leave(make_record, "LV", leave_type="sick", start=f"2026-11-02T09:00:00{TZ}",
                    end=f"2026-11-06T17:00:00{TZ}",
                    certificates=[{"from": "2026-11-04", "to": "2026-11-09"}, {"from": "2026-10-30", "to": "2026-11-03"}])
    o = _one(evaluate, covered_book, record, helpers)
    assert (o["outcome"], o["explanation"]) == ("pass", "every day of 2026-11-02 – 2026-11-06 is covered (5 days)")


def test_gaps_are_listed_as_ranges(covered_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    record = _leave(make_record, "LV", leave_type="sick", start=f"2026-11-02T09:00:00{TZ}",
                    end=f"2026-11-08T17:00:00{TZ}", certificates=[{"from": "2026-11-03", "to": "2026-11-04"},
                                                               {"from": "2026-11-08", "to": "2026-11-08"}])
    o = _one(evaluate, covered_book, record, helpers)
    assert (o["outcome"], o["explanation"]) == (
        "fail", "not covered: 2026-11-02, 2026-11-05 – 2026-11-07 (of 2026-11-02 – 2026-11-08)")
    assert o["details"] == {"uncovered": ["2026-11-02", "2026-11-05", "2026-11-06", "2026-11-07"]}
    none = _leave(make_record, "LV", leave_type="sick", start=f"2026-11-02T09:00:00{TZ}", end=f"2026-11-02T17:00:00{TZ}")
    assert _one(evaluate, covered_book, none, helpers)["observed"] == ["2026-11-02"]


def test_a_night_shift_of_leave_is_one_day_to_cover(covered_book: Any, make_record: Any, evaluate: Any,
                                                     helpers: Any) -> None:
    """001 請假 五: 病假證明時間必需連續 -- over the days of leave, which a night shift 22:00-07:00 makes one."""
    night = _leave(make_record, "LV", leave_type="sick", start=f"2026-11-02T22:00:00{TZ}",
                   end=f"2026-11-03T07:00:00{TZ}", certificates=[{"from": "2026-11-02", "to": "2026-11-02"}])
    o = _one(evaluate, covered_book, night, helpers)
    assert (o["outcome"], o["explanation"]) == ("pass", "every day of 2026-11-02 – 2026-11-02 is covered (1 days)")
    # Written in UTC the shift begins on the 2nd in Taipei all the same.
    utc = _leave(make_record, "LV", leave_type="sick", start="2026-11-02T14:00:00Z", end="2026-11-02T23:00:00Z",
                 certificates=[{"from": "2026-11-02", "to": "2026-11-02"}])
    assert _one(evaluate, covered_book, utc, helpers)["outcome"] == "pass"
    two = _leave(make_record, "LV", leave_type="sick", start=f"2026-11-02T22:00:00{TZ}",
                 end=f"2026-11-04T07:00:00{TZ}", certificates=[{"from": "2026-11-02", "to": "2026-11-02"}])
    assert _one(evaluate, covered_book, two, helpers)["observed"] == ["2026-11-03"]


@pytest.mark.parametrize(("start", "end", "days"), [
    ("2026-11-02T22:00:00+08:00", "2026-11-03T07:00:00+08:00", 1),   # one night shift
    ("2026-11-02T22:00:00+08:00", "2026-11-04T07:00:00+08:00", 2),   # two night shifts
    ("2026-11-02T09:00:00+08:00", "2026-11-02T17:00:00+08:00", 1),   # one day shift
    ("2026-11-02T09:00:00+08:00", "2026-11-04T17:00:00+08:00", 3),   # three day shifts
    ("2026-11-02T14:00:00Z", "2026-11-02T23:00:00Z", 1),             # the night shift written in UTC
])
def test_shift_days_counts_one_day_a_shift(start: str, end: str, days: int) -> None:
    from checkengine.builtin.cel_functions import shift_days

    assert shift_days(start, end) == days


def test_full_days_are_24_hours_not_calendar_dates(make_book: Any, make_record: Any, evaluate: Any,
                                                   helpers: Any) -> None:
    """001 請假 二: 一般事假需在一天提出;特殊事假需在班前一小時提出 -- a day is never less than the hour."""
    book = make_book([helpers.rule("T", {"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                                         "min": 1, "unit": "full_days"}, kinds=["leave_request"])])
    late = _leave(make_record, "LV", requested_at=f"2026-11-02T23:15:00{TZ}", shift_start=f"2026-11-03T00:00:00{TZ}")
    o = _one(evaluate, book, late, helpers)
    assert (o["outcome"], o["observed"], o["expected"]) == ("fail", 0.03125, ">= 1 full_days")
    ahead = _leave(make_record, "LV", requested_at=f"2026-11-02T00:00:00{TZ}", shift_start=f"2026-11-03T00:00:00{TZ}")
    assert _one(evaluate, book, ahead, helpers)["outcome"] == "pass"


# -- CEL date functions ------------------------------------------------------------------------------
@pytest.mark.parametrize(("day", "weekday", "anchor", "expected"), [
    ("2026-11-03", 5, 25, "2026-11-20"),  # the Friday before Wednesday the 25th
    ("2026-09-10", 5, 25, "2026-09-18"),  # the 25th is a Friday itself: the one a week earlier
    ("2026-12-31T23:00:00+08:00", 1, 1, "2026-11-30"),  # strictly before the 1st: last month
])
def test_weekday_before(day: str, weekday: int, anchor: int, expected: str) -> None:
    assert weekday_before(day, weekday, anchor) == expected


def test_weekday_before_rejects_impossible_days() -> None:
    with pytest.raises(ValueError, match="2026-02 has no day 30"):
        weekday_before("2026-02-01", 5, 30)
    with pytest.raises(ValueError, match="weekday must be 1 \\(Monday\\) to 7 \\(Sunday\\), got 8"):
        weekday_before("2026-02-01", 8, 3)


def test_month_and_week_in_the_times_own_zone() -> None:
    assert month_of("2026-11-30T23:30:00-05:00") == "2026-11"
    assert iso_week("2026-11-03T09:00:00+08:00") == "2026-W45"
    assert iso_week("2027-01-01") == "2026-W53"


def test_date_functions_in_conditions() -> None:
    conditions = Conditions(default_registry().cel_functions)
    monthly = conditions.compile("weekday_before(record.data.held_on, 5, 25) == record.data.held_on")
    ctx = conditions.context({"data": {"held_on": "2026-11-20"}}, {})
    assert monthly.run(ctx) is True
    week = conditions.compile("iso_week(record.timestamp) + '/' + month_of(record.timestamp)")
    assert week.run(conditions.context({"timestamp": "2026-11-03T09:00:00+08:00"}, {})) == "2026-W45/2026-11"
