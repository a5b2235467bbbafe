"""Scoring: turning a record's outcomes into section and overall scores, a grade, and a verdict."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Mapping, Sequence

from checkengine.rulebook.model import Rule, Rulebook

SCORED = ("pass", "fail")

#: A scorer's plan for the records of one kind (:meth:`Scorer.plan`): the record's score from its
#: rules' verdicts, given in the order of the rules the plan was made for.
Plan = Callable[[Sequence[str]], dict[str, Any]]


class Scorer:
    """A scoring method; rulebooks choose one with ``scoring.method``."""

    name: ClassVar[str] = ""

    def score(self, outcomes: Sequence[Mapping[str, Any]], book: Rulebook) -> dict[str, Any]:  # pragma: no cover
        raise TypeError("scorers implement score()")

    def plan(self, rules: Sequence[Rule], book: Rulebook) -> Plan | None:
        """Optional: :meth:`score` for records whose outcomes are those of *rules*, in that order,
        as a function of their verdicts alone (asked once per record kind). It must give what
        ``score`` gives for outcomes with those rules' keys (``rule``, ``section``, ``weight``,
        ``critical``, ...) and those verdicts. None (the default): the engine calls ``score``."""
        return None


def weighted_sections(outcomes: Sequence[Mapping[str, Any]]) -> tuple[float, float, dict[str, dict[str, Any]]]:
    """Earned and possible weight overall and per section. Waived and n.a. rules are not scored."""
    earned = possible = 0.0
    sections: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        sec = sections.get(o["section"])
        if sec is None:  # not setdefault: that would build a section's dict for every outcome
            sec = sections[o["section"]] = {"earned": 0.0, "possible": 0.0, "passed": 0, "failed": 0, "other": 0}
        outcome = o["outcome"]
        if outcome in SCORED:
            weight = o["weight"]
            sec["possible"] += weight
            possible += weight
            if outcome == "pass":
                sec["earned"] += weight
                earned += weight
                sec["passed"] += 1
            else:
                sec["failed"] += 1
        else:
            sec["other"] += 1
    for sec in sections.values():
        sec["score"] = round(100.0 * sec["earned"] / sec["possible"], 2) if sec["possible"] else None
    return earned, possible, sections


def overall_score(earned: float, possible: float, sections: dict[str, dict[str, Any]], book: Rulebook) -> float | None:
    """The overall score out of 100.

    Without section weights it is weight earned over weight possible. When the rulebook gives its
    sections a ``weight`` (a supervision checklist: environment 25, attitude 35 ...), it is the
    weighted mean of the section scores; a section without a weight then counts for nothing, and
    a section with nothing scored (all n/a) is left out of the mean.
    """
    weights = {s.id: s.weight for s in book.sections if s.weight is not None}
    if not weights:
        return round(100.0 * earned / possible, 2) if possible else None
    total = mean = 0.0
    for section_id, sec in sections.items():
        w = weights.get(section_id, 0.0)
        if sec["score"] is None or not w:
            continue
        total += w
        mean += w * sec["score"]
    return round(mean / total, 2) if total else None


def grade(score: float | None, book: Rulebook) -> str | None:
    if score is None:
        return None
    for band in sorted(book.scoring.get("bands") or [], key=lambda b: -b["min"]):
        if score >= band["min"]:
            return str(band["grade"])
    return None
