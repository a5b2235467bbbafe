"""The verdict lanes of one record kind, made once per engine and kind (:mod:`checkengine.lanes` runs them).

Each rule of the kind becomes one function of the record's data and its :class:`~checkengine.checks.Env`
that gives the rule's verdict, or None where only the general path can tell
(:meth:`checkengine.outcomes.Outcomes.outcome`):

- a rule whose only applicability is a date window (or none) is its check's verdict function
  (:meth:`~checkengine.checks.CompiledCheck.fast_verdict`), called only on records whose date lies
  inside the window: :class:`KindLanes` keeps the span inside every such window of the kind, and
  tests a record's date against it once;
- a rule with an audience or a ``when`` condition tests them first (``not_applicable``'s steps;
  written out for a rule whose applicability is its dates and its condition, the condition run
  through its Python closures where it has them, :mod:`checkengine.cel_closures`), then the
  verdict function;
- a rule the run has a waiver for, or whose check offers no verdict function and always applies,
  is left to the general path (a function that answers None).

Whatever raises is unsure too: the general path decides, and reports what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable

from checkengine import unknown
from checkengine.applicability import CONDITION_FALSE, not_applicable
from checkengine.cel_context import covered, references
from checkengine.checks import OUTCOMES, Env, FastVerdict
from checkengine.compiled import CompiledRule
from checkengine.fields import get_path
from checkengine.scoring import Plan

if TYPE_CHECKING:
    from checkengine.conditions import Condition
    from checkengine.engine import Engine

#: a lane: the rule's verdict for a record (data, its Env), or None (the general path decides)
LaneFn = Callable[[Mapping[str, Any], Env], "str | None"]
#: several rules' verdicts for a record, in the order of the specs the batch was made for
BatchFn = Callable[[Mapping[str, Any], Env], "list[str | None]"]
#: a check type's batch maker (``fast_batch``): the specs of several rules -> their BatchFn
BatchMaker = Callable[[list[Any]], BatchFn]

Window = tuple["date | None", "date | None"]


class KindLanes:
    """A record kind's lanes, in its rules' order, and what the record loop needs beside them."""

    __slots__ = ("fns", "slow", "at", "windows", "span", "rows", "plan", "answerable", "answer_ids",
                 "conditions", "single", "batches", "gather", "by_verdict")

    def __init__(self) -> None:
        #: each rule's lane, for a record inside every window (a window rule: its check alone)
        self.fns: tuple[LaneFn, ...] = ()
        #: each rule's lane with its applicability tested in full (for a record outside a window)
        self.slow: tuple[LaneFn, ...] = ()
        #: each rule's window, as an index into ``windows`` (-1: its lane tests its own)
        self.at: tuple[int, ...] = ()
        self.windows: tuple[Window, ...] = ()
        #: the dates inside every window (start, end; None: open); None: no date is
        self.span: Window | None = (None, None)
        #: each rule's (fixed keys by verdict, compiled rule), for its outcome, and its fixed keys
        #: by verdict alone (what an outcome a lane decided is made from)
        self.rows: tuple[tuple[dict[str, dict[str, Any]], CompiledRule], ...] = ()
        self.by_verdict: tuple[dict[str, dict[str, Any]], ...] = ()
        self.plan: Plan | None = None
        #: rule id -> its index, for the rules on which an auditor's answer goes beside the verdict
        self.answerable: dict[str, int] = {}
        self.answer_ids: frozenset[str] = frozenset()
        #: whether any lane runs a condition (the record's zone and facts are then made current)
        self.conditions = False
        #: inside every window, the lanes decided one by one and the batches that decide the others
        #: (``fast_batch``), and what puts their verdicts back in the rules' order (None: no batches)
        self.single: tuple[LaneFn, ...] = ()
        self.batches: tuple[BatchFn, ...] = ()
        self.gather: Callable[[list[str | None]], Any] | None = None

    def verdicts(self, data: Mapping[str, Any], env: Env) -> Sequence[str | None]:
        """Every lane's verdict for a record inside every window, in one pass (raises where a lane
        raises); a tuple where batches decided some (the caller copies it to change it)."""
        if self.gather is None:
            return [f(data, env) for f in self.fns]
        flat: list[str | None] = []
        add = flat.append
        for f in self.single:
            add(f(data, env))
        for batch in self.batches:
            flat += batch(data, env)
        if len(flat) != len(self.fns):
            raise ValueError("a batch gave another number of verdicts than it has rules")
        got: Sequence[str | None] = self.gather(flat)
        return got

    def inside(self, on: date | None) -> list[bool] | None:
        """Whether *on* lies inside each window (None: *on* is no date to test them on)."""
        if type(on) is not date:
            return None
        return [(w[0] is None or on >= w[0]) and (w[1] is None or on <= w[1]) for w in self.windows]

    def each(self, data: Mapping[str, Any], env: Env, inside: list[bool] | None, *,
             everywhere: bool = False) -> list[str | None]:
        """Every lane's verdict, one at a time (None where it raises). *everywhere*: the record is
        inside every window; else *inside* is :meth:`inside`'s answer."""
        verdicts: list[str | None] = []
        for fn, slow, at in zip(self.fns, self.slow, self.at):
            try:
                if everywhere or at < 0:
                    verdict = (fn if everywhere else slow)(data, env)
                elif inside is None:
                    verdict = slow(data, env)
                else:
                    verdict = fn(data, env) if inside[at] else "not_applicable"
            except Exception:  # unsure: the general path decides, and reports what went wrong
                verdict = None
            verdicts.append(verdict)
        return verdicts


def kind_lanes(engine: Engine, kind: str) -> KindLanes:
    """The lanes of *engine*'s record-scope rules that take records of *kind*."""
    rules = engine.record_rules(kind)
    lanes = KindLanes()
    windows: list[Window] = []
    fns: list[LaneFn] = []
    slow: list[LaneFn] = []
    ats: list[int] = []
    rows = []
    answerable: dict[str, int] = {}
    batched: dict[BatchMaker, list[tuple[int, Any]]] = {}
    for k, compiled in enumerate(rules):
        fast, full, window, runs_condition = _lane(engine, compiled)
        # a rule whose lane is its check's verdict function alone may be decided in its check type's batch
        batch = _batch(compiled.check) if window is not None and not compiled.rule.needs and fast is not _general \
            and compiled.rule.id not in engine.waivers.by_rule else None
        if batch is not None:
            batched.setdefault(batch[0], []).append((k, batch[1]))
        at = -1
        if window is not None:
            if window not in windows:
                windows.append(window)
            at = windows.index(window)
        fns.append(fast)
        slow.append(full)
        ats.append(at)
        lanes.conditions = lanes.conditions or runs_condition
        fixed = engine._outcomes.text(compiled.rule).fixed
        rows.append(({verdict: {**fixed, "outcome": verdict} for verdict in OUTCOMES}, compiled))
        if not compiled.reads_answers:
            answerable[compiled.rule.id] = k
    lanes.fns, lanes.slow, lanes.at, lanes.windows, lanes.rows = tuple(fns), tuple(slow), tuple(ats), tuple(windows), \
        tuple(rows)
    starts = [w[0] for w in windows if w[0] is not None]
    ends = [w[1] for w in windows if w[1] is not None]
    span: Window = (max(starts) if starts else None, min(ends) if ends else None)
    lanes.span = None if span[0] is not None and span[1] is not None and span[0] > span[1] else span
    lanes.by_verdict = tuple(row[0] for row in rows)
    lanes.answerable = answerable
    lanes.answer_ids = frozenset(answerable)
    groups = [(maker, members) for maker, members in batched.items() if len(members) > 1]
    if groups and len(rules) > 1:
        alone = sorted(set(range(len(rules))) - {k for _, members in groups for k, _ in members})
        order = alone + [k for _, members in groups for k, _ in members]  # the verdicts' order in one pass
        where = {k: at for at, k in enumerate(order)}
        lanes.single = tuple(fns[k] for k in alone)
        lanes.batches = tuple(maker([spec for _, spec in members]) for maker, members in groups)
        lanes.gather = itemgetter(*(where[k] for k in range(len(rules))))
    method = engine.book.scoring.get("method", "weighted")
    scorer = engine.registry.scorers.get(method)
    lanes.plan = scorer.plan([c.rule for c in rules], engine.book) if scorer is not None else None
    return lanes


def _batch(check: object) -> tuple[BatchMaker, Any] | None:
    """*check*'s ``fast_batch``, when it offers one for the ``run`` it has (as :func:`verdict_function`)."""
    if not _offered(check, "fast_batch"):
        return None
    got: tuple[BatchMaker, Any] | None = check.fast_batch()  # type: ignore[attr-defined]
    return got


def _offered(check: object, name: str) -> bool:
    """Whether *check* has a method *name* defined where its ``run`` is, or below (a subclass that
    overrides ``run`` but not *name* gets none: its parent's would judge another run)."""
    if not callable(getattr(check, name, None)):
        return False
    mro = type(check).__mro__
    runs = next((k for k in mro if "run" in k.__dict__), None)
    offers = next((k for k in mro if name in k.__dict__), None)
    return runs is not None and offers is not None and issubclass(offers, runs)


def _general(data: Mapping[str, Any], env: Env) -> str | None:
    return None  # no lane: the general path decides


def _lane(engine: Engine, compiled: CompiledRule) -> tuple[LaneFn, LaneFn, Window | None, bool]:
    """The rule's lane inside every window, its lane with applicability in full, the window the
    first assumes (None: it tests its own), and whether either may run a condition."""
    if compiled.rule.id in engine.waivers.by_rule:
        return _general, _general, None, False  # a waiver decides the verdict at once: the general path applies it
    fast = verdict_function(compiled.check)
    if fast is None and compiled.always_applies:
        return _general, _general, None, False
    check: LaneFn = fast if fast is not None else _general  # the lane may still find it does not apply
    needs = tuple(compiled.rule.needs)
    if needs and fast is not None:
        def check(data: Mapping[str, Any], env: Env) -> str | None:
            if unknown.first_unknown(data, needs) is not None:
                return "needs_review"  # what the general path says of a fact the rule needs
            return fast(data, env)

    runs_condition = bool(compiled.conditions)
    nulls = tuple(unknown.read_paths(compiled.when)) if compiled.when is not None else ()

    def decide(data: Mapping[str, Any], env: Env) -> str | None:
        reason = not_applicable(compiled, data, env, env.on)  # raises where unsure: the general path
        if reason is None:
            return check(data, env)
        if reason is CONDITION_FALSE and any(get_path(data, p) is None for p in nulls):
            return None  # a null the condition read may be why: the general path says which
        return "not_applicable"

    if compiled.always_applies:
        return check, decide, (None, None), runs_condition
    if compiled.window is not None:
        return check, decide, compiled.window, runs_condition
    when = compiled.when
    bounds = compiled.rule.window()
    shifts = compiled.shifts
    if bounds is None or compiled.roles is not None or compiled.teams is not None or compiled.sites is not None:
        return decide, decide, None, runs_condition
    start, end = bounds
    holds = _holds(engine, when) if when is not None else None
    fast_when = _fast_when(engine, when) if when is not None else None
    general_when: Callable[[Env], Any] = (lambda env: env.evaluate(when)) if when is not None else (lambda env: True)

    def decide_when(data: Mapping[str, Any], env: Env) -> str | None:
        """decide, for a rule whose applicability is its dates, its shifts and its condition (the
        common case): not_applicable's steps written out."""
        on = env.on
        if type(on) is not date:
            return decide(data, env)
        if (start is not None and on < start) or (end is not None and on > end):
            return "not_applicable"
        if shifts is not None:
            shift = (data.get("shift") or {}).get("kind") or (data.get("data") or {}).get("shift_kind")
            if shift is None:
                return None  # the record does not say its shift: the general path says so
            if shift not in shifts:
                return "not_applicable"
        if fast_when is not None:  # holds(), written out: the closures once the record is known plain
            state = env._fast_on
            value = fast_when(env) if env.current and (
                state[1] if state is not None and state[0] == on else env.closures_ready()) else general_when(env)
        else:
            value = holds(env) if holds is not None else True
        if value is not True:  # an error raises: the general path reports it
            if nulls and any(get_path(data, p) is None for p in nulls):
                return None
            return "not_applicable"
        return check(data, env)

    return decide_when, decide_when, None, runs_condition


def _fast_when(engine: Engine, when: Condition) -> Callable[[Env], Any] | None:
    """*when*'s closures, where :func:`_holds` would call them directly (None: it never does)."""
    fast = when.fast
    paths, names = engine.env_cache.refs
    need_paths, need_names = references(when.source)
    if fast is None or not covered(paths, need_paths) or not (
            names is None or (need_names is not None and need_names <= names)):
        return None
    return fast


def _holds(engine: Engine, when: Condition) -> Callable[[Env], Any]:
    """The value of the condition *when* on a record: its closures, called directly where they
    give CEL's answer (the record's values plain, checked once per record; the condition reading
    nothing beyond the rulebook's conditions), else ``Env.evaluate``."""
    fast = _fast_when(engine, when)
    if fast is None:
        return lambda env: env.evaluate(when)

    def holds(env: Env) -> Any:
        if env.current:
            state = env._fast_on  # closures_ready's answer, read inline once known for the record's date
            if state is not None and state[0] == env.on:
                if state[1]:
                    return fast(env)  # raises where unsure (Fallback): the general path runs it on CEL
            elif env.closures_ready():
                return fast(env)
        return env.evaluate(when)

    return holds


def verdict_function(check: object) -> FastVerdict | None:
    """*check*'s verdict function, if it offers one for the ``run`` it has: a subclass that
    overrides ``run`` but not ``fast_verdict`` gets none (its parent's would judge another run)."""
    if not _offered(check, "fast_verdict"):
        return None
    got: FastVerdict | None = check.fast_verdict()  # type: ignore[attr-defined]
    return got


__all__ = ["KindLanes", "LaneFn", "kind_lanes", "verdict_function"]
