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
        """:meth:`score` from the verdicts of *rules*: the same sums, added in the same order (so
        the same floats), without reading a key of an outcome."""
        if type(self).score is not Weighted.score:  # a subclass that scores otherwise
            return None
        order: list[str] = []
        where: dict[str, int] = {}
        rows: list[tuple[int, float]] = []
        for rule in rules:
            at = where.get(rule.section)
            if at is None:
                at = where[rule.section] = len(order)
                order.append(rule.section)
            rows.append((at, rule.weight))
        ids = [rule.id for rule in rules]
        critical_at = [k for k, rule in enumerate(rules) if rule.critical]
        pass_mark = book.scoring.get("pass_mark", DEFAULT_PASS_MARK)
        name = self.name
        size = len(order)

        def score(verdicts: Sequence[str]) -> dict[str, Any]:
            earned = possible = 0.0
            s_earned = [0.0] * size
            s_possible = [0.0] * size
            passed = [0] * size
            failed = [0] * size
            other = [0] * size
            for verdict, (at, weight) in zip(verdicts, rows):
                if verdict == "pass":
                    s_possible[at] += weight
                    possible += weight
                    s_earned[at] += weight
                    earned += weight
                    passed[at] += 1
                elif verdict == "fail":
                    s_possible[at] += weight
                    possible += weight
                    failed[at] += 1
                else:
                    other[at] += 1
            sections = {
                sid: {"earned": s_earned[k], "possible": s_possible[k], "passed": passed[k], "failed": failed[k],
                      "other": other[k],
                      "score": round(100.0 * s_earned[k] / s_possible[k], 2) if s_possible[k] else None}
                for k, sid in enumerate(order)
            }
            value = overall_score(earned, possible, sections, book)
            critical = [ids[k] for k in critical_at if verdicts[k] == "fail"]
            pending = [ids[k] for k, verdict in enumerate(verdicts) if verdict == "needs_review" or verdict == "error"]
            return {
                "method": name,
                "score": value,
                "max": 100,
                "grade": grade(value, book),
                "passed": not critical and (pass_mark is None or value is None or value >= pass_mark),
                "complete": not pending,
                "pending": pending,
                "critical_failures": critical,
                "sections": sections,
            }

        return score


@hookimpl(trylast=True)
def checkengine_register_scorers(register: Callable[[Scorer], None]) -> None:
    register(Weighted())
