"""The replay's verdict-only pass gives every rule the outcome the full evaluation gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkengine.diff.verdicts import verdict_engine, verdicts
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import Record, iter_records
from checkengine.rulebook.load import load_rulebook
from checkengine.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"
BOOKS = sorted(p.name for p in (ROOT / "rulebooks").glob("*.yaml"))


@pytest.mark.parametrize("book", BOOKS)
def test_verdicts_are_the_full_outcomes(book: str) -> None:
    """Every record of the example month, under every rulebook with the month's waivers."""
    waivers = load_waivers(MONTH / "waivers.yaml")
    engine = Engine(load_rulebook(ROOT / "rulebooks" / book), waivers=waivers, other_kinds="skip")
    fast = verdict_engine(engine)
    seen: set[str] = set()
    records = [r for r in iter_records([MONTH], default_registry()) if isinstance(r, Record)]
    for record in records:
        if engine.skips(record) or engine.precheck(record) is not None:
            continue
        full = engine.evaluate_record(record)
        assert all("explanation" in o for o in full["outcomes"]) and "method" in full["score"]  # untouched
        assert verdicts(engine, fast, record) == [(o["rule"], o["outcome"]) for o in full["outcomes"]]
        seen.update(o["outcome"] for o in full["outcomes"])
    assert seen, f"{book}: no record of the month was judged"


def test_the_month_exercises_waivers() -> None:
    """At least one rulebook's verdicts include a waived outcome, so the waiver path is compared."""
    waivers = load_waivers(MONTH / "waivers.yaml")
    found = set()
    for book in BOOKS:
        engine = Engine(load_rulebook(ROOT / "rulebooks" / book), waivers=waivers, other_kinds="skip")
        fast = verdict_engine(engine)
        for record in iter_records([MONTH], default_registry()):
            if isinstance(record, Record) and not engine.skips(record) and engine.precheck(record) is None:
                found.update(outcome for _, outcome in verdicts(engine, fast, record))
    assert "waived" in found and "fail" in found
