"""The weighted plan (checkengine/builtin/scoring_plan.py) against ``Weighted.score``: section by
section, with each section's figures kept per mix of its verdicts, and fresh results every time."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from checkengine.engine import Engine
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
VERDICTS = ["pass", "fail", "not_applicable", "needs_review", "waived", "error"]


@pytest.mark.parametrize("kind", ["floor_inspection", "handover", "attendance"])
def test_kept_figures_give_what_score_gives_and_results_are_never_shared(kind: str) -> None:
    """Floor rounds (37 rules: section by section), handovers and attendance (3 and 1 rules: the
    whole score kept per mix of verdicts)."""
    book = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
    engine = Engine(book)
    rules = [c.rule for c in engine.record_rules(kind)]
    scorer = engine.registry.scorers["weighted"]
    plan = scorer.plan(rules, book)
    assert plan is not None
    rng = random.Random(7)
    # Mostly passes, one or two other verdicts: the mixes a month of rounds gives, each seen again
    # and again (so that kept figures are read back), with every verdict somewhere.
    mixes = []
    for _ in range(150):
        mix = ["pass"] * len(rules)
        for _ in range(rng.randrange(0, 4)):
            mix[rng.randrange(len(rules))] = rng.choice(VERDICTS[1:])
        mixes.append(mix)
    before = None
    for mix in mixes * 3:
        got = plan(mix)
        outcomes = [{"rule": r.id, "section": r.section, "weight": r.weight, "critical": r.critical,
                     "outcome": v} for r, v in zip(rules, mix)]
        want = scorer.score(outcomes, book)
        assert got == want, mix
        for sid, section in want["sections"].items():  # 100.0 and 100, 3.0 and 3 are == but not the same JSON
            assert [type(v) for v in got["sections"][sid].values()] == [type(v) for v in section.values()]
        if before is not None:  # a reader that changes one record's score changes no other
            kept = copy.deepcopy(got)
            before["sections"][sid]["earned"] = -1.0
            before["pending"].append("X")
            before["critical_failures"].append("X")
            assert got == kept
        before = got
    assert any(plan(m)["pending"] for m in mixes)
    assert any(plan(m)["critical_failures"] for m in mixes) or not any(r.critical for r in rules)
