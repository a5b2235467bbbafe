"""The auditor's answer on a rule that the engine judges from data: kept, shown, and never overridden.

A checklist offers an answer (pass / fail / n.a.) for every rule, also for those the engine judges
from observations or other data. Such an answer is not thrown away, and it does not replace the
engine's verdict either: it is shown beside it, and where the two disagree the outcome is
``needs_review`` with both, for a person to settle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkengine.checks import Outcome, Result
from checkengine.i18n import message

#: An answer's result as the outcome it asserts.
ANSWERED: dict[str, Outcome] = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable"}


def answer_for(record: Mapping[str, Any], rule_id: str) -> Mapping[str, Any] | None:
    """The auditor's answer on *rule_id* in *record*, if any."""
    answers = record.get("answers")
    if not answers:
        return None
    answer = answers.get(rule_id)
    return answer if isinstance(answer, Mapping) and answer.get("result") in ANSWERED else None


def reconcile(result: Result, answer: Mapping[str, Any], lang: str) -> Result:
    """*result* (the engine's verdict from data) with the auditor's *answer* beside it."""
    said = answer["result"]
    details = dict(result.details or {})
    details["auditor"] = said
    if answer.get("comment"):
        details.setdefault("comment", answer["comment"])
    if answer.get("evidence"):
        details.setdefault("evidence", list(answer["evidence"]))
    verdict = result.outcome
    if ANSWERED[said] == verdict:
        text = message("auditor_agrees", lang, answer=said)
        return Result(verdict, result.observed, result.expected, _join(result.explanation, text), details)
    if verdict in ("error", "needs_review"):
        # Already for a person to look at: the answer is shown, the outcome stays.
        text = message("auditor_answered", lang, answer=said)
        return Result(verdict, result.observed, result.expected, _join(result.explanation, text), details)
    details["disagreement"] = {"data": verdict, "auditor": said}
    text = message("auditor_disagrees", lang, verdict=verdict, answer=said, reason=result.explanation or "—")
    return Result("needs_review", result.observed, result.expected, text, details)


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second
