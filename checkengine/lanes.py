"""Verdict lanes: a record's verdicts and score without making its outcomes' results.

``Engine.evaluate_record(record, lazy=True)`` (what a count, a summary or the pipeline's sinks
ask for) runs here. For each record kind the engine keeps the kind's rules as *lanes*, made once:
a lane decides its rule's verdict from the record alone where it can be sure, with what the rule's
check type offers for that (:meth:`~checkengine.checks.CompiledCheck.fast_verdict`), and otherwise
(no such function, or it answers None, or anything raises) hands the rule to the general path,
:meth:`checkengine.outcomes.Outcomes.outcome`, which decides it as it always has. A rule takes the
general path whole when the run has a waiver for it (the waiver decides the verdict at once), and
on a record whose auditor also answered it (the answer is set beside the verdict); so does every
applicability question a lane is unsure of (a null in the audience, a condition that fails).

An outcome a lane decided is an :class:`~checkengine.outcome.Outcome` that holds its verdict and
its rule's fixed keys; its entry (explanation, parameters, sources, details) is rendered, when a
reader first asks for it, by the general path run on the same record, date and facts, so the
text is the one the engine always wrote (a verdict that disagreed there would be a defect of the
lane: :class:`LaneDisagrees`, never a silent mix). The record's score comes from the verdicts
through the scorer's plan for the kind (:meth:`~checkengine.scoring.Scorer.plan`), or from the
outcomes when the scorer has none. ``tests/test_lanes.py`` runs both paths over the example
month, generated records and every bundled rulebook and compares every verdict, entry and score.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from checkengine import unknown
from checkengine.applicability import CONDITION_FALSE, not_applicable
from checkengine.checks import OUTCOMES, Env, FastVerdict
from checkengine.compiled import CompiledRule
from checkengine.fields import get_path
from checkengine.outcome import Outcome
from checkengine.outcomes import _RuleText, record_meta, subject_scope
from checkengine.records import Record
from checkengine.scoring import Plan

if TYPE_CHECKING:
    from checkengine import lookups
    from checkengine.engine import Engine

#: A lane's decision for one record (data, its Env, its date): the verdict, or None (general path).
Decide = Callable[[Mapping[str, Any], Env, "date | None"], "str | None"]


class LaneDisagrees(RuntimeError):
    """An outcome's rendered entry has another verdict than the lane gave it (a defect of the lane)."""


class Lane:
    """One rule of a record kind, as the lanes run it."""

    __slots__ = ("compiled", "rule_id", "decide", "answerable", "text", "by_verdict")

    def __init__(self, compiled: CompiledRule, decide: Decide | None, text: _RuleText) -> None:
        self.compiled = compiled
        self.rule_id = compiled.rule.id
        #: None: the rule always takes the general path
        self.decide = decide
        #: an answer of the auditor on the rule is set beside its verdict (general path)
        self.answerable = not compiled.reads_answers
        self.text = text
        #: the rule's fixed keys with each verdict, copied into each of its outcomes
        self.by_verdict = {verdict: {**text.fixed, "outcome": verdict} for verdict in OUTCOMES}


class Lanes:
    """The verdict lanes of an engine's record-scope rules, per record kind (made when first asked)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kinds: dict[str, tuple[tuple[Lane, ...], Plan | None]] = {}

    def of(self, kind: str) -> tuple[tuple[Lane, ...], Plan | None]:
        known = self._kinds.get(kind)
        if known is None:
            engine = self.engine
            rules = engine.record_rules(kind)
            lanes = tuple(Lane(c, self._decider(c), engine._outcomes.text(c.rule)) for c in rules)
            method = engine.book.scoring.get("method", "weighted")
            scorer = engine.registry.scorers.get(method)
            plan = scorer.plan([c.rule for c in rules], engine.book) if scorer is not None else None
            known = self._kinds[kind] = (lanes, plan)
        return known

    def _decider(self, compiled: CompiledRule) -> Decide | None:
        if compiled.rule.id in self.engine.waivers.by_rule:
            return None  # a waiver decides the verdict at once: the general path applies it
        fast = verdict_function(compiled.check)
        if fast is None:
            if compiled.always_applies:
                return None
            check: FastVerdict = _unsure  # the lane still decides that the rule does not apply
        else:
            check = fast
        needs = tuple(compiled.rule.needs)
        if needs and fast is not None:
            def check(data: Mapping[str, Any], env: Env) -> str | None:
                if unknown.first_unknown(data, needs) is not None:
                    return "needs_review"  # what the general path says of a fact the rule needs
                return fast(data, env)

        if compiled.always_applies:
            return lambda data, env, on: check(data, env)
        window = compiled.window
        nulls = tuple(unknown.read_paths(compiled.when)) if compiled.when is not None else ()

        def decide(data: Mapping[str, Any], env: Env, on: date | None) -> str | None:
            if window is not None and type(on) is date:
                if (window[0] is None or on >= window[0]) and (window[1] is None or on <= window[1]):
                    return check(data, env)
                return "not_applicable"
            reason = not_applicable(compiled, data, env, on)  # raises where unsure: the general path
            if reason is None:
                return check(data, env)
            if reason is CONDITION_FALSE and any(get_path(data, p) is None for p in nulls):
                return None  # a null the condition read may be why: the general path says which
            return "not_applicable"

        return decide

    def evaluate(self, record: Record, on: date | None) -> dict[str, Any]:
        """The record's result entry on the date *on*: its outcomes (unrendered) and its score."""
        engine = self.engine
        data = record.data
        env = Env(engine.book, data, on, engine.lang, engine.conditions, cache=engine.env_cache)
        facts = env.lookups = engine._facts()
        env.eager = False
        engine._last_env = (data, env)
        lanes, plan = self.of(data["kind"])
        pending = Pending(self, data, on, facts)
        answers = data.get("answers")
        general = engine._outcomes.outcome
        outcomes: list[Any] = []
        verdicts: list[str] = []
        for lane in lanes:
            decide = lane.decide
            verdict = None
            if decide is not None and not (answers and lane.answerable and lane.rule_id in answers):
                try:
                    verdict = decide(data, env, on)
                except Exception:  # unsure: the general path decides, and reports what went wrong
                    verdict = None
            if verdict is None:
                o = general(lane.compiled, data, env, on, pending.scope())
                env.used = {}  # the outcome keeps its parameters: a later lane must not add to them
                verdict = o["outcome"]
            else:
                o = Outcome(lane.by_verdict[verdict])
                o.text = lane.text
                o.maker = pending
                o.lane = lane.compiled
                o.done = False
            outcomes.append(o)
            verdicts.append(verdict)
        entry: dict[str, Any] = {"record": record_meta(record), "outcomes": outcomes}
        entry["score"] = plan(verdicts) if plan is not None else engine.score(outcomes)
        return entry


def verdict_function(check: object) -> FastVerdict | None:
    """*check*'s verdict function, if it offers one for the ``run`` it has: a subclass that
    overrides ``run`` but not ``fast_verdict`` gets none (its parent's would judge another run)."""
    offer = getattr(check, "fast_verdict", None)
    if not callable(offer):
        return None
    mro = type(check).__mro__
    runs = next((k for k in mro if "run" in k.__dict__), None)
    offers = next((k for k in mro if "fast_verdict" in k.__dict__), None)
    if runs is None or offers is None or not issubclass(offers, runs):
        return None
    fast: FastVerdict | None = offer()
    return fast


def _unsure(data: Mapping[str, Any], env: Env) -> str | None:
    return None  # the check offers no verdict function: its run decides


class Pending:
    """A record's outcomes that lanes decided: renders one's entry through the general path."""

    __slots__ = ("lanes", "data", "on", "facts", "_scope")

    def __init__(self, lanes: Lanes, data: Mapping[str, Any], on: date | None,
                 facts: lookups.Facts | None) -> None:
        self.lanes = lanes
        self.data = data
        self.on = on
        self.facts = facts
        self._scope: dict[str, Any] | None = None

    def scope(self) -> dict[str, Any]:
        """The record's scope for waivers (made once, when first needed)."""
        if self._scope is None:
            self._scope = subject_scope(self.data, self.lanes.engine.registry)
        return self._scope

    def render(self, o: Outcome) -> dict[str, Any]:
        engine = self.lanes.engine
        env = Env(engine.book, self.data, self.on, engine.lang, engine.conditions, cache=engine.env_cache)
        env.lookups = self.facts
        made = engine._outcomes.outcome(o.lane, self.data, env, self.on, self.scope())
        entry = made if type(made) is dict else dict(made)
        if entry["outcome"] != dict.__getitem__(o, "outcome"):
            raise LaneDisagrees(
                f"rule {o.lane.rule.id}: the verdict lane said {dict.__getitem__(o, 'outcome')}, "
                f"the check says {entry['outcome']} (record {self.data.get('id', '?')})")
        return entry


__all__ = ["Lane", "LaneDisagrees", "Lanes", "Pending"]
