"""The written result shapes: checkengine/result/2 is checkengine/result/1 without repeats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkengine import resultdoc, validation
from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "examples" / "month-2026-11"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) in (0, 1, 2)
    return capsys.readouterr().out


@pytest.mark.parametrize("book,lang", [("leave-and-swaps.yaml", None), ("management.yaml", "en"), ("call-quality.yaml", None)])
def test_schema_2_expands_to_exactly_schema_1(book: str, lang: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    """Every outcome of the month, compacted and expanded again, is the full outcome (key order too)."""
    base = ["evaluate", "-r", str(ROOT / "rulebooks" / book), str(MONTH), "-f", "json", *(["--lang", lang] if lang else [])]
    compact = json.loads(_run(capsys, *base))
    full = json.loads(_run(capsys, *base, "--result-schema", "1"))
    assert compact["schema"] == "checkengine/result/2" and full["schema"] == "checkengine/result/1"
    assert "rules" in compact and "rules" not in full
    for doc in (compact, full):
        assert list(validation.validator("result").iter_errors(doc)) == []
    expanded = resultdoc.expand(compact)
    for doc in (expanded, full):
        doc.pop("generated_at")
    assert json.dumps(expanded, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)
    assert full["records"], "the month has records of this rulebook's kinds"
    written = [o for e in compact["records"] for o in e["outcomes"]]
    assert not any("title" in o or "sources" in o for o in written)  # the fixed texts are in the header only


def test_a_value_unlike_its_rule_table_is_kept() -> None:
    rules = {"R": {"section": "s", "title": "T", "severity": "major", "weight": 1.0, "critical": False,
                   "sources": [{"clause": "C"}], "corrective_action": None}}
    outcome = {"rule": "R", "section": "s", "title": "another title", "outcome": "pass", "severity": "major",
               "weight": 1.0, "critical": False, "explanation": "e", "observed": 1, "expected": 1,
               "parameters": {}, "source": {"clause": "C"}, "sources": [{"clause": "C"}], "waiver": None,
               "comment": "seen", "evidence": [], "details": {}, "corrective_action": None}
    compact = resultdoc.compact_outcome(outcome, rules)
    assert compact == {"rule": "R", "title": "another title", "outcome": "pass", "explanation": "e", "observed": 1,
                       "expected": 1, "comment": "seen"}
    assert resultdoc.expand_outcome(compact, rules) == outcome


def test_jsonl_writes_the_rules_once(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.loads(line) for line in _run(capsys, "batch", "-r", str(ROOT / "rulebooks" / "leave-and-swaps.yaml"),
                                                str(MONTH), "-j", "1", "-q").splitlines()]
    head = lines[0]
    assert head["type"] == "header" and head["schema"] == "checkengine/result/2" and head["rules"]
    records = [line for line in lines if line["type"] == "record"]
    assert records and all("title" not in o for r in records for o in r["outcomes"])
    old = [json.loads(line) for line in _run(capsys, "batch", "-r", str(ROOT / "rulebooks" / "leave-and-swaps.yaml"),
                                              str(MONTH), "-j", "1", "-q", "--result-schema", "1").splitlines()]
    assert old[0]["schema"] == "checkengine/result/1" and "rules" not in old[0]
    assert [o for r in old if r["type"] == "record" for o in r["outcomes"]] == [
        resultdoc.expand_outcome(o, head["rules"]) for r in records for o in r["outcomes"]]
