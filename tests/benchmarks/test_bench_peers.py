"""The benchmarks' peers give checkengine's answers: cs-floor's bare hand-written baseline and its
Rego policies (benchmarks/cs_floor.py, benchmarks/cs_floor.rego) agree with the engine on every
rule of every generated record, so that timing them against each other compares like with like."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.records import Record, check_record
from checkengine.rulebook.load import load_rulebook

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_cs_floor  # noqa: E402
import cs_floor  # noqa: E402

N = 300


@pytest.fixture(scope="module")
def workload() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """N generated records and the engine's {rule: outcome} for each."""
    data = cs_floor.records(N, seed=7)
    engine = Engine(load_rulebook(cs_floor.RULEBOOK))
    ours = []
    for i, record in enumerate(data):
        item = check_record(record, Location("generated", i + 1))
        assert isinstance(item, Record), item
        assert engine.precheck(item) is None
        ours.append(cs_floor.engine_outcomes(engine.evaluate_record(item)))
    return data, ours


def test_the_workload_exercises_every_outcome_and_rule(workload: tuple[list[dict[str, Any]], list[dict[str, str]]]) -> None:
    _, ours = workload
    seen = Counter(outcome for outcomes in ours for outcome in outcomes.values())
    assert {"pass", "fail", "needs_review", "not_applicable"} <= set(seen), seen
    assert "error" not in seen
    rules = {rule for outcomes in ours for rule in outcomes}
    assert len(rules) == 40  # every rule of cs-floor gave an outcome somewhere
    for rule in rules:  # and no rule is trivially constant: each passes and fails (or is not judged)
        outcomes = {o[rule] for o in ours if rule in o}
        assert len(outcomes) >= 2, (rule, outcomes)


def test_bare_hand_written_agrees_with_the_engine(workload: tuple[list[dict[str, Any]], list[dict[str, str]]]) -> None:
    data, ours = workload
    assert cs_floor.first_mismatch([r["id"] for r in data], ours, [cs_floor.bare(r) for r in data], "bare") is None


def test_rego_peer_agrees_with_the_engine(workload: tuple[list[dict[str, Any]], list[dict[str, str]]]) -> None:
    missing = cs_floor.peer_available()
    if missing is not None:
        pytest.skip(missing)
    data, ours = workload
    peer = cs_floor.RegoPeer()
    assert cs_floor.first_mismatch([r["id"] for r in data], ours, [peer.outcomes(r) for r in data], "rego") is None


def test_a_difference_names_the_record_and_the_rule() -> None:
    ours = [{"A": "pass", "B": "fail"}, {"A": "pass", "B": "pass"}]
    theirs = [{"A": "pass", "B": "fail"}, {"A": "pass", "B": "needs_review"}]
    assert cs_floor.first_mismatch(["r1", "r2"], ours, theirs, "rego") == (
        "rego disagrees with checkengine on record r2, rule B: checkengine pass, rego needs_review")
    assert cs_floor.first_mismatch(["r1"], [{"A": "pass"}], [{}], "bare") == (
        "bare disagrees with checkengine on record r1, rule A: checkengine pass, bare (no outcome)")


def test_the_benchmark_refuses_to_time_a_peer_that_disagrees(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    honest = cs_floor.bare

    def wrong(record: Any) -> dict[str, str]:
        out = honest(record)
        if "DRS-01-uniform" in out:
            out["DRS-01-uniform"] = "pass"  # a peer that never fails the uniform rule
        return out

    monkeypatch.setattr(cs_floor, "bare", wrong)
    assert bench_cs_floor.main(["--records", "200", "--rounds", "1"]) == 1
    printed = capsys.readouterr().out
    assert "bare disagrees with checkengine on record CS-" in printed
    assert ", rule DRS-01-uniform: checkengine fail, bare pass; not timing different answers" in printed


def test_sixty_rule_rego_peer_agrees_with_the_engine() -> None:
    """bench_evaluate.py compares its Rego peer with the engine on every record, and stops if they differ."""
    missing = cs_floor.peer_available()
    if missing is not None:
        pytest.skip(missing)
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_evaluate.py"), "200", "1"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agreed on every outcome of every record" in done.stdout
