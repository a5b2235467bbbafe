"""The manual check: the auditor's answer, and what a failing answer must carry to stand - a note,
a photo, a corrective action with an owner and a due date, the answers to its follow-up questions."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def book(make_book: Any, helpers: Any) -> Any:
    manual = {"type": "manual", "prompt": {"en": "Is the desk tidy?", "zh-Hant": "桌面是否整潔？", "zh-Hans": "桌面是否整洁？"}}
    question = {"question": {"en": "What was left?", "zh-Hant": "留下什麼？", "zh-Hans": "留下什么？"}}
    return make_book([
        helpers.rule("DESK", manual, evidence={"comment": True, "corrective_action": True},
                     follow_up_questions={"desk_items": question}),
        helpers.rule("PLAIN", manual),
    ])


def _outcome(evaluate: Any, book: Any, make_record: Any, rule: str, **fields: Any) -> tuple[str, str]:
    record = make_record("floor_inspection", "FI-1", **fields)
    result = evaluate(book, [record])
    [found] = [o for o in result["records"][0]["outcomes"] if o["rule"] == rule]
    return found["outcome"], found["explanation"]


ACTION = {"rule": "DESK", "action": "clear the desk", "owner": "E001", "due": "2026-11-04"}
FAIL = {"DESK": {"result": "fail", "comment": "papers on the desk"}, "PLAIN": {"result": "fail"}}


def test_a_failure_with_everything_it_requires_stands(book: Any, make_record: Any, evaluate: Any) -> None:
    assert _outcome(evaluate, book, make_record, "DESK", answers=FAIL, corrective_actions=[ACTION],
                    observations={"desk_items": "papers"}) == ("fail", "the auditor judged it not met")
    assert _outcome(evaluate, book, make_record, "PLAIN", answers=FAIL)[0] == "fail"


@pytest.mark.parametrize(("actions", "observations", "missing"), [
    ([], {"desk_items": "papers"}, "a corrective action with an owner and a due date"),
    ([{**ACTION, "owner": ""}], {"desk_items": "papers"}, "a corrective action with an owner and a due date"),
    ([{**ACTION, "rule": "PLAIN"}], {"desk_items": "papers"}, "a corrective action with an owner and a due date"),
    ([ACTION], {}, "an answer to the follow-up question desk_items"),
    ([ACTION], {"desk_items": None}, "an answer to the follow-up question desk_items"),
])
def test_a_failure_without_what_it_requires_needs_review(book: Any, make_record: Any, evaluate: Any, actions: Any,
                                                         observations: Any, missing: str) -> None:
    outcome, explanation = _outcome(evaluate, book, make_record, "DESK", answers=FAIL, corrective_actions=actions,
                                    observations=observations)
    assert (outcome, explanation) == (
        "needs_review", f"the auditor judged it not met; a failed item needs {missing}, which the auditor did not give")


def test_a_pass_asks_for_nothing(book: Any, make_record: Any, evaluate: Any) -> None:
    assert _outcome(evaluate, book, make_record, "DESK", answers={"DESK": {"result": "pass"}})[0] == "pass"


def test_the_batch_of_a_kinds_manual_rules_gives_each_rules_verdict() -> None:
    """``manual_batch`` (the verdict lanes' batch) against each rule's own verdict function, over
    answers of every shape a file may hold."""
    import itertools
    from pathlib import Path

    from checkengine.checks import Env
    from checkengine.engine import Engine
    from checkengine.rulebook.load import load_rulebook

    engine = Engine(load_rulebook(Path(__file__).resolve().parents[2] / "rulebooks" / "cs-floor.yaml"))
    checks = [c.check for c in engine.record_rules("floor_inspection") if type(c.check).__name__ == "_Manual"]
    made = [check.fast_batch() for check in checks]  # type: ignore[union-attr]
    maker = made[0][0]
    assert all(m is maker for m, _ in made) and len(made) > 10
    batch = maker([spec for _, spec in made])
    singles = [check.fast_verdict() for check in checks]  # type: ignore[union-attr]
    shapes: list[object] = [None, {}, {"result": "pass"}, {"result": "n.a."}, {"result": "fail"},
                            {"result": "fail", "comment": "c"}, {"result": "fail", "comment": "c", "evidence": ["p"]},
                            {"result": "pass", "evidence": "p"}, {"result": "maybe"}, {"comment": "x"}, "pass", [1]]
    seen: set[str | None] = set()
    items = [spec[0] for _, spec in made]
    for first, second in itertools.product(shapes, repeat=2):
        mixed = {item: first if k % 2 else second for k, item in enumerate(items)}
        every: list[object] = [mixed, None, {}, "x", []]
        for answers in every:
            record = {"answers": answers, "observations": {}}
            env = Env(engine.book, record, None, "en", engine.conditions)
            want = []
            for single in singles:
                assert single is not None
                want.append(single(record, env))
            assert batch(record, env) == want, answers
            seen.update(v for v in want)
    assert seen >= {"pass", "fail", "not_applicable", "needs_review", None}
