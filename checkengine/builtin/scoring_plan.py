"""The ``weighted`` score of a record kind's outcomes from their verdicts alone (the scorer's
:meth:`~checkengine.scoring.Scorer.plan`, which the verdict lanes use).

It gives what :meth:`checkengine.builtin.scoring.Weighted.score` gives, key for key and float for
float. When every weight is a whole number (and the sums stay far below 2**53), the sums are the
same floats in any order, so a record starts from its rules' sums as if all passed and takes off
the rules that did not (most rules of most records pass); otherwise the weights are added rule by
rule in the rules' order, as ``score`` adds them. The section and overall scores are rounded once
per (earned, possible) pair and the grade once per score (the same few recur record after record).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable, Sequence

from checkengine.rulebook.model import Rule, Rulebook
from checkengine.scoring import Plan, grade, overall_score

_MEMO_SIZE = 4096
#: a kind with at most this many rules has its scores kept per mix of verdicts (6 ** 4 mixes at most)
_FEW = 4


def weighted_plan(rules: Sequence[Rule], book: Rulebook, name: str, default_pass_mark: float) -> Plan:
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
    pass_mark = book.scoring.get("pass_mark", default_pass_mark)
    size = len(order)
    count = len(rows)
    exact = all(float(w).is_integer() for _, w in rows) and sum(abs(w) for _, w in rows) < 2.0 ** 50
    all_earned = [0.0] * size
    all_passed = [0] * size
    for at, weight in rows:
        all_earned[at] += weight
        all_passed[at] += 1
    section_weighted = any(s.weight is not None for s in book.sections)
    # Each section's rules, when every section's rules follow each other (the usual book): then a
    # section whose rules all passed costs a count, and only the others are gone through rule by rule.
    # (section, first rule, past its last, weights, rule ids, its sum, its rules, its figures when all passed)
    ranges: list[tuple[str, int, int, tuple[float, ...], tuple[str, ...], float, int, dict[str, Any]]] = []
    for k, (at, _) in enumerate(rows):
        if not ranges or ranges[-1][0] != order[at]:
            full = all_earned[at]
            passed_all = {"earned": full, "possible": full, "passed": all_passed[at], "failed": 0, "other": 0,
                          "score": round(100.0 * full / full, 2) if full else None}
            ranges.append((order[at], k, k, (), (), full, all_passed[at], passed_all))
        sid, lo, _, weights, names, full, n, passed_all = ranges[-1]
        ranges[-1] = (sid, lo, k + 1, weights + (rows[k][1],), names + (ids[k],), full, n, passed_all)
    by_section = exact and len(ranges) == size
    # each section's verdicts as a tuple (read in one call; the key of its kept figures), what they
    # are when all passed, and its figures per mix of verdicts
    sections_at: list[tuple[str, Callable[[Sequence[str]], Any], tuple[float, ...], tuple[str, ...], float,
                            tuple[str, ...], dict[str, Any], dict[Any, Any]]] = [(sid, itemgetter(*range(lo, hi)) if hi - lo > 1 else _one(lo), weights, names, full,
                    ("pass",) * n, passed_all, {}) for sid, lo, hi, weights, names, full, n, passed_all in ranges]
    ratios: dict[tuple[float, float], float | None] = {}
    few = count <= _FEW
    scores: dict[tuple[str, ...], dict[str, Any]] = {}
    grades: dict[float | None, str | None] = {}

    def ratio(earned: float, possible: float) -> float | None:
        key = (earned, possible)
        known = ratios.get(key, ratios)
        if known is ratios:
            if len(ratios) >= _MEMO_SIZE:
                ratios.clear()
            known = ratios[key] = round(100.0 * earned / possible, 2) if possible else None
        return known  # type: ignore[return-value]

    def score(verdicts: Sequence[str]) -> dict[str, Any]:
        if few:  # a kind of a few rules: the same few mixes recur, each scored once and copied
            key = tuple(verdicts)
            known = scores.get(key)
            if known is None:
                if len(scores) >= _MEMO_SIZE:
                    scores.clear()
                known = scores[key] = sectioned(verdicts) if by_section else judged(verdicts)
            sections: dict[str, dict[str, Any]] = {}
            for sid, figures in known["sections"].items():
                sections[sid] = figures.copy()
            return {**known, "pending": known["pending"].copy(), "critical_failures": known["critical_failures"].copy(),
                    "sections": sections}
        if by_section:
            return sectioned(verdicts)
        return judged(verdicts)

    def judged(verdicts: Sequence[str]) -> dict[str, Any]:
        """The score adding the rules' weights in the rules' order (or taking those that did not pass off)."""
        failed = [0] * size
        other = [0] * size
        if exact:
            s_earned = all_earned.copy()
            s_possible = all_earned.copy()
            passed = all_passed.copy()
            pending = []
            if verdicts.count("pass") != count:
                for k, verdict in enumerate(verdicts):
                    if verdict != "pass":
                        at, weight = rows[k]
                        s_earned[at] -= weight
                        passed[at] -= 1
                        if verdict == "fail":
                            failed[at] += 1
                        else:
                            s_possible[at] -= weight
                            other[at] += 1
                            if verdict == "needs_review" or verdict == "error":
                                pending.append(ids[k])  # in the rules' order, as score lists them
            earned = sum(s_earned, 0.0)
            possible = sum(s_possible, 0.0)
        else:
            earned = possible = 0.0
            s_earned = [0.0] * size
            s_possible = [0.0] * size
            passed = [0] * size
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
                  "other": other[k], "score": ratio(s_earned[k], s_possible[k])}
            for k, sid in enumerate(order)
        }
        if not exact:
            pending = [ids[k] for k, verdict in enumerate(verdicts) if verdict == "needs_review" or verdict == "error"]
        return scored(verdicts, earned, possible, sections, pending)

    def sectioned(verdicts: Sequence[str]) -> dict[str, Any]:
        """The score from the sums, sections and pending rules taken section by section (whole
        weights: the same floats); a section's figures are kept per mix of its verdicts (the same
        few recur)."""
        earned = possible = 0.0
        sections: dict[str, dict[str, Any]] = {}
        pending: list[str] = []
        for sid, getter, weights, names, full, all_pass, passed_all, mixes in sections_at:
            got = getter(verdicts)
            if got == all_pass:
                sections[sid] = passed_all.copy()
                earned += full
                possible += full
                continue
            known = mixes.get(got)
            if known is None:
                if len(mixes) >= _MEMO_SIZE:
                    mixes.clear()
                s_earned, s_possible, passed, failed, other, score, waiting = section(got, weights, names, full)
                known = mixes[got] = ({"earned": s_earned, "possible": s_possible, "passed": passed, "failed": failed,
                                       "other": other, "score": score}, s_earned, s_possible, waiting)
            figures, s_earned, s_possible, waiting = known
            sections[sid] = figures.copy()  # the kept figures, never handed out themselves
            if waiting:
                pending.extend(waiting)
            earned += s_earned
            possible += s_possible
        return scored(verdicts, earned, possible, sections, pending)

    def section(got: Sequence[str], weights: tuple[float, ...], names: tuple[str, ...],
                full: float) -> tuple[float, float, int, int, int, float | None, tuple[str, ...]]:
        """One section's earned, possible, passed, failed, other, score and pending rules."""
        s_earned = s_possible = full
        passed = failed = other = 0
        waiting = []
        for weight, verdict, rid in zip(weights, got, names):
            if verdict == "pass":
                passed += 1
                continue
            s_earned -= weight
            if verdict == "fail":
                failed += 1
            else:
                s_possible -= weight
                other += 1
                if verdict == "needs_review" or verdict == "error":
                    waiting.append(rid)  # in the rules' order, as score lists them
        return s_earned, s_possible, passed, failed, other, ratio(s_earned, s_possible), tuple(waiting)

    def scored(verdicts: Sequence[str], earned: float, possible: float, sections: dict[str, dict[str, Any]],
               pending: list[str]) -> dict[str, Any]:
        value = overall_score(earned, possible, sections, book) if section_weighted else ratio(earned, possible)
        mark = grades.get(value, grades)
        if mark is grades:
            if len(grades) >= _MEMO_SIZE:
                grades.clear()
            mark = grades[value] = grade(value, book)
        critical = []
        for k in critical_at:
            if verdicts[k] == "fail":
                critical.append(ids[k])
        return {
            "method": name,
            "score": value,
            "max": 100,
            "grade": mark,
            "passed": not critical and (pass_mark is None or value is None or value >= pass_mark),
            "complete": not pending,
            "pending": pending,
            "critical_failures": critical,
            "sections": sections,
        }

    return sectioned if by_section and not few else score  # the common plan, called without a step between


def _one(at: int) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """The verdict at *at* as a 1-tuple (``itemgetter`` of one index gives the item itself)."""
    return lambda verdicts: (verdicts[at],)


__all__ = ["weighted_plan"]
