"""The auditor's answer on a rule the engine judges from data is kept beside the verdict, never lost
and never a silent override (issue 9, point 8)."""

from __future__ import annotations

from typing import Any

import pytest

UNIFORM = {"type": "equals", "field": "observations.uniform", "value": True}


@pytest.fixture
def book(make_book: Any, helpers: Any) -> Any:
    # DRS-01 (001 值班制度 1: 值班人員值班在崗,首先要著裝統一): judged from the observation.
    return make_book([helpers.rule("DRS-01", UNIFORM), helpers.rule("DRS-03", {"type": "manual"})])


def _outcome(evaluate: Any, book: Any, make_record: Any, helpers: Any, rule: str = "DRS-01",
             **fields: Any) -> dict[str, Any]:
    record = make_record("floor_inspection", **fields)
    result = evaluate(book, [record])
    assert result["errors"] == []
    out: dict[str, Any] = helpers.outcome_of(result, rule)
    return out


@pytest.mark.parametrize(("uniform", "answer", "verdict"), [(False, "pass", "fail"), (True, "fail", "pass"),
                                                            (True, "n.a.", "pass")])
def test_a_disagreement_needs_review_with_both(book: Any, make_record: Any, evaluate: Any, helpers: Any,
                                               uniform: bool, answer: str, verdict: str) -> None:
    o = _outcome(evaluate, book, make_record, helpers, observations={"uniform": uniform},
                 answers={"DRS-01": {"result": answer, "comment": "制服在送洗"}})
    assert o["outcome"] == "needs_review"
    assert o["details"]["disagreement"] == {"data": verdict, "auditor": answer}
    assert o["details"]["auditor"] == answer
    assert o["comment"] == "制服在送洗"
    assert o["explanation"].startswith(f"the data say {verdict} (")
    assert f"but the auditor answered {answer}: review which is right" in o["explanation"]


def test_an_agreeing_answer_is_shown_and_the_verdict_stands(book: Any, make_record: Any, evaluate: Any,
                                                            helpers: Any) -> None:
    o = _outcome(evaluate, book, make_record, helpers, observations={"uniform": False},
                 answers={"DRS-01": {"result": "fail", "comment": "未著制服"}})
    assert (o["outcome"], o["details"]["auditor"], o["comment"]) == ("fail", "fail", "未著制服")
    assert "the auditor's answer agrees (fail)" in o["explanation"]
    assert "disagreement" not in o["details"]


def test_an_unknown_observation_stays_for_review_with_the_answer_shown(book: Any, make_record: Any, evaluate: Any,
                                                                       helpers: Any) -> None:
    o = _outcome(evaluate, book, make_record, helpers, observations={"uniform": None},
                 answers={"DRS-01": {"result": "pass"}})
    assert o["outcome"] == "needs_review"
    assert "the auditor answered pass" in o["explanation"]


def test_without_an_answer_nothing_changes_and_manual_rules_judge_the_answer(book: Any, make_record: Any,
                                                                             evaluate: Any, helpers: Any) -> None:
    o = _outcome(evaluate, book, make_record, helpers, observations={"uniform": True})
    assert (o["outcome"], o["details"]) == ("pass", {})
    o = _outcome(evaluate, book, make_record, helpers, rule="DRS-03", observations={"uniform": True},
                 answers={"DRS-03": {"result": "fail"}})
    assert o["outcome"] == "fail"
    assert "auditor" not in o["details"]
