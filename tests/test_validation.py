"""One validator path: whatever the fast validator (jsonschema-rs) refuses, the explaining one
(jsonschema) explains, and the other way round; formats are checked the same by both."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from checkengine import validation
from checkengine.formats import date_problem, date_time_problem, time_zone_problem
from checkengine.yamlio import Document

GOOD = {
    "checkengine": 1, "kind": "floor_inspection", "id": "FI-1",
    "site": {"id": "cc-taipei", "country": "TW", "timezone": "Asia/Taipei", "calendar": ["2026-11-05"]},
    "timestamp": "2026-11-03T09:15:00+08:00",
    "inspector": {"id": "Q01", "name": "Lin"},
    "subject": {"employee": "E001", "name": "Wang", "role": "agent"},
    "observations": {"uniform": True, "minutes_outside": 12},
}
# Values that are wrong somewhere: impossible dates and times, unknown zones, wrong types.
HOSTILE: list[Any] = [
    "2026-02-30T09:15:00+08:00", "2026-11-03T25:00:00+08:00", "2026-11-03T09:15:00+25:00",
    "2026-11-03T09:15:00", "2026-11-03", "2026-13-01", "2026-02-29", "0000-01-01T00:00:00Z",
    "2026-12-31T23:59:60Z", "Mars/Olympus", "Asia/Taipei", "../../etc/passwd", "UTC", "", "x" * 300,
    None, True, 0, -1, 1.5, 2**63, [], {}, ["2026-02-30"], {"id": 1}, "rocket_launch", "TWN",
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, path + (i,))
    return out


def _mutants(count: int, seed: int = 10) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    paths = [p for p in _paths(GOOD) if p]
    out = []
    for _ in range(count):
        doc = copy.deepcopy(GOOD)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            target: Any = doc
            try:
                for part in path[:-1]:
                    target = target[part]
                if rng.random() < 0.15 and isinstance(target, dict):
                    target.pop(path[-1], None)
                else:
                    target[path[-1]] = copy.deepcopy(rng.choice(HOSTILE))
            except (KeyError, IndexError, TypeError):
                continue
        out.append(doc)
    return out


def test_every_document_the_fast_validator_refuses_is_explained() -> None:
    fast = validation._fast_validator("record")
    assert fast is not None, "jsonschema-rs is a dependency"
    slow = validation.validator("record")
    refused = 0
    for doc in _mutants(1500):
        fast_ok = fast.is_valid(doc)
        explained = list(slow.iter_errors(doc))
        assert fast_ok == (not explained), (doc, [e.message for e in explained])
        if not fast_ok:
            refused += 1
            problems = validation.errors("record", Document("r.yaml", doc))
            assert problems and all(p.bare_message for p in problems), doc
    assert refused > 1000  # the mutants do exercise the refusals


@pytest.mark.parametrize("value, problem", [
    ("2026-02-30T09:15:00+08:00", "2026-02 has no day 30 (it has 28 days): give a day that exists (e.g. 2026-02-28)"),
    ("2026-11-03T25:00:00+08:00", "there is no hour 25: hours run from 00 to 23"),
    ("2026-11-03T09:15:00+25:00", "the offset +25:00 does not exist: offsets run from -23:59 to +23:59 (e.g. +08:00)"),
    ("2026-11-03T09:15:00", "has no time zone; add the offset, e.g. +08:00 (or Z for UTC)"),
    ("2024-02-29T00:00:00Z", None),
    ("2026-11-03t09:15:00.123z", None),
])
def test_date_times_are_rfc_3339_on_a_real_calendar(value: str, problem: str | None) -> None:
    assert date_time_problem(value) == problem


def test_the_quick_answer_for_a_date_time_is_the_full_checks_answer() -> None:
    """Every date-time the quick path accepts, the full checks accept too, over each field's edge
    values (00, 01, 28-32, 59-61, 99), offsets and leap years; and it refuses no good one's message."""
    from itertools import product

    from checkengine.formats import _DATE_TIME, _date_time_checked, _plainly_right

    quick = 0
    for year, month, day, hour, minute, second, offset in product(
        ("0000", "0001", "2024", "2026"), ("00", "01", "02", "12", "13", "99"), ("00", "01", "28", "29", "30", "31", "32"),
        ("00", "23", "24", "99"), ("00", "59", "60"), ("00", "59", "60", "61"),
        ("Z", "+08:00", "-23:59", "+24:00", "+08:60", "-00:00"),
    ):
        value = f"{year}-{month}-{day}T{hour}:{minute}:{second}{offset}"
        found = _DATE_TIME.match(value)
        assert found is not None, value
        if _plainly_right(found):
            quick += 1
            assert _date_time_checked(value, found) is None, value
        assert date_time_problem(value) == _date_time_checked(value, found), value
    assert quick > 500  # the quick path is taken


def test_dates_and_time_zones() -> None:
    assert date_problem("2026-02-29") == ("2026-02 has no day 29 (it has 28 days): give a day that exists "
                                          "(e.g. 2026-02-28)")
    assert date_problem("2028-02-29") is None
    assert time_zone_problem("Asia/Taipei") is None
    assert time_zone_problem("Mars/Olympus") == ("is not a known time zone; give an IANA time-zone name "
                                                 "(e.g. Asia/Taipei or UTC)")
    assert time_zone_problem("../etc/passwd") == ("give an IANA time-zone name (e.g. Asia/Taipei, "
                                                  "Europe/London or UTC)")


@pytest.mark.parametrize("value, message", [
    (float("nan"), "nan is not a number checkengine can use; write a finite number (or null when it is not known)"),
    (2**63, "9223372036854775808 is out of range: whole numbers must lie between -9223372036854775808 and "
            "9223372036854775807"),
])
def test_numbers_no_schema_can_describe_are_refused(value: Any, message: str) -> None:
    doc = copy.deepcopy(GOOD)
    doc["observations"]["minutes_outside"] = value
    problems = validation.errors("record", Document("r.yaml", doc))
    assert [(p.location.path, p.bare_message) for p in problems] == [("observations.minutes_outside", message)]


def test_a_document_is_checked_once_per_schema_and_again_when_its_data_is_replaced(
        monkeypatch: pytest.MonkeyPatch) -> None:
    doc = Document("w.yaml", {"checkengine": 1, "kind": "waivers", "waivers": []},
                   {(): (1, 1)})
    assert validation.errors("waivers", doc) == []
    checked = validation.compiled("waivers")
    calls: list[Any] = []
    real = checked.fast_valid
    monkeypatch.setattr(checked, "fast_valid", lambda instance: calls.append(instance) or real(instance))
    assert validation.errors("waivers", doc) == []  # remembered: not checked again
    assert calls == []
    doc.data = {"checkengine": 1, "kind": "waivers", "waivers": 3}  # another document's data
    assert [e.location.path for e in validation.errors("waivers", doc)] == ["waivers"]
    assert len(calls) == 1
    other = Document("w.yaml", {"checkengine": 1, "kind": "waivers", "waivers": []}, {(): (1, 1)})
    assert validation.errors("waivers", other) == [] and len(calls) == 2  # a new document is checked
