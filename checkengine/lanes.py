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
from checkengine.localtime import Zone, zone_info, zone_of
from checkengine.outcome import Outcome
from checkengine.outcomes import _RuleText, record_date, record_meta, subject_scope
from checkengine.records import Record
from checkengine.scoring import Plan

if TYPE_CHECKING:
    from checkengine import lookups
    from checkengine.engine import Engine

#: a lane's answer when the rule applies and only its check's run can give the verdict
APPLIES = "applies"

#: A lane's decision for one record (data, its Env, its date): the verdict, or None (general path).
Decide = Callable[[Mapping[str, Any], Env, "date | None"], "str | None"]


class LaneDisagrees(RuntimeError):
    """An outcome's rendered entry has another verdict than the lane gave it (a defect of the lane)."""


class Lane:
    """One rule of a record kind, as the lanes run it."""

    __slots__ = ("compiled", "rule_id", "check", "window", "decide", "text", "by_verdict")

    def __init__(self, compiled: CompiledRule, text: _RuleText) -> None:
        self.compiled = compiled
        self.rule_id = compiled.rule.id
        #: the check's verdict once the rule applies (None: the general path decides the rule)
        self.check: FastVerdict | None = None
        #: the only applicability to test: the rule's date window (start, end; None: open), tested
        #: once per record for every rule with that window (None: ``decide`` tests applicability)
        self.window: tuple[date | None, date | None] | None = None
        #: applicability and the check, when the window is not all there is to test
        self.decide: Decide | None = None
        self.text = text
        #: the rule's fixed keys with each verdict, copied into each of its outcomes
        self.by_verdict = {verdict: {**text.fixed, "outcome": verdict} for verdict in OUTCOMES}


#: one lane as the record loop reads it: (check, decide, window's index or -1, the rule's id when an
#: answer on it goes beside the verdict else None, fixed keys by verdict, its texts, the rule)
Row = tuple[FastVerdict | None, Decide | None, int, str | None, dict[str, dict[str, Any]], _RuleText, CompiledRule]


#: a record kind's lanes: (rows, windows, the scorer's plan, ids of rules an answer goes beside)
Kind = tuple[tuple[Row, ...], tuple[tuple["date | None", "date | None"], ...], "Plan | None", frozenset[str]]


class Lanes:
    """The verdict lanes of an engine's record-scope rules, per record kind (made when first asked)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kinds: dict[str, Kind] = {}

    def of(self, kind: str) -> Kind:
        """The kind's rows, the distinct windows they test, the scorer's plan for the kind, and the
        ids of its rules on which an answer of the auditor goes beside the verdict."""
        known = self._kinds.get(kind)
        if known is None:
            engine = self.engine
            rules = engine.record_rules(kind)
            windows: list[tuple[date | None, date | None]] = []
            rows: list[Row] = []
            for compiled in rules:
                lane = self.lane(compiled)
                at = -1
                if lane.window is not None:
                    if lane.window not in windows:
                        windows.append(lane.window)
                    at = windows.index(lane.window)
                rows.append((lane.check, lane.decide, at, None if compiled.reads_answers else lane.rule_id,
                             lane.by_verdict, lane.text, compiled))
            method = engine.book.scoring.get("method", "weighted")
            scorer = engine.registry.scorers.get(method)
            plan = scorer.plan([c.rule for c in rules], engine.book) if scorer is not None else None
            answerable = frozenset(rid for _, _, _, rid, _, _, _ in rows if rid is not None)
            known = self._kinds[kind] = (tuple(rows), tuple(windows), plan, answerable)
        return known

    def lane(self, compiled: CompiledRule) -> Lane:
        lane = Lane(compiled, self.engine._outcomes.text(compiled.rule))
        if compiled.rule.id in self.engine.waivers.by_rule:
            return lane  # a waiver decides the verdict at once: the general path applies it
        fast = verdict_function(compiled.check)
        if fast is None and compiled.always_applies:
            return lane
        check: FastVerdict = fast if fast is not None else _unsure  # the lane may still find it does not apply
        needs = tuple(compiled.rule.needs)
        if needs and fast is not None:
            def check(data: Mapping[str, Any], env: Env) -> str | None:
                if unknown.first_unknown(data, needs) is not None:
                    return "needs_review"  # what the general path says of a fact the rule needs
                return fast(data, env)

        lane.check = check
        if compiled.always_applies:
            lane.window = (None, None)
        elif compiled.window is not None:
            lane.window = compiled.window
        nulls = tuple(unknown.read_paths(compiled.when)) if compiled.when is not None else ()

        def decide(data: Mapping[str, Any], env: Env, on: date | None) -> str | None:
            reason = not_applicable(compiled, data, env, on)  # raises where unsure: the general path
            if reason is None:
                return check(data, env) or APPLIES
            if reason is CONDITION_FALSE and any(get_path(data, p) is None for p in nulls):
                return None  # a null the condition read may be why: the general path says which
            return "not_applicable"

        lane.decide = decide
        when = compiled.when
        bounds = compiled.rule.window()
        if when is not None and bounds is not None and compiled.roles is None and compiled.teams is None \
                and compiled.sites is None and compiled.shifts is None:
            start, end = bounds

            def decide_when(data: Mapping[str, Any], env: Env, on: date | None) -> str | None:
                """decide, for a rule whose applicability is its dates and its condition (the common
                case): not_applicable's steps written out."""
                if type(on) is not date:
                    return decide(data, env, on)
                if (start is not None and on < start) or (end is not None and on > end):
                    return "not_applicable"
                if env.evaluate(when) is True:  # an error raises: the general path reports it
                    return check(data, env) or APPLIES
                if nulls and any(get_path(data, p) is None for p in nulls):
                    return None
                return "not_applicable"

            lane.decide = decide_when
        return lane

    def evaluate(self, record: Record) -> dict[str, Any]:
        """The record's result entry: its outcomes (unrendered) and its score."""
        engine = self.engine
        data = record.data
        zone = _zone(data)  # once, for its date and its Env
        on = engine.on or record_date(data, zone)
        env = Env(engine.book, data, on, engine.lang, engine.conditions, cache=engine.env_cache, zone=zone)
        facts = env.lookups = engine._facts()
        env.eager = False
        engine._last_env = (data, env)
        rows, windows, plan, answerable = self.of(data["kind"])
        # Each window tested once for all of its rules (None: no date to test it on; decide does).
        inside = [(w[0] is None or on >= w[0]) and (w[1] is None or on <= w[1]) for w in windows] \
            if type(on) is date else None
        pending = Pending(self, data, on, facts)
        answers = data.get("answers")
        # the rules answered by the auditor beside a verdict from data: the general path sets the
        # answer beside the verdict (the rows' ids are those of rules whose check reads no answers)
        answered = (answers.keys() & answerable if type(answers) is dict else
                    {rid for rid in answerable if rid in answers}) if answers else ()
        general = engine._outcomes.outcome
        judge = engine._outcomes.judge
        outcomes: list[Any] = []
        verdicts: list[str] = []
        add_outcome = outcomes.append
        add_verdict = verdicts.append
        for check, decide, at, rid, by_verdict, text, compiled in rows:
            if check is None or (answered and rid in answered):
                verdict = None
            else:
                try:
                    if at >= 0 and inside is not None:
                        if inside[at]:
                            verdict = check(data, env)
                            if verdict is None:
                                verdict = APPLIES
                        else:
                            verdict = "not_applicable"
                    else:
                        if env.used:
                            env.used = {}  # what applicability reads goes into the outcome (judge keeps it)
                        verdict = decide(data, env, on)  # type: ignore[misc]  # set with check
                except Exception:  # unsure: the general path decides, and reports what went wrong
                    verdict = None
            if verdict is None or verdict is APPLIES:
                # the general path, from the start, or from the check when the rule is known to apply
                if verdict is None:
                    o = general(compiled, data, env, on, pending.scope())
                else:
                    if at >= 0 and env.used:
                        env.used = {}  # (its check runs again and reads its parameters again)
                    o = judge(compiled, data, env, on, pending.scope())
                env.used = {}  # the outcome keeps its parameters: a later lane must not add to them
                verdict = o["outcome"]
            else:
                o = Outcome(by_verdict[verdict])
                o.text = text
                o.maker = pending
                o.lane = compiled
                o.done = False
            add_outcome(o)
            add_verdict(verdict)
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
    return APPLIES  # the check offers no verdict function: its run decides


def _zone(data: Mapping[str, Any]) -> Zone:
    """:func:`~checkengine.localtime.zone_of` the record, a plain dict's site read directly."""
    site = data.get("site") if type(data) is dict else None
    if type(site) is dict:
        name = site.get("timezone")
        return Zone(zone_info(name) if isinstance(name, str) and name else None)
    return zone_of(data)


class Pending:
    """A record's outcomes that lanes decided: renders one's entry through the general path."""

    __slots__ = ("lanes", "data", "on", "facts", "_scope", "_env")

    def __init__(self, lanes: Lanes, data: Mapping[str, Any], on: date | None,
                 facts: lookups.Facts | None) -> None:
        self.lanes = lanes
        self.data = data
        self.on = on
        self.facts = facts
        self._scope: dict[str, Any] | None = None
        self._env: Env | None = None

    def scope(self) -> dict[str, Any]:
        """The record's scope for waivers (made once, when first needed; only waivers read it)."""
        if self._scope is None:
            engine = self.lanes.engine
            self._scope = subject_scope(self.data, engine.registry) if engine.waivers.by_rule else {}
        return self._scope

    def render(self, o: Outcome) -> dict[str, Any]:
        engine = self.lanes.engine
        env = self._env
        if env is None:  # one for the record's entries (a reader that renders one often renders all)
            env = self._env = Env(engine.book, self.data, self.on, engine.lang, engine.conditions,
                                  cache=engine.env_cache)
            env.lookups = self.facts
        made = engine._outcomes.outcome(o.lane, self.data, env, self.on, self.scope())
        entry = made if type(made) is dict else dict(made)
        if entry["outcome"] != dict.__getitem__(o, "outcome"):
            raise LaneDisagrees(
                f"rule {o.lane.rule.id}: the verdict lane said {dict.__getitem__(o, 'outcome')}, "
                f"the check says {entry['outcome']} (record {self.data.get('id', '?')})")
        return entry


__all__ = ["Lane", "LaneDisagrees", "Lanes", "Pending"]
