"""Where an inspection stands (checkengine/web/review.py), from the store's facts, and the
checklist's values made again from a submission sent back."""

from __future__ import annotations

import pytest

from checkengine.archive.review import Facts, Review
from checkengine.web.review import entered_from, state_of


def _review(submission: int, decision: str) -> Review:
    return Review(1, 7, submission, decision, "redo" if decision == "sent_back" else None,
                  None if decision == "sent_back" else 3, 2, "Wang", "2026-11-04T10:00:00+08:00")


def _form(n: int) -> dict[str, object]:
    return {"id": n, "sha256": "a" * 64, "at": "2026-11-04T09:00:00+08:00", "by": "Lin"}


@pytest.mark.parametrize("facts, status", [
    (Facts(), "open"),
    (Facts([10]), "to_sign"),
    (Facts([10], {10: {"inspector": _form(1)}}), "awaiting_review"),
    (Facts([10], {10: {"inspector": _form(1)}}, {10: _review(10, "sent_back")}), "sent_back"),
    # sent back, then submitted again: the new one is to sign, then awaits review
    (Facts([10, 11], {10: {"inspector": _form(1)}}, {10: _review(10, "sent_back")}), "to_sign"),
    (Facts([10, 11], {10: {"inspector": _form(1)}, 11: {"inspector": _form(2)}}, {10: _review(10, "sent_back")}),
     "awaiting_review"),
    (Facts([10], {10: {"inspector": _form(1), "manager": _form(3)}}, {10: _review(10, "accepted")}), "accepted"),
    # countersigned before reviews were kept (no review row): accepted
    (Facts([10], {10: {"inspector": _form(1), "manager": _form(3)}}), "accepted"),
], ids=["open", "to-sign", "awaiting", "sent-back", "resubmitted", "resubmitted-signed", "accepted", "legacy"])
def test_where_an_inspection_stands(facts: Facts, status: str) -> None:
    found = state_of(facts)
    assert found.status == status
    assert (found.sent_back is not None) == (status == "sent_back")
    assert found.forms == (facts.signed.get(facts.submissions[-1], {}) if facts.submissions else {})


def test_a_sent_back_checklist_opens_with_the_answers_given() -> None:
    record = {
        "answers": {"WKS-03": {"result": "fail", "comment": "桌上有文件", "evidence": ["photo:" + "a" * 64]},
                    "DRS-01": {"result": "pass"}},
        "observations": {"badge": "pocket", "minutes_outside": 12, "monitor_right": True, "chair": False,
                         "leaves": None},
        "corrective_actions": [{"rule": "WKS-03", "action": "收好文件", "owner": "E014", "due": "2026-11-10"}],
    }
    assert entered_from(record, ["SEC-03", "leaves"]) == {
        "answer:WKS-03": "fail", "comment:WKS-03": "桌上有文件", "answer:DRS-01": "pass",
        "answer:SEC-03": "not_observed", "answer:leaves": "not_observed",
        "obs:badge": "pocket", "fu:badge": "pocket", "obs:minutes_outside": "12", "fu:minutes_outside": "12",
        "obs:monitor_right": "yes", "fu:monitor_right": "yes", "obs:chair": "no", "fu:chair": "no",
        "obs:leaves": "not_observed", "nobs:leaves": "on",
        "action:WKS-03": "收好文件", "owner:WKS-03": "E014", "due:WKS-03": "2026-11-10",
    }
