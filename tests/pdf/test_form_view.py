"""The audit form as data (``checkengine.pdf.form_view``): the cover's items and their corrective
actions (owner and due date from the rulebook's ``follow_up`` through the actions module's one
resolution function, never a constant), and every value and reason in the form's language."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from checkengine.pdf.form_view import audit_context

from pdf_helpers import record_dir


def _context(data: dict[str, Any], merged: dict[str, Any], folder: Path, lang: str = "en",
             **kw: Any) -> dict[str, Any]:
    context, _ = audit_context(data["results"][lang], data["record"], merged, lang=lang,
                               base_dir=record_dir(folder), **kw)
    return context


def _follow_up(merged: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(merged)
    merged["follow_up"] = {"due": "corrective_action_days", "owner": "site_manager"}
    merged["parameters"]["corrective_action_days"] = {"values": {
        "2020-01-01": {"value": 7, "reference": "head office"},
        "2026-12-01": {"value": 30, "reference": "later"},  # not yet in force on 3 November
    }}
    return merged


def test_without_a_follow_up_no_due_date_is_invented(tmp_path: Path, data: dict[str, Any]) -> None:
    assert "follow_up" not in data["rulebook"]
    actions = _context(data, data["rulebook"], tmp_path)["actions"]
    assert [a["rule"] for a in actions] == ["DRS-02-badge", "WKS-03-minutes-outside"]
    assert {(a["due"], a["owner"], a["status"]) for a in actions} == {
        ("no due date set", "no owner set (the rulebook declares no follow-up)", "open")}


def test_the_rulebook_follow_up_gives_owner_and_due_date_as_of_the_record_day(tmp_path: Path, data: dict[str, Any]) -> None:
    actions = _context(data, _follow_up(data["rulebook"]), tmp_path)["actions"]
    assert {a["due"] for a in actions} == {"10 November 2026"}  # 7 days after 3 November
    # the record's site names no manager: the role, without a person
    assert {a["owner"] for a in actions} == {"Site manager"}


def test_a_rule_follow_up_wins_and_the_owner_is_the_person_the_record_names(tmp_path: Path, data: dict[str, Any]) -> None:
    merged = _follow_up(data["rulebook"])
    rule = next(r for s in merged["sections"] for r in s["rules"] if r["id"] == "DRS-02-badge")
    rule["follow_up"] = {"due_days": 2, "owner": "employee"}
    actions = {a["rule"]: a for a in _context(data, merged, tmp_path, lang="zh-Hant")["actions"]}
    assert (actions["DRS-02-badge"]["due"], actions["DRS-02-badge"]["owner"]) == ("2026年11月5日", "員工: 王小明 (E001)")
    assert actions["WKS-03-minutes-outside"]["due"] == "2026年11月10日"


def test_the_tracked_status_is_shown_when_given(tmp_path: Path, data: dict[str, Any]) -> None:
    context = _context(data, data["rulebook"], tmp_path, lang="ko", action_status={"DRS-02-badge": "in_progress"})
    assert {a["rule"]: a["status"] for a in context["actions"]} == {"DRS-02-badge": "진행 중", "WKS-03-minutes-outside": "미처리"}


def test_the_cover_lists_failed_items_critical_first_with_photos_clauses_and_actions(tmp_path: Path, data: dict[str, Any]) -> None:
    context = _context(data, _follow_up(data["rulebook"]), tmp_path)
    items = context["cover"]["findings"]
    assert [(i["rule"], i["critical"]) for i in items] == [("WKS-03-minutes-outside", True), ("DRS-02-badge", False)]
    badge = items[1]
    assert [p["name"] for p in badge["photos"]] == ["photos/e001-badge.jpg"]
    assert badge["comment"] == "工牌別在口袋上，未佩戴於左胸統一位置"
    assert badge["clauses"][0]["clause"] == "DRS-02" and badge["clauses"][0]["text"] == "進機房著裝整齊化一、工牌佩戴統一位置。"
    assert badge["action"]["due"] == "10 November 2026"
    assert context["cover"]["pass_rate"] == "60%"  # 3 passed of the 5 judged (waived and n.a. left out)


def test_a_translated_clause_is_shown_with_its_original(tmp_path: Path, data: dict[str, Any]) -> None:
    data = copy.deepcopy(data)
    outcome = data["results"]["en"]["records"][0]["outcomes"][1]
    outcome["source"]["translation"] = "Staff entering the room dress alike; badges at one position."
    items = _context(data, data["rulebook"], tmp_path)["cover"]["findings"]
    clause = next(i for i in items if i["rule"] == "DRS-02-badge")["clauses"][0]
    assert clause["text"] == "Staff entering the room dress alike; badges at one position."
    assert clause["original"] == "進機房著裝整齊化一、工牌佩戴統一位置。"


def test_not_applicable_is_said_in_words_never_as_cel(tmp_path: Path, data: dict[str, Any]) -> None:
    """DRS-05 applies when ``record.observations.long_hair == true``: the form names the observation."""
    rows = {r["rule"]: r for s in _context(data, data["rulebook"], tmp_path, lang="zh-Hant")["sections"] for r in s["rows"]}
    note = rows["DRS-05-hair"]["note"]
    assert "record." not in note and "==" not in note and "long_hair" not in note
    # the record holds long_hair: false and the rulebook asks no question about it: a sentence
    assert note == "本紀錄不符合此規則的適用條件。"
    assert rows["DRS-01-uniform"]["observed"] == "是"


def test_an_observation_not_recorded_is_named_by_its_question(tmp_path: Path, data: dict[str, Any]) -> None:
    data = copy.deepcopy(data)
    del data["record"]["observations"]["long_hair"]
    merged = copy.deepcopy(data["rulebook"])
    rule = next(r for s in merged["sections"] for r in s["rules"] if r["id"] == "DRS-05-hair")
    rule["observations"] = {"long_hair": {"question": {"zh-Hant": "頭髮是否過肩（長髮）？", "en": "Is the hair long?"}}}
    rows = {r["rule"]: r for s in _context(data, merged, tmp_path, lang="zh-Hant")["sections"] for r in s["rows"]}
    assert rows["DRS-05-hair"]["note"] == "未記錄：頭髮是否過肩（長髮）"
