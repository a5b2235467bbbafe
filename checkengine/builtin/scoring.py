"""The built-in ``weighted`` scoring: weight earned over weight possible, critical rules veto."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from checkengine import hookimpl
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.scoring import Plan, Scorer, grade, overall_score, weighted_sections


# An inspection passes with no critical failure and at least this score, unless the rulebook says otherwise.
DEFAULT_PASS_MARK = 80.0


class Weighted(Scorer):
    name = "weighted"

    def score(self, outcomes: Sequence[Mapping[str, Any]], book: Rulebook) -> dict[str, Any]:
        earned, possible, sections = weighted_sections(outcomes)
        value = overall_score(earned, possible, sections, book)
        critical = [o["rule"] for o in outcomes if o["critical"] and o["outcome"] == "fail"]
        pass_mark = book.scoring.get("pass_mark", DEFAULT_PASS_MARK)
        passed = not critical and (pass_mark is None or value is None or value >= pass_mark)
        pending = [o["rule"] for o in outcomes if o["outcome"] in ("needs_review", "error")]
        return {
            "method": self.name,
            "score": value,
            "max": 100,
            "grade": grade(value, book),
            "passed": passed,
            "complete": not pending,
            "pending": pending,
            "critical_failures": critical,
            "sections": sections,
        }

    def plan(self, rules: Sequence[Rule], book: Rulebook) -> Plan | None:
        """:meth:`score` from the verdicts of *rules* (:mod:`checkengine.builtin.scoring_plan`)."""
        if type(self).score is not Weighted.score:  # a subclass that scores otherwise
            return None
        from checkengine.builtin.scoring_plan import weighted_plan

        return weighted_plan(rules, book, self.name, DEFAULT_PASS_MARK)


@hookimpl(trylast=True)
def checkengine_register_scorers(register: Callable[[Scorer], None]) -> None:
    register(Weighted())
