"""checkengine.localtime: every calendar question is answered on the site's clock (issue 9, point 1).

The seed's clauses are local: "當日十二點之前" (before twelve o'clock that day, 001 請假 六), "22日前交"
(by the 22nd, 001 班長 3), "節假日不允許請假" (no leave on public holidays, 001 請假 七). The same
instants exported in UTC, or in any other offset, must give the same verdicts.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.localtime import Zone, ZoneNeeded, local_date, zone_of
from checkengine.plugins import default_registry
from checkengine.records import Record, RecordError, check_record, iter_records
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "examples" / "month-2026-11"
BOOKS = sorted((ROOT / "rulebooks").glob("*.yaml")) + sorted((ROOT / "rulebooks" / "branches").glob("*.yaml"))
SITE = {"id": "cc-taipei", "country": "TW", "timezone": "Asia/Taipei", "calendar": ["2026-11-12"]}
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def _record(kind: str, data: dict[str, Any], *, site: dict[str, Any] | None = None,
            timestamp: str = "2026-11-03T09:00:00+08:00") -> Record:
    raw = {"kind": kind, "id": "R-1", "timestamp": timestamp, "site": site or dict(SITE),
           "subject": {"employee": "E001", "role": "agent", "team": "T1"}, "data": data}
    checked = check_record(raw, Location("t.yaml", 1, 1))
    assert isinstance(checked, Record), checked
    return checked


def _outcome(book: str, record: Record, rule: str) -> dict[str, Any]:
    result = Engine(load_rulebook(ROOT / "rulebooks" / f"{book}.yaml"), lang="en").run([record])
    assert result["errors"] == []
    found = [o for e in result["records"] for o in e["outcomes"] if o["rule"] == rule]
    assert len(found) == 1
    return found[0]


def _night_leave(requested_at: str) -> Record:
    return _record("leave_request", {
        "leave_type": "personal", "requested_at": requested_at, "shift_kind": "night",
        "start": "2026-11-04T22:00:00+08:00", "end": "2026-11-05T07:00:00+08:00",
        "shift_start": "2026-11-04T22:00:00+08:00", "requested_by": "E001", "in_person": True,
        "on_swapped_shift": False,
        "approvals": [{"role": "department_head", "at": "2026-11-04T12:30:00+08:00"}]})


# -- "當日十二點之前" -----------------------------------------------------------------------------
@pytest.mark.parametrize(("requested_at", "outcome"), [
    ("2026-11-04T11:30:00+08:00", "pass"),
    ("2026-11-04T03:30:00Z", "pass"),      # 11:30 in Taipei
    ("2026-11-04T12:30:00+08:00", "fail"),
    ("2026-11-04T04:30:00Z", "fail"),      # 12:30 in Taipei: written in UTC it looks like the morning
    ("2026-11-04T06:30:00+02:00", "fail"),  # 12:30 in Taipei again
])
def test_night_leave_before_noon_is_noon_in_taipei(requested_at: str, outcome: str) -> None:
    """001 請假 六: 原則上夜班不允許請假,如遇特殊情況必須在當日十二點之前提出."""
    o = _outcome("leave-and-swaps", _night_leave(requested_at), "LVE-09-night-leave-deadline")
    assert o["outcome"] == outcome
    assert o["observed"].endswith("11:30" if outcome == "pass" else "12:30")


# -- "22日前交" ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("submitted_at", "outcome"), [
    ("2026-11-22T23:30:00+08:00", "pass"),
    ("2026-11-22T15:30:00Z", "pass"),      # 23:30 on the 22nd in Taipei
    ("2026-11-23T07:00:00+08:00", "fail"),
    ("2026-11-22T23:00:00Z", "fail"),      # 07:00 on the 23rd in Taipei: still the 22nd in UTC
])
def test_report_by_the_22nd_is_the_22nd_in_taipei(submitted_at: str, outcome: str) -> None:
    """001 班長 3: 每月匯總形成服務質量分析報告,22日前交客服部主任."""
    record = _record("report_submission", {"report": "quality_analysis", "period": "2026-11",
                                           "submitted_at": submitted_at, "author_role": "team_leader"})
    assert _outcome("management", record, "MGT-03-quality-report-on-time")["outcome"] == outcome


# -- "節假日不允許請假" ------------------------------------------------------------------------------
def test_a_holiday_shift_is_a_holiday_whatever_offset_it_is_written_in() -> None:
    """001 請假 七: 節假日不允許請假,除極特殊情況需提前二天提出,經管理人員批准後方可生效."""
    # 06:00 on 12 November in Taipei (the site's holiday) is 22:00 on the 11th in UTC.
    for shift_start in ("2026-11-12T06:00:00+08:00", "2026-11-11T22:00:00Z"):
        record = _record("leave_request", {
            "leave_type": "personal", "requested_at": "2026-11-11T09:00:00+08:00", "shift_kind": "day",
            "start": shift_start, "end": "2026-11-12T14:00:00+08:00", "shift_start": shift_start,
            "requested_by": "E001", "in_person": True, "on_swapped_shift": False,
            "approvals": [{"role": "department_head"}]})
        o = _outcome("leave-and-swaps", record, "LVE-10-holiday-leave-notice")
        assert o["outcome"] == "fail", (shift_start, o["explanation"])


def test_without_a_site_zone_a_calendar_question_needs_review() -> None:
    """A guess at the site's clock would be a silent verdict: the rule says what it lacks."""
    site = {"id": "cc-x", "country": "TW"}
    record = _record("leave_request", {
        "leave_type": "personal", "requested_at": "2026-11-04T11:30:00+08:00", "shift_kind": "night",
        "start": "2026-11-04T22:00:00+08:00", "end": "2026-11-05T07:00:00+08:00",
        "shift_start": "2026-11-04T22:00:00+08:00", "requested_by": "E001", "in_person": True,
        "on_swapped_shift": False, "approvals": [{"role": "department_head"}]}, site=site)
    o = _outcome("leave-and-swaps", record, "LVE-09-night-leave-deadline")
    assert o["outcome"] == "needs_review"
    assert o["explanation"].startswith(
        "needs review: the site has no time zone (site.timezone), so the local date and time of "
        "2026-11-04T11:30:00+08:00 are unknown")
    # A duration needs no clock: special leave an hour ahead is judged without a zone.
    special = _record("leave_request", {
        "leave_type": "special_personal", "requested_at": "2026-11-04T08:00:00+08:00",
        "start": "2026-11-04T09:00:00+08:00", "end": "2026-11-04T17:00:00+08:00",
        "shift_start": "2026-11-04T09:00:00+08:00", "requested_by": "E001", "in_person": True}, site=site)
    assert _outcome("leave-and-swaps", special, "LVE-02-special-leave-notice")["outcome"] == "pass"


def test_an_unknown_zone_name_is_an_unusable_record() -> None:
    raw = {"kind": "leave_request", "id": "R-1", "timestamp": "2026-11-03T09:00:00+08:00",
           "site": {"id": "x", "timezone": "Asia/Taipe"},
           "subject": {"employee": "E001", "role": "agent", "team": "T1"},
           "data": {"leave_type": "special_personal", "requested_at": "2026-11-04T08:00:00+08:00",
                    "start": "2026-11-04T09:00:00+08:00", "end": "2026-11-04T17:00:00+08:00",
                    "shift_start": "2026-11-04T09:00:00+08:00"}}
    record = check_record(raw, Location("t.yaml", 1, 1))
    # The record schema's time-zone format refuses it when the record is read ...
    assert isinstance(record, RecordError)
    assert (record.location.path, record.message) == (
        "site.timezone", "'Asia/Taipe' is not a known time zone; give an IANA time-zone name (e.g. Asia/Taipei or UTC)")
    result = Engine(load_rulebook(ROOT / "rulebooks" / "leave-and-swaps.yaml")).run([record])
    assert [e["path"] for e in result["errors"]] == ["site.timezone"]


def test_local_date_helpers() -> None:
    taipei = zone_of({"site": {"timezone": "Asia/Taipei"}})
    assert local_date("2026-11-22T23:00:00Z", taipei).isoformat() == "2026-11-23"
    assert local_date("2026-11-22", Zone(None)).isoformat() == "2026-11-22"  # a date needs no zone
    with pytest.raises(ZoneNeeded):
        local_date("2026-11-22T23:00:00Z", Zone(None))


# -- the whole example month, in any offset ----------------------------------------------------------
def _month() -> list[Record]:
    registry = default_registry()
    records = [r for r in iter_records([str(MONTH)], registry) if isinstance(r, Record)]
    assert len(records) > 500
    return records


def _shift(value: Any, offsets: list[int], counter: list[int]) -> Any:
    """Every date-time in *value* rewritten in another offset (minutes, taken in turn from *offsets*)."""
    if isinstance(value, dict):
        return {k: _shift(v, offsets, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, offsets, counter) for v in value]
    if isinstance(value, str) and _INSTANT.match(value):
        minutes = offsets[counter[0] % len(offsets)]
        counter[0] += 1
        moment = datetime.fromisoformat(value).astimezone(timezone(timedelta(minutes=minutes)))
        return moment.isoformat()
    return value


def _verdicts(records: list[Record]) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for path in BOOKS:
        result = Engine(load_rulebook(path)).run([Record(copy.deepcopy(r.data), r.location) for r in records])
        rows: list[tuple[Any, ...]] = [(e["record"]["id"], o["rule"], o["outcome"]) for e in result["records"]
                                       for o in e["outcomes"]]
        rows += [(o["rule"], repr(sorted(o["group"].items())), o["outcome"], repr(o["observed"]))
                 for o in result["groups"]]
        rows += [(e["path"], e["message"]) for e in result["errors"]]
        out[path.stem] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def month() -> tuple[list[Record], dict[str, list[tuple[Any, ...]]]]:
    records = _month()
    return records, _verdicts(records)


# Offsets people export in: UTC, the Americas, India's half hour, Nepal's quarter, the Pacific.
OFFSET = st.sampled_from([0, -600, -480, -300, -210, 0, 60, 330, 345, 480, 540, 780, 840])


@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(OFFSET, min_size=1, max_size=7))
@example(offsets=[0])  # every timestamp in UTC
def test_the_example_month_gives_the_same_verdicts_in_any_offset(
        month: tuple[list[Record], dict[str, list[tuple[Any, ...]]]], offsets: list[int]) -> None:
    records, expected = month
    counter = [0]
    shifted = [Record(_shift(r.data, offsets, counter), r.location) for r in records]
    assert counter[0] > 1000  # the month's date-times were all rewritten
    assert _verdicts(shifted) == expected
