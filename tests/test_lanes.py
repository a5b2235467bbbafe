"""Verdict lanes (checkengine/lanes.py) against the general path: the same verdicts, entries and scores.

``evaluate_record(record)`` (eager) runs every rule through the general path
(:meth:`checkengine.outcomes.Outcomes.outcome`); ``evaluate_record(record, lazy=True)`` lets the
rules' lanes decide what they can. Over the example month under every bundled rulebook in each of
its languages with the month's waivers, over generated cs-floor records with nulls, missing answers
and evidence, odd values and waivers of their own, and with plugin check types, both must give the
same verdict for every rule, the same score, and, read in any order, the same entry key for key.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import math
import random
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping

import pytest

from checkengine.checks import CheckType, CompiledCheck, Compiler, Env, FastVerdict, Result
from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.lanes import LaneDisagrees
from checkengine.plugins import default_registry, registry_with
from checkengine.records import Record, check_record, iter_records
from checkengine.rulebook.load import load_rulebook
from checkengine.scoring import Scorer
from checkengine.waivers import Waiver, load_waivers

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "examples" / "month-2026-11"
BOOKS = sorted((ROOT / "rulebooks").glob("*.yaml")) + sorted((ROOT / "rulebooks" / "branches").glob("*.yaml"))
PLUGINS = Path(__file__).parent / "plugins"


def _cs_floor() -> ModuleType:
    """benchmarks/cs_floor.py (the cs-floor record generator), loaded by path under its own name."""
    spec = importlib.util.spec_from_file_location("checkengine_bench_cs_floor", ROOT / "benchmarks" / "cs_floor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lane_decided(o: Mapping[str, Any]) -> bool:
    return getattr(o, "lane", None) is not None


def agree(engine: Engine, record: Record) -> tuple[int, int]:
    """Assert the lazy (lanes) and eager (general path) results of *record* agree; (lane-decided
    outcomes, outcomes)."""
    eager = engine.evaluate_record(record)
    lazy = engine.evaluate_record(record, lazy=True)
    where = f"record {record.data.get('id')}"
    assert [o["outcome"] for o in lazy["outcomes"]] == [o["outcome"] for o in eager["outcomes"]], where
    assert [o["rule"] for o in lazy["outcomes"]] == [o["rule"] for o in eager["outcomes"]], where
    assert lazy["score"] == eager["score"], where
    assert list(lazy["record"].items()) == list(eager["record"].items()), where  # in the same key order
    decided = sum(1 for o in lazy["outcomes"] if lane_decided(o))
    for o, want in zip(lazy["outcomes"], eager["outcomes"], strict=True):
        got = dict(o)  # renders it
        assert list(got.items()) == list(want.items()), (where, want["rule"])
    again = engine.evaluate_record(record, lazy=True)  # read one key first, then the whole
    for o, want in zip(again["outcomes"], eager["outcomes"], strict=True):
        assert o["explanation"] == want["explanation"] and o == want, (where, want["rule"])
    return decided, len(eager["outcomes"])


@pytest.fixture(scope="module")
def month_items() -> list[Record]:
    return [item for item in iter_records([str(MONTH)], default_registry()) if isinstance(item, Record)]


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.name)
def test_every_bundled_rulebook_over_the_month(path: Path, month_items: list[Record],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    book = load_rulebook(path)
    waivers = load_waivers(MONTH / "waivers.yaml")
    seen = 0
    for lang in book.languages:
        engine = Engine(book, registry=default_registry(), lang=lang, waivers=waivers, other_kinds="skip")
        engine.facts = engine.index(item for item in month_items)
        for item in month_items:
            record = copy.deepcopy(item)
            if engine.skips(record) or engine.precheck(record) is not None:
                continue
            agree(engine, record)
            seen += 1
    assert seen or not any(engine.covers(i.data["kind"]) for i in month_items)


def test_the_month_under_cs_floor_is_mostly_decided_by_lanes(month_items: list[Record]) -> None:
    engine = Engine(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"), waivers=load_waivers(MONTH / "waivers.yaml"),
                    other_kinds="skip")
    decided = total = 0
    for item in month_items:
        record = copy.deepcopy(item)
        if engine.skips(record) or engine.precheck(record) is not None:
            continue
        d, n = agree(engine, record)
        decided, total = decided + d, total + n
    # the month is mostly attendance (HND-01's check, compare, decided by its lane since it has a
    # verdict function) and 10 floor rounds of 36 rules (those waived, answered beside the
    # verdict, or with a failing condition, by the general path)
    assert total > 700 and decided > 700, (decided, total)


# -- generated cs-floor records, with the odd values an inspection file may hold --------------------
def _odd(rng: random.Random, rec: dict[str, Any]) -> None:
    """Change *rec* in one of the ways a lane must decide exactly as the general path does (or leave
    to it)."""
    choice = rng.randrange(16)
    obs = rec.get("observations")
    answers = rec.get("answers")
    if obs is not None and choice == 0:
        obs[rng.choice(sorted(obs))] = rng.choice([None, [1], {"a": 1}, 2 ** 70, math.nan, "ten", True, 1.0, ""])
    elif obs is not None and choice == 1:
        obs["minutes_outside_room"] = rng.choice([True, "7", 15.0, 15.5, -1, 2 ** 64, None])
        obs["leader_agreed_absence"] = rng.choice([None, True, False, "yes"])
    elif answers is not None and choice == 2:
        item = rng.choice(sorted(answers) or ["DRS-03-neat-clothes"])
        answers[item] = rng.choice([
            {"result": "fail"}, {"result": "fail", "comment": ""}, {"result": "fail", "evidence": []},
            {"result": "fail", "comment": "c", "evidence": "photo.jpg"}, {"result": "maybe"}, {},
            {"result": "pass", "evidence": "x"}, {"result": "na"}, {"result": "not_applicable"},
            {"result": "fail", "comment": "c", "evidence": ["p.jpg"]}, {"comment": "no result"},
        ])
    elif answers is not None and choice == 3:
        # an answer on a rule judged from observations: set beside the verdict (general path)
        answers[rng.choice(["DRS-01-uniform", "WKS-04-chair", "CND-08-time-outside-room", "HYG-06-plants-watered"])] = {
            "result": rng.choice(["pass", "fail", "n.a."]), "comment": "seen"}
    elif answers is not None and choice == 4:
        rec["answers"] = rng.choice([{}, None])
    elif choice == 5:
        rec["timestamp"] = "2019-06-03T10:00:00+08:00"  # before every rule is in force
    elif choice == 6 and "shift" in rec:
        rec["shift"]["kind"] = rng.choice([None, "evening", "day"])
    elif choice == 7 and "data" in rec:
        data = rec["data"]
        for key in ("absent", "on_post_at", "brief", "log"):
            if key in data and rng.random() < 0.5:
                data[key] = rng.choice([None, True, False, "", {"equipment": None}])
    elif choice == 8 and obs is not None:
        obs["dressing_room_last_cleaned"] = rng.choice([None, "2026-13-01", "yesterday", 20260101])
        obs["plants_watered"] = rng.choice([None, True, False, 1])
    elif choice == 9:
        rec["site"]["timezone"] = rng.choice(["UTC", "America/New_York"])
    elif choice == 10 and obs is not None:
        obs["plant_leaves_last_cleaned"] = None
        obs["unexpected"] = 2 ** 80  # a value CEL cannot hold: every condition fails on the engine
    elif choice == 11 and obs is not None:
        # the expressions' dates (days_between, weekday): a time without a zone, a date-time, odd types
        obs[rng.choice(["dressing_room_last_cleaned", "plant_leaves_last_cleaned"])] = rng.choice(
            ["2026-11-02T09:00:00", "2026-11-01T23:30:00+08:00", "2026-11-02", 3, 1.5, True, [], {}, "", "2026-02-30"])
    elif choice == 12 and "data" in rec:
        # the compares' times (minutes_between): other zones, null, missing (the record schema
        # rejects other types)
        data = rec["data"]
        for key in ("on_post_at", "shift_start", "incoming_arrived_at", "outgoing_left_at"):
            if rng.random() < 0.5:
                data[key] = rng.choice(["2026-11-02T00:50:00Z", None, "2026-11-01T20:55:00-04:00"])
            elif key in data and rng.random() < 0.3:
                del data[key]
    elif choice == 13 and "data" in rec:
        # the handover's log: sizes of odd values, and values CEL cannot hold
        rec["data"]["log"] = rng.choice([None, {}, "x", [1], {"equipment": [], "open_problems": ["a"], "staff_changes": "s"},
                                         {"equipment": "ok", "open_problems": {"a": 1}, "staff_changes": [2 ** 70]},
                                         {"equipment": None, "open_problems": None, "staff_changes": None}])


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    cs_floor = _cs_floor()
    rng = random.Random(16)
    out = []
    for rec in cs_floor.records(900, seed=31):
        for _ in range(rng.choice((0, 1, 1, 2))):
            _odd(rng, rec)
        out.append(rec)
    return out


def _items(engine: Engine, data: list[dict[str, Any]]) -> list[Record]:
    items = []
    for i, rec in enumerate(data):
        item = check_record(copy.deepcopy(rec), Location("generated", i + 1))
        if isinstance(item, Record) and engine.precheck(item) is None:
            items.append(item)
    return items


def _waivers(data: list[dict[str, Any]]) -> list[Waiver]:
    people = sorted({r["subject"]["employee"] for r in data})[:6]
    out = []
    for k, person in enumerate(people):
        rule = ["DRS-01-uniform", "DRS-03-neat-clothes", "WKS-04-chair", "HND-01-on-post-early",
                "HYG-05-monday-cleaning", "CND-08-time-outside-room"][k]
        out.append(Waiver(rule=rule, reason={"en": "test"}, approved_by="lead", granted="2026-01-01",
                          expires="2026-06-30" if k % 2 else "2026-12-31", employee=person, id=f"W-{k}"))
    return out


_CEL_RULES = ("HYG-05-monday-cleaning", "HYG-06-leaves-cleaned-friday", "HND-01-on-post-early",
              "HND-02-no-leaving-before-relief", "HND-03-log-complete")


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
@pytest.mark.parametrize("with_waivers", [False, True], ids=["no-waivers", "waivers"])
def test_generated_cs_floor_records(generated: list[dict[str, Any]], lang: str, with_waivers: bool) -> None:
    book = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
    engine = Engine(book, lang=lang, waivers=_waivers(generated) if with_waivers else ())
    items = _items(engine, generated)
    assert len(items) > 700
    decided = total = 0
    verdicts: set[str] = set()
    # the expression and compare rules: (rule, verdict, decided by its lane) seen
    cel: set[tuple[str, str, bool]] = set()
    for item in items:
        d, n = agree(engine, item)
        decided, total = decided + d, total + n
        for o in engine.evaluate_record(item, lazy=True)["outcomes"]:
            verdicts.add(o["outcome"])
            if o["rule"] in _CEL_RULES:
                cel.add((o["rule"], o["outcome"], lane_decided(o)))
    for rule in _CEL_RULES:  # their verdict functions answer, and leave errors to the general path
        if not with_waivers:  # (a waiver in the run sends its rule to the general path)
            assert {(rule, "pass", True), (rule, "fail", True)} <= cel, (rule, sorted(cel))
    assert {r for r, v, lane in cel if v == "error" and not lane} >= {
        "HYG-05-monday-cleaning", "HYG-06-leaves-cleaned-friday", "HND-03-log-complete"}
    assert {"pass", "fail", "needs_review", "not_applicable", "error"} <= verdicts | {"error"}
    assert {"pass", "fail", "needs_review", "not_applicable"} <= verdicts
    if with_waivers:
        assert "waived" in verdicts
    assert decided > total * 0.6, (decided, total)


def test_compare_with_null_missing_and_zoned_times(generated: list[dict[str, Any]]) -> None:
    # HND-01 and HND-02 (compare over minutes_between): a null time is undecidable and a missing
    # one a needed fact (both needs_review), other zones are exact; every verdict as run's
    engine = Engine(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"))
    seen: set[tuple[str, str, bool]] = set()
    times = ("on_post_at", "shift_start", "incoming_arrived_at", "outgoing_left_at")
    base = [r for r in generated if r["kind"] in ("attendance", "handover")][:40]
    for n, rec in enumerate(base):
        for key in times:
            if key not in rec["data"]:
                continue
            for value in (None, "2026-11-02T00:50:00Z", "2026-11-01T20:55:00-04:00", "missing"):
                changed = copy.deepcopy(rec)
                if value == "missing":
                    del changed["data"][key]
                else:
                    changed["data"][key] = value
                for item in _items(engine, [changed]):
                    agree(engine, item)
                    for o in engine.evaluate_record(item, lazy=True)["outcomes"]:
                        if o["rule"] in _CEL_RULES:
                            seen.add((o["rule"], o["outcome"], lane_decided(o)))
    assert ("HND-02-no-leaving-before-relief", "needs_review", False) in seen  # null: the general path
    assert {("HND-02-no-leaving-before-relief", "pass", True), ("HND-02-no-leaving-before-relief", "fail", True),
            ("HND-01-on-post-early", "pass", True), ("HND-01-on-post-early", "fail", True)} <= seen, sorted(seen)


# -- plugin check types -------------------------------------------------------------------------------
def _plugin(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(PLUGINS))
    return importlib.import_module(name)


def test_a_check_type_without_a_verdict_function_takes_the_general_path(
        monkeypatch: pytest.MonkeyPatch, generated: list[dict[str, Any]]) -> None:
    # override_equals replaces the built-in equals with a check type that offers no fast_verdict
    registry = registry_with(_plugin("override_equals", monkeypatch))
    engine = Engine(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"), registry=registry)
    items = _items(engine, generated[:200])
    for item in items:
        agree(engine, item)
        lazy = engine.evaluate_record(item, lazy=True)["outcomes"]
        for o in lazy:
            if o["rule"] == "DRS-01-uniform" and o["outcome"] != "not_applicable":
                assert not lane_decided(o)  # its check is the plugin's, which has no verdict function
            if o["rule"] == "DRS-03-neat-clothes":
                assert lane_decided(o)


def test_a_third_party_check_type_keeps_working(
        monkeypatch: pytest.MonkeyPatch, make_book: Any, make_record: Any, helpers: Any) -> None:
    registry = registry_with(_plugin("sample_check_type", monkeypatch))
    book = make_book([
        helpers.rule("WRD-01", {"type": "max_words", "field": "data.comment", "max": {"param": "most"}},
                     kinds=["mystery_shopping"]),
        helpers.rule("EQ-01", {"type": "equals", "field": "data.comment", "value": "fine"}, kinds=["mystery_shopping"]),
    ], {"most": helpers.param(2)})
    engine = Engine(book, registry=registry)
    for comment in ("slow and rude", "fine", None):
        record = make_record("mystery_shopping", "MS-1", data={"comment": comment})
        agree(engine, record)
        lazy = engine.evaluate_record(record, lazy=True)["outcomes"]
        assert [lane_decided(o) for o in lazy] == [False, True]


class _Lying(CompiledCheck):
    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        return Result("fail", explanation="always fails")

    def fast_verdict(self) -> FastVerdict | None:
        return lambda record, env: "pass"  # a defective verdict function


class _Overridden(_Lying):
    def run(self, record: Mapping[str, Any], env: Env) -> Result:  # overrides run, not fast_verdict
        return Result("pass", explanation="fine")


class _LyingType(CheckType):
    name = "lying"
    options = {"override": {"type": "boolean"}}

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _Overridden() if spec.get("override") else _Lying()


def test_a_verdict_that_disagrees_with_the_check_is_caught_when_rendered(
        make_book: Any, make_record: Any, helpers: Any) -> None:
    registry = registry_with()  # a fresh registry of its own, changed below
    registry.check_types["lying"] = _LyingType()
    book = make_book([helpers.rule("LIE-01", {"type": "lying"}, kinds=["mystery_shopping"]),
                      helpers.rule("LIE-02", {"type": "lying", "override": True}, kinds=["mystery_shopping"])])
    engine = Engine(book, registry=registry)
    record = make_record("mystery_shopping", "MS-1", data={})
    first, second = engine.evaluate_record(record, lazy=True)["outcomes"]
    assert lane_decided(first) and first["outcome"] == "pass"
    with pytest.raises(LaneDisagrees, match="LIE-01"):
        first["explanation"]
    # a subclass that overrides run but not fast_verdict never gets its parent's verdict function
    assert not lane_decided(second) and second["outcome"] == "pass" and second["explanation"].startswith("fine")


class _Counting(Scorer):
    name = "counting"

    def score(self, outcomes: Any, book: Any) -> dict[str, Any]:
        return {"method": self.name, "passed": sum(1 for o in outcomes if o["outcome"] == "pass")}


def test_a_scorer_without_a_plan_scores_the_outcomes(generated: list[dict[str, Any]]) -> None:
    registry = registry_with()
    registry.scorers["counting"] = _Counting()
    book = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
    book.scoring["method"] = "counting"
    engine = Engine(book, registry=registry)
    for item in _items(engine, generated[:100]):
        agree(engine, item)
        entry = engine.evaluate_record(item, lazy=True)
        assert entry["score"]["method"] == "counting"
        assert entry["score"]["passed"] == sum(1 for o in entry["outcomes"] if o["outcome"] == "pass")


def test_plans_and_scores_agree_on_every_verdict_mix() -> None:
    book = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
    engine = Engine(book)
    floor = [c.rule for c in engine.record_rules("floor_inspection")]
    rng = random.Random(5)
    # the book's whole weights (counted by runs), fractional ones (added rule by rule as score
    # adds them: 0.1 + 0.2 is not 0.3), and sections interleaved
    fractional = [dataclasses.replace(r, weight=rng.choice([0.1, 0.2, 0.7, 1.5, 3.0])) for r in floor]
    interleaved = [dataclasses.replace(r, section=rng.choice(["a", "b", "c"])) for r in floor]
    scorer = engine.registry.scorers["weighted"]
    verdicts = ["pass", "fail", "not_applicable", "needs_review", "waived", "error"]
    for rules in (floor, fractional, interleaved):
        plan = scorer.plan(rules, book)
        assert plan is not None
        for _ in range(300):
            mix = [rng.choice(verdicts[:rng.randrange(1, 7)]) for _ in rules]
            outcomes = [{"rule": r.id, "section": r.section, "weight": r.weight, "critical": r.critical,
                         "outcome": v} for r, v in zip(rules, mix)]
            assert plan(mix) == scorer.score(outcomes, book)
