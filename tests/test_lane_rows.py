"""A record kind's lanes (checkengine/lane_rows.py): the one-pass loop inside every window, the rule
by rule loop outside one, and a lane that raises, each against the general path."""

from __future__ import annotations

import copy
import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.records import Record, check_record
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
CS_FLOOR = ROOT / "rulebooks" / "cs-floor.yaml"


def _cs_floor() -> ModuleType:
    where = ROOT / "benchmarks" / "cs_floor.py"
    spec = importlib.util.spec_from_file_location("checkengine_bench_cs_floor_rows", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _book_with_windows(tmp_path: Path, windows: dict[str, str]) -> Path:
    """cs-floor with the rules named in *windows* given another ``effective`` (YAML flow text)."""
    lines = CS_FLOOR.read_text("utf-8").splitlines()
    rule = None
    for k, line in enumerate(lines):
        if line.strip().startswith("- id: "):
            rule = line.split("- id: ", 1)[1].strip()
        elif rule in windows and line.strip().startswith("effective:"):
            lines[k] = line[:len(line) - len(line.lstrip())] + f"effective: {windows[rule]}"
    path = tmp_path / "cs-floor.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (tmp_path / "sources").symlink_to(ROOT / "rulebooks" / "sources")
    return path


def _records(engine: Engine, n: int = 240) -> list[Record]:
    out = []
    for i, rec in enumerate(_cs_floor().records(n, seed=5)):
        item = check_record(rec, Location("generated", i + 1))
        assert isinstance(item, Record) and engine.precheck(item) is None
        out.append(item)
    return out


def _agree(engine: Engine, item: Record) -> list[str]:
    eager = engine.evaluate_record(copy.deepcopy(item))
    lazy = engine.evaluate_record(item, lazy=True)
    assert [o["outcome"] for o in lazy["outcomes"]] == [o["outcome"] for o in eager["outcomes"]]
    assert lazy["score"] == eager["score"]
    for o, want in zip(lazy["outcomes"], eager["outcomes"], strict=True):
        assert dict(o) == want
    return [o["outcome"] for o in lazy["outcomes"]]


def test_rules_with_other_windows_take_the_rule_by_rule_loop_outside_them(tmp_path: Path) -> None:
    path = _book_with_windows(tmp_path, {
        "DRS-01-uniform": '{from: "2020-01-01", until: "2026-03-31"}',
        "DRS-03-neat-clothes": '{from: "2026-07-01"}',
        "HYG-05-monday-cleaning": '{from: "2026-05-01", until: "2026-09-30"}',
    })
    engine = Engine(load_rulebook(path))
    lanes = engine._lanes.of("floor_inspection")
    assert lanes.span is None  # no date lies inside both DRS-01's and DRS-03's windows
    rules = [c.rule.id for c in engine.record_rules("floor_inspection")]
    seen = set()
    for item in _records(engine):
        if item.data["kind"] != "floor_inspection":
            continue
        verdicts = dict(zip(rules, _agree(engine, item)))
        day = item.data["timestamp"][:10]
        if day > "2026-03-31":
            assert verdicts["DRS-01-uniform"] == "not_applicable"
        if day < "2026-07-01":
            assert verdicts["DRS-03-neat-clothes"] == "not_applicable"
        seen.add(day < "2026-04-01")
    assert seen == {True, False}


def test_inside_every_window_the_kind_runs_in_one_pass(tmp_path: Path) -> None:
    path = _book_with_windows(tmp_path, {"DRS-01-uniform": '{from: "2026-03-01", until: "2026-10-31"}'})
    engine = Engine(load_rulebook(path))
    lanes = engine._lanes.of("floor_inspection")
    assert lanes.span == (date(2026, 3, 1), date(2026, 10, 31))
    assert lanes.gather is not None and len(lanes.batches) == 2  # the manual rules, the fields' literals
    calls: list[tuple[str, Any]] = []

    def counted(name: str, fn: Any) -> Any:
        def run(data: Any, env: Any) -> Any:
            calls.append((name, env.on))
            return fn(data, env)
        return run

    lanes.batches = tuple(counted("batch", b) for b in lanes.batches)
    lanes.fns = (counted("DRS-01 alone", lanes.fns[0]), *lanes.fns[1:])
    for item in _records(engine):
        if item.data["kind"] == "floor_inspection":
            verdict = _agree(engine, item)[0]
            if not "2026-03-01" <= item.data["timestamp"][:10] <= "2026-10-31":
                assert verdict == "not_applicable"
    # inside the window every record is one pass with the batches; outside it, the rules one by
    # one, and DRS-01's check is not asked at all
    assert {name for name, _ in calls} == {"batch"}
    assert all(date(2026, 3, 1) <= on <= date(2026, 10, 31) for _, on in calls)


@pytest.mark.parametrize("where", ["alone", "batch"])
def test_a_lane_that_raises_leaves_only_its_rule_to_the_general_path(where: str) -> None:
    engine = Engine(load_rulebook(CS_FLOOR))
    lanes = engine._lanes.of("floor_inspection")

    def broken(data: Any, env: Any) -> Any:
        raise KeyError("a defect of this lane")

    if where == "alone":  # a rule decided on its own: it raises in the one pass and rule by rule
        k = lanes.fns.index(lanes.single[0])
        lanes.single = (broken, *lanes.single[1:])
        lanes.fns = (*lanes.fns[:k], broken, *lanes.fns[k + 1:])
    else:  # a batch that raises: its rules are decided one by one, by their own verdict functions
        k = -1
        lanes.batches = (broken, *lanes.batches[1:])
    for item in _records(engine, 60):
        if item.data["kind"] != "floor_inspection":
            continue
        _agree(engine, item)
        lazy = engine.evaluate_record(item, lazy=True)["outcomes"]
        # (the generated rounds answer only the manual items, whose checks read the answers)
        assert [k for k, o in enumerate(lazy) if getattr(o, "lane", None) is None] == ([k] if k >= 0 else [])


@pytest.mark.parametrize("answers", [{"DRS-01-uniform": {"result": "fail", "comment": "seen"}}, {}])
def test_an_answer_on_a_rule_judged_from_data_goes_to_the_general_path(answers: dict[str, Any]) -> None:
    engine = Engine(load_rulebook(CS_FLOOR))
    item = next(i for i in _records(engine, 40) if i.data["kind"] == "floor_inspection")
    item.data["answers"] = {**item.data["answers"], **answers}
    _agree(engine, item)
    first = engine.evaluate_record(item, lazy=True)["outcomes"][0]
    assert (getattr(first, "lane", None) is None) == bool(answers)


@pytest.mark.parametrize("shift", [None, {"kind": None}, {"kind": "day"}, {"kind": "night"},
                                   {}, "data.shift_kind"])
def test_a_rule_for_some_shifts_decides_as_the_general_path(shift: Any) -> None:
    """HYG-06-plants-watered applies to day shifts: the shift read as not_applicable reads it (a
    shift the record does not say, or says oddly, left to the general path)."""
    engine = Engine(load_rulebook(CS_FLOOR))
    rules = [c.rule.id for c in engine.record_rules("floor_inspection")]
    lanes = engine._lanes.of("floor_inspection")
    k = rules.index("HYG-06-plants-watered")
    for item in _records(engine, 80):
        if item.data["kind"] != "floor_inspection":
            continue
        item.data["observations"]["plants_watered"] = True
        if shift == "data.shift_kind":
            del item.data["shift"]
            item.data["data"] = {"shift_kind": "day"}
        elif shift is None:
            del item.data["shift"]
        else:
            item.data["shift"] = shift
        verdicts = _agree(engine, item)
        laned = getattr(engine.evaluate_record(item, lazy=True)["outcomes"][k], "lane", None) is not None
        if shift in ({"kind": "day"}, "data.shift_kind"):
            assert verdicts[k] == "pass" and laned
        elif shift == {"kind": "night"}:
            assert verdicts[k] == "not_applicable" and laned
        else:
            assert not laned  # the general path says what is wrong with the shift
    assert lanes.fns[k] is lanes.slow[k]
