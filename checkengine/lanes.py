"""Verdict lanes: a record's verdicts and score without making its outcomes' results.

``Engine.evaluate_record(record, lazy=True)`` (what a count, a summary or the pipeline's sinks
ask for) runs here. For each record kind the engine keeps the kind's rules as *lanes*, made once
(:mod:`checkengine.lane_rows`): a lane decides its rule's verdict from the record alone where it
can be sure, with what the rule's check type offers for that
(:meth:`~checkengine.checks.CompiledCheck.fast_verdict`), and otherwise (no such function, or it
answers None, or anything raises) hands the rule to the general path,
:meth:`checkengine.outcomes.Outcomes.outcome`, which decides it from the start as it always has.
A rule takes the general path whole when the run has a waiver for it (the waiver decides the
verdict at once), and on a record whose auditor also answered it (the answer is set beside the
verdict); so does every applicability question a lane is unsure of (a null in the audience, a
condition that fails).

A record's lanes run in one pass: when the record's date lies inside every date window the kind's
rules test (the common case), its verdicts come from one call per lane decided alone and one per
batch of rules a check type decides together (``fast_batch``: the manual items, the fields
compared with a literal), with the record's zone and facts made current once for every condition
they run; then the rules a lane left undecided take the general path, one by one, and the
outcomes are made at once.

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

from collections.abc import Mapping, Sequence
from operator import getitem
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from checkengine import lookups as _lookups
from checkengine.checks import Env
from checkengine.lane_rows import KindLanes, kind_lanes
from checkengine.localtime import CURRENT, Zone, zone_info, zone_of
from checkengine.outcome import Outcome
from checkengine.outcomes import record_date, record_meta, subject_scope
from checkengine.records import Record

if TYPE_CHECKING:
    from checkengine import lookups
    from checkengine.compiled import CompiledRule
    from checkengine.engine import Engine


class LaneDisagrees(RuntimeError):
    """An outcome's rendered entry has another verdict than the lane gave it (a defect of the lane)."""


class Lanes:
    """The verdict lanes of an engine's record-scope rules, per record kind (made when first asked)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kinds: dict[str, KindLanes] = {}

    def of(self, kind: str) -> KindLanes:
        """The lanes of the rules that take records of *kind* (made once)."""
        known = self._kinds.get(kind)
        if known is None:
            known = self._kinds[kind] = kind_lanes(self.engine, kind)
        return known

    def evaluate(self, record: Record) -> dict[str, Any]:
        """The record's result entry: its outcomes (unrendered) and its score."""
        engine = self.engine
        data = record.data
        site = data.get("site") if type(data) is dict else None  # _zone, written out
        if type(site) is dict:
            name = site.get("timezone")
            zone = _new_zone(Zone)
            zone.info = zone_info(name) if isinstance(name, str) and name else None
            zone.missing = False
        else:
            zone = zone_of(data)
        on = engine.on
        if on is None:  # record_date, written out for a timestamp that is text (the common case)
            ts = data.get("timestamp")
            if type(ts) is str:
                try:
                    moment: datetime | None = datetime.fromisoformat(ts)
                except ValueError:
                    moment = None
                on = None if moment is None else moment.astimezone(zone.info).date() \
                    if zone.info is not None and moment.tzinfo is not None else moment.date()
            else:
                on = record_date(data, zone)
        facts = engine._facts() if engine.lookups else None
        env = Env.lazy(engine.book, data, on, engine.lang, engine.conditions, engine.env_cache, zone, facts)
        engine._last_env = (data, env)
        lanes = self._kinds.get(data["kind"]) or self.of(data["kind"])
        tokens = None
        if lanes.conditions:  # the record's zone and facts, current once for every condition the lanes run
            tokens = CURRENT.set(zone), _lookups.CURRENT.set(facts) \
                if facts is not None or _lookups.CURRENT.get() is not None else None
            env.current = True
        try:
            span = lanes.span
            if span is not None and type(on) is date and (span[0] is None or on >= span[0]) \
                    and (span[1] is None or on <= span[1]):
                try:  # inside every window the lanes test: every lane's function, in one pass
                    verdicts: Sequence[str | None] = lanes.verdicts(data, env)
                except Exception:  # one lane raised: each again on its own, that one unsure
                    verdicts = lanes.each(data, env, None, everywhere=True)
            else:
                verdicts = lanes.each(data, env, lanes.inside(on))
        finally:
            if tokens is not None:
                env.current = False
                if tokens[1] is not None:
                    _lookups.CURRENT.reset(tokens[1])
                CURRENT.reset(tokens[0])
        answers = data.get("answers")
        if answers and lanes.answerable and not lanes.answer_ids.isdisjoint(
                answers if type(answers) is dict else [r for r in lanes.answer_ids if r in answers]):
            # the rules answered by the auditor beside a verdict from data: the general path sets the
            # answer beside the verdict (the rules whose check reads no answers)
            verdicts = list(verdicts)
            for rid, k in lanes.answerable.items():
                if rid in answers:
                    verdicts[k] = None
        pending = _new(Pending)  # Pending(self, data, on, facts), without the call of __init__
        pending.lanes, pending.data, pending.on, pending.facts, pending._scope, pending._env = \
            self, data, on, facts, None, None
        outcomes: list[Any] = []
        add = outcomes.append
        if None in verdicts:  # the general path, from the start, for each rule no lane decided
            verdicts = list(verdicts)
            general = engine._outcomes.outcome
            for k, (by_verdict, compiled) in enumerate(lanes.rows):
                got = verdicts[k]
                if got is None:
                    o = general(compiled, data, env, on, pending.scope())
                    env.used = {}  # the outcome keeps its parameters: a later rule must not add to them
                    verdicts[k] = o["outcome"]
                else:
                    o = Outcome(by_verdict[got])
                    o.maker = pending
                add(o)
        else:  # every outcome made at once, then each given its record
            outcomes = list(map(Outcome, map(getitem, lanes.by_verdict, verdicts)))  # type: ignore[arg-type]
            for o in outcomes:
                o.maker = pending
        plan = lanes.plan
        if type(site) is dict:  # record_meta, written out
            meta = {"id": data["id"], "kind": data["kind"], "site": site.get("id"), "subject": data.get("subject"),
                    "inspector": data.get("inspector"), "timestamp": data.get("timestamp"),
                    "file": record.location.file, "line": record.location.line}
        else:
            meta = record_meta(record)
        entry: dict[str, Any] = {"record": meta, "outcomes": outcomes}
        entry["score"] = plan(verdicts) if plan is not None else engine.score(outcomes)  # type: ignore[arg-type]
        return entry


_new_zone = _new = object.__new__  # a Zone (Pending) without its __init__ (a Python call per record)


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

    def rule_of(self, o: Outcome) -> CompiledRule:
        """The rule of *o* (every outcome this renders is one a lane decided)."""
        return self.lanes.engine._by_id[dict.__getitem__(o, "rule")]

    def template_of(self, o: Outcome) -> Mapping[str, Any]:
        """The entry template of *o*'s rule (the same texts the lane's row holds)."""
        engine = self.lanes.engine
        return engine._outcomes.text(self.rule_of(o).rule).template

    def render(self, o: Outcome) -> dict[str, Any]:
        engine = self.lanes.engine
        env = self._env
        if env is None:  # one for the record's entries (a reader that renders one often renders all)
            env = self._env = Env(engine.book, self.data, self.on, engine.lang, engine.conditions,
                                  cache=engine.env_cache)
            env.lookups = self.facts
        rule = self.rule_of(o)
        made = engine._outcomes.outcome(rule, self.data, env, self.on, self.scope())
        entry = made if type(made) is dict else dict(made)
        if entry["outcome"] != dict.__getitem__(o, "outcome"):
            raise LaneDisagrees(
                f"rule {rule.rule.id}: the verdict lane said {dict.__getitem__(o, 'outcome')}, "
                f"the check says {entry['outcome']} (record {self.data.get('id', '?')})")
        return entry


__all__ = ["LaneDisagrees", "Lanes", "Pending"]
