"""The engine's verdicts do not move when its insides change (issue 16, "the same verdicts as before").

Every bundled rulebook (rulebooks/*.yaml and rulebooks/branches/*.yaml), in each of its languages
and with the month's waivers, evaluates the whole example month (examples/month-2026-11); every
record's outcomes (outcome, explanation, observed and expected values, parameters in effect,
sources, waiver, details), its score, the group outcomes and the record errors must equal the
golden file ``tests/golden/example-month.json.xz``, made by the engine before it was compiled into
closures. Only ``generated_at`` (the clock) is left out.

A change that is meant to change verdicts regenerates the file on purpose and shows the diff in
review: ``CHECKENGINE_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_verdicts_stable.py``.
"""

from __future__ import annotations

import lzma
import json
import os
from pathlib import Path
from typing import Any

import pytest

from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import iter_records
from checkengine.rulebook.load import load_rulebook
from checkengine.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "example-month.json.xz"
MONTH = "examples/month-2026-11"
BOOKS = sorted((ROOT / "rulebooks").glob("*.yaml")) + sorted((ROOT / "rulebooks" / "branches").glob("*.yaml"))


def month_results() -> dict[str, Any]:
    """rulebook file -> language -> the run's result without its clock."""
    registry = default_registry()
    waivers = load_waivers(Path(MONTH) / "waivers.yaml")
    out: dict[str, Any] = {}
    for path in BOOKS:
        book = load_rulebook(path)
        runs: dict[str, Any] = {}
        for lang in book.languages:
            engine = Engine(book, registry=registry, lang=lang, waivers=waivers, other_kinds="skip")
            result = engine.run(iter_records([MONTH], registry))
            result.pop("generated_at")
            runs[lang] = json.loads(json.dumps(result, ensure_ascii=False, sort_keys=True))
        out[path.relative_to(ROOT).as_posix()] = runs
    return out


@pytest.fixture(scope="module")
def results(monkeypatch_module: None) -> dict[str, Any]:
    return month_results()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)  # the result names the record files relative to where the run starts
    yield None
    mp.undo()


def test_golden_file_covers_every_bundled_rulebook(results: dict[str, Any]) -> None:
    if os.environ.get("CHECKENGINE_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(results, ensure_ascii=False, sort_keys=True, indent=0)
        GOLDEN.write_bytes(lzma.compress(text.encode("utf-8"), preset=9))
    golden = json.loads(lzma.decompress(GOLDEN.read_bytes()))
    assert sorted(golden) == sorted(results)
    for book, runs in golden.items():
        assert sorted(runs) == sorted(results[book]), book
    # The month is large enough to mean something: records, outcomes of every kind, groups.
    seen = {o["outcome"] for runs in golden.values() for r in runs.values()
            for entry in r["records"] for o in entry["outcomes"]}
    assert {"pass", "fail", "not_applicable", "needs_review"} <= seen


@pytest.mark.parametrize("book", [p.relative_to(ROOT).as_posix() for p in BOOKS])
def test_verdicts_equal_the_golden_file(results: dict[str, Any], book: str) -> None:
    golden = json.loads(lzma.decompress(GOLDEN.read_bytes()))[book]
    for lang, expected in golden.items():
        got = results[book][lang]
        assert got["summary"] == expected["summary"], (book, lang)
        assert len(got["records"]) == len(expected["records"]), (book, lang)
        for mine, theirs in zip(got["records"], expected["records"]):
            rid = theirs["record"]["id"]
            assert mine["record"] == theirs["record"], (book, lang, rid)
            assert mine["score"] == theirs["score"], (book, lang, rid)
            for a, b in zip(mine["outcomes"], theirs["outcomes"], strict=True):
                assert a == b, (book, lang, rid, b["rule"])
        assert got["groups"] == expected["groups"], (book, lang)
        assert got["errors"] == expected["errors"], (book, lang)
        assert got == expected, (book, lang)
