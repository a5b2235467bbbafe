"""The verdict-only pass of ``diff --replay``: each rule's outcome, without its explanation, texts
and score.

Most replayed records change in nothing, and the replay reports only the rules whose outcome
changes; building every outcome in full under both rulebooks was most of its time. A verdict
engine is the rulebook's engine with its outcomes cut to ``{"rule", "outcome"}`` (the waiver that
applies still decides ``waived``, exactly as in the full outcome) and no score; the replay builds
full results only for records whose verdicts differ, so its report is the same.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, Mapping

from checkengine.checks import Env, Result
from checkengine.engine import Engine
from checkengine.outcomes import Outcomes
from checkengine.records import Record
from checkengine.rulebook.model import Rule


class VerdictOutcomes(Outcomes):
    """An engine's outcomes as verdicts: the same checks, conditions and waivers, no dicts of text."""

    @classmethod
    def of(cls, full: Outcomes) -> VerdictOutcomes:
        made = cls.__new__(cls)
        made.__dict__.update(full.__dict__)  # the same rulebook, language, waivers and caches
        return made

    def finish(self, rule: Rule, result: Result, env: Env, on: date | None,
               scope: Mapping[str, Any]) -> dict[str, Any]:
        outcome = result.outcome
        if self.waivers.by_rule and outcome in ("fail", "needs_review"):
            active, _ = self.waivers.lookup(rule.id, scope, on)
            if active is not None:
                outcome = "waived"
        return {"rule": rule.id, "outcome": outcome}


def verdict_engine(engine: Engine) -> Engine:
    """A copy of *engine* whose :meth:`Engine.evaluate_record` gives verdicts only (outcomes of
    ``rule`` and ``outcome``, an empty score). The original is left as it was (engines are shared
    by the jobs and threads of a process)."""
    verdicts = copy.copy(engine)
    verdicts._outcomes = VerdictOutcomes.of(engine._outcomes)
    setattr(verdicts, "score", _no_score)
    return verdicts


def _no_score(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    return {}


def verdicts(engine: Engine, verdict: Engine, record: Record) -> list[tuple[str, str]]:
    """(rule, outcome) of every record rule of *record*, by *verdict* (:func:`verdict_engine` of
    *engine*). *engine* keeps the record's condition context, which folding the record reuses."""
    found = [(o["rule"], o["outcome"]) for o in verdict.evaluate_record(record)["outcomes"]]
    engine._last_env = verdict._last_env
    return found
