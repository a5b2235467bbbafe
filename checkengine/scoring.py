"""Scoring: turning a record's outcomes into section and overall scores, a grade, and a verdict."""

from __future__ import annotations

from typing import Any, ClassVar

from checkengine.rulebook.model import Rulebook

SCORED = ("pass", "fail")


class Scorer:
    """A scoring method; rulebooks choose one with ``scoring.method``."""

    name: ClassVar[str] = ""

    def score(self, outcomes: list[dict[str, Any]], book: Rulebook) -> dict[str, Any]:  # pragma: no cover
        raise TypeError("scorers implement score()")


def weighted_sections(outcomes: list[dict[str, Any]]) -> tuple[float, float, dict[str, dict[str, Any]]]:
    """Earned and possible weight overall and per section. Waived and n.a. rules are not scored."""
    earned = possible = 0.0
    sections: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        sec = sections.setdefault(o["section"], {"earned": 0.0, "possible": 0.0, "passed": 0,
                                                  "failed": 0, "other": 0})
        if o["outcome"] in SCORED:
            sec["possible"] += o["weight"]
            possible += o["weight"]
            if o["outcome"] == "pass":
                sec["earned"] += o["weight"]
                earned += o["weight"]
                sec["passed"] += 1
            else:
                sec["failed"] += 1
        else:
            sec["other"] += 1
    for sec in sections.values():
        sec["score"] = round(100.0 * sec["earned"] / sec["possible"], 2) if sec["possible"] else None
    return earned, possible, sections


def grade(score: float | None, book: Rulebook) -> str | None:
    if score is None:
        return None
    for band in sorted(book.scoring.get("bands") or [], key=lambda b: -b["min"]):
        if score >= band["min"]:
            return str(band["grade"])
    return None
