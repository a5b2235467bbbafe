"""The checklist on screen from a rulebook, and a submitted form read back (checkengine/web/checklist.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine.api import load_rulebook
from checkengine.web.checklist import read_form, screens_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")


def test_the_screens_of_cs_floor(book: Any) -> None:
    """The rules of the printed checklist, one screen per section, typed observations asked once."""
    screens = screens_for(book, "floor_inspection", date(2026, 11, 3), "zh-Hans")
    assert [s.id for s in screens] == ["dress", "workstation", "conduct", "hygiene", "safety"]
    assert screens[0].title == "仪容着装"
    items = {i.rule: i for s in screens for i in s.items}
    assert len(items) == 36 and sum(i.manual for i in items.values()) == 17
    minutes = items["CND-08-time-outside-room"].observations[0]
    assert (minutes.name, minutes.type, minutes.limit) == ("minutes_outside_room", "number", "≤ 15 minutes")
    badge = items["DRS-02-badge"].observations[0]
    assert badge.type == "choice" and badge.choices[0] == ("standard", "佩戴于统一位置且端正")
    assert items["DRS-03-neat-clothes"].prompt == "衣着是否整洁，无皱、无破损、未挽袖？"
    assert items["DRS-01-uniform"].clauses[0]["id"] == "DRS-01" and items["DRS-01-uniform"].clauses[0]["text"]


def test_a_form_read_back(book: Any) -> None:
    screens = screens_for(book, "floor_inspection", date(2026, 11, 3), "en")
    form = {"answer:DRS-03-neat-clothes": "fail", "comment:DRS-03-neat-clothes": "  sleeves rolled up ",
            "answer:DRS-04-light-makeup": "not_observed", "answer:DRS-06-locker": "n.a.",
            "obs:uniform": "no", "obs:badge": "crooked", "obs:minutes_outside_room": "12",
            "nobs:unregistered_outsiders": "on", "obs:hair": "not_observed", "obs:dressing_room_last_cleaned": "2026-11-02"}
    filled = read_form(screens, form)
    assert filled.answers["DRS-03-neat-clothes"] == {"result": "fail", "comment": "sleeves rolled up"}
    assert "DRS-04-light-makeup" not in filled.answers and "DRS-04-light-makeup" in filled.not_observed
    assert filled.answers["DRS-06-locker"] == {"result": "n.a."}
    assert {k: filled.observations[k] for k in ("uniform", "badge", "minutes_outside_room", "unregistered_outsiders",
                                                 "hair", "dressing_room_last_cleaned")} == {
        "uniform": False, "badge": "crooked", "minutes_outside_room": 12, "unregistered_outsiders": None,
        "hair": None, "dressing_room_last_cleaned": "2026-11-02"}
    # everything not given is a problem at its item; nothing given is lost
    assert filled.problems["WKS-03-desk-tidy"] == ("unanswered", {})
    assert filled.problems["WKS-01-monitor-right"] == ("unanswered_observation", {"label": "Is the monitor on the right?"}) \
        or filled.problems["WKS-01-monitor-right"][0] == "unanswered_observation"
    assert filled.entered["comment:DRS-03-neat-clothes"] == "sleeves rolled up"


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("obs:minutes_outside_room", "twelve", ("not_a_number", {"label": "Longest single time outside the room this shift (minutes)?", "value": "twelve"})),
    ("obs:minutes_outside_room", "nan", ("not_a_number", {"label": "Longest single time outside the room this shift (minutes)?", "value": "nan"})),
    ("obs:minutes_outside_room", "1e999", ("not_a_number", {"label": "Longest single time outside the room this shift (minutes)?", "value": "1e999"})),
    ("obs:badge", "<b>gold</b>", ("bad_choice", {"label": "How is the duty badge worn?"})),
    ("obs:uniform", "maybe", ("bad_choice", {"label": "Is the uniform worn?"})),
    ("answer:DRS-03-neat-clothes", "fail", ("comment_required", {})),
    ("answer:DRS-03-neat-clothes", "passed", ("unanswered", {})),
    ("comment:DRS-04-light-makeup", "x" * 4001, ("too_long", {"limit": 4000})),
])
def test_a_bad_value_is_a_problem_at_its_item(book: Any, field: str, value: str, problem: Any) -> None:
    screens = screens_for(book, "floor_inspection", date(2026, 11, 3), "en")
    items = {i.rule: i for s in screens for i in s.items}
    rule = next(r for r, i in items.items() if field.split(":", 1)[1] in (r, *[o.name for o in i.observations]))
    form = {field: value}
    if field.startswith("comment:"):
        form["answer:DRS-04-light-makeup"] = "pass"
    assert read_form(screens, form).problems[rule] == problem


def test_a_bad_due_date_is_refused(book: Any, make_book: Any, helpers: Any) -> None:
    manual = {"type": "manual", "prompt": {"en": "Tidy?", "zh-Hant": "整潔？", "zh-Hans": "整洁？"}}
    strict = make_book([helpers.rule("DESK", manual, evidence={"corrective_action": True})])
    screens = screens_for(strict, "floor_inspection", date(2026, 11, 3), "en")
    base = {"answer:DESK": "fail", "action:DESK": "clear it", "owner:DESK": "E001"}
    assert read_form(screens, {**base, "due:DESK": "next week"}).problems["DESK"] == ("bad_due", {"value": "next week"})
    assert read_form(screens, {**base, "due:DESK": "20261204"}).problems["DESK"] == ("bad_due", {"value": "20261204"})
    assert read_form(screens, base).problems["DESK"] == ("action_required", {})
    good = read_form(screens, {**base, "due:DESK": "2026-12-04"})
    assert good.problems == {} and good.corrective_actions == [
        {"rule": "DESK", "action": "clear it", "owner": "E001", "due": "2026-12-04"}]
    assert read_form(screens, {"answer:DESK": "pass", "action:DESK": "x"}).corrective_actions == []
