"""A submission evaluated through the pipeline (the in-memory source, the inline executor, the JSON
sink), and the rulebook's data rules judged from what the store holds for the visit's site and
month - on SQLite and on a real PostgreSQL - or honestly ``needs_review`` when it holds nothing.

cs-floor's data rules are the handover rules: HND-01 "on post early" reads attendance records,
HND-02..04 read handover records; a floor round cannot judge them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checkengine.api import evaluate_record_data, load_rulebook
from checkengine.archive.add import add_batch
from checkengine.archive.store import open_archive
from checkengine.batch.executors import InlineExecutor
from checkengine.batch.job import EngineSpec
from checkengine.web.evaluation import DATA_LIMIT, data_rule_list, data_rules, evaluate, run_records
from checkengine.yamlio import load_file

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"
FLOOR = ROOT / "rulebooks" / "cs-floor.yaml"
HANDOVERS = sorted((MONTH / "inspections").glob("HO-*.yaml"))
DATA_RULES = ["HND-01-on-post-early", "HND-02-no-leaving-before-relief", "HND-03-log-complete",
              "HND-04-brief-handover"]


def _visit() -> dict[str, Any]:
    return dict(load_file(MONTH / "inspections" / "FI-2026-11-03-001.yaml").data)


def test_the_pipeline_gives_the_engines_result() -> None:
    book = load_rulebook(FLOOR)
    record = _visit()
    through_pipeline = evaluate(book, record, "en")
    direct = evaluate_record_data(book, record, lang="en", file="(submitted)")
    assert through_pipeline["records"] == direct["records"]
    assert through_pipeline["summary"] == direct["summary"]
    assert len(through_pipeline["records"]) == 1 and through_pipeline["errors"] == []


def test_a_bad_record_is_refused_with_its_place() -> None:
    from checkengine.errors import UserError

    book = load_rulebook(FLOOR)
    record = {**_visit(), "timestamp": "the third of November"}
    with pytest.raises(UserError, match=r"timestamp"):
        evaluate(book, record, "en")


def test_the_data_rules_of_a_floor_round_are_the_handover_rules() -> None:
    assert [r["id"] for r in data_rule_list(load_rulebook(FLOOR), "floor_inspection")] == DATA_RULES


def test_without_data_in_the_store_a_data_rule_needs_review(archive_at: str) -> None:
    book = load_rulebook(FLOOR)
    with open_archive(archive_at, write=True) as store:
        archived = store.archived_records(site="cc-taipei", month="2026-11", kinds=["attendance", "handover"],
                                          limit=DATA_LIMIT)
    assert archived == []
    judged = data_rules(book, "floor_inspection", "cc-taipei", "2026-11", archived, "en")
    assert [(d["rule"], d["outcome"], d["records"]) for d in judged] == [(r, "needs_review", 0) for r in DATA_RULES]
    assert judged[0]["explanation"] == (
        "no attendance records of cc-taipei for 2026-11 in the store: this rule is judged from data, not on the "
        "visit; archive the data (checkengine archive add) and judge it then")
    assert "pass" not in {d["outcome"] for d in judged}


def test_data_rules_are_judged_over_the_stores_records(archive_at: str) -> None:
    book = load_rulebook(FLOOR)
    with open_archive(archive_at, write=True) as store:
        add_batch(store, EngineSpec(book, other_kinds="skip"), [MONTH / "attendance.csv", *HANDOVERS],
                  InlineExecutor(), language="en")
        add_batch(store, EngineSpec(book, other_kinds="skip"), [MONTH / "attendance.csv"], InlineExecutor(),
                  language="en")  # archived twice: the latest version counts once
        archived = store.archived_records(site="cc-taipei", month="2026-11", kinds=["attendance", "handover"],
                                          limit=DATA_LIMIT)
        other_month = store.archived_records(site="cc-taipei", month="2026-12", kinds=["attendance"],
                                             limit=DATA_LIMIT)
        other_site = store.archived_records(site="br-banqiao", month="2026-11", kinds=["attendance"],
                                            limit=DATA_LIMIT)
        assert store.archived_records(site="cc-taipei", month="2026-11", kinds=["attendance"], limit=3) is None
    assert other_month == [] and other_site == []
    assert archived is not None
    kinds = Counter(r["kind"] for r in archived)
    assert set(kinds) == {"attendance", "handover"}
    assert len({r["id"] for r in archived}) == len(archived)  # no record twice
    # What the engine says of those records, evaluated from the example files directly.
    direct = run_records(book, archived, "en", name="direct", other_kinds="skip")
    expected: dict[str, Counter[str]] = {r: Counter() for r in DATA_RULES}
    for entry in direct["records"]:
        for outcome in entry["outcomes"]:
            expected[outcome["rule"]][outcome["outcome"]] += 1
    judged = {d["rule"]: d for d in data_rules(book, "floor_inspection", "cc-taipei", "2026-11", archived, "en")}
    for rule in DATA_RULES:
        assert judged[rule]["counts"] == dict(expected[rule]), rule
    hnd01 = judged["HND-01-on-post-early"]
    assert hnd01["counts"] == {"pass": 395, "not_applicable": 26, "fail": 5}  # the example month's attendance
    assert hnd01["records"] == kinds["attendance"]
    worst = next(o for o in ("fail", "needs_review", "pass") if expected["HND-01-on-post-early"][o])
    assert hnd01["outcome"] == worst
    assert hnd01["explanation"].startswith(f"judged over {kinds['attendance']} attendance records of cc-taipei for "
                                           "2026-11 in the store: ")
    assert judged["HND-02-no-leaving-before-relief"]["records"] == kinds["handover"]


def test_too_many_records_is_said_not_guessed() -> None:
    judged = data_rules(load_rulebook(FLOOR), "floor_inspection", "cc-taipei", "2026-11", None, "en")
    assert {d["outcome"] for d in judged} == {"needs_review"}
    assert judged[0]["explanation"].startswith(f"more than {DATA_LIMIT} records of cc-taipei in 2026-11")


def test_a_data_rule_not_in_force_on_the_visits_day_is_not_listed(make_book: Any, helpers: Any) -> None:
    rule = helpers.rule
    book = make_book([rule("ATT-01", {"type": "equals", "field": "data.absent", "value": False}, kinds=["attendance"],
                           effective={"from": "2026-01-01", "until": "2026-06-30"}),
                      rule("ATT-02", {"type": "equals", "field": "data.absent", "value": False}, kinds=["attendance"])])
    from datetime import date

    assert [r["id"] for r in data_rule_list(book, "floor_inspection")] == ["ATT-01", "ATT-02"]
    assert [r["id"] for r in data_rule_list(book, "floor_inspection", date(2026, 11, 3))] == ["ATT-02"]
    judged = data_rules(book, "floor_inspection", "cc-taipei", "2026-11", [], "en", on=date(2026, 11, 3))
    assert [(d["rule"], d["outcome"]) for d in judged] == [("ATT-02", "needs_review")]


def test_the_explanation_is_in_the_pages_language() -> None:
    from checkengine.web.evaluation import explain

    values = {"site": "cc-taipei", "month": "2026-11", "records": 426, "kinds": "attendance"}
    counts = {"pass": 395, "not_applicable": 26, "fail": 5}
    assert explain("data_judged", values, counts, "zh-Hant") == (
        "依資料庫中 cc-taipei 於 2026-11 的 426 筆 attendance 紀錄判定：5 不符合, 26 不適用, 395 符合")
    assert explain("data_judged", values, counts, "en") == (
        "judged over 426 attendance records of cc-taipei for 2026-11 in the store: 5 Fail, 26 Not applicable, 395 Pass")
