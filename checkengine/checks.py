"""The check-type API that built-in and third-party check types implement.

A check type is registered by a plugin (``checkengine_register_check_types``). For each rule that
names it, the engine calls :meth:`CheckType.compile` once per rulebook; the compiled check then
runs once per record (``scope = "record"``) or once per group of records (``scope = "group"``,
for aggregates such as "at most 2 swaps per person per month").

Thresholds are never literals in a rule: a check's option may be ``{param: NAME}``, resolved as of
the record's date with :meth:`Env.value`, which also records the parameter for the explanation.

This module is that API, and where plugins import it from: the check types' base classes, the
:class:`Compiler` and :class:`Env` they are handed, :class:`Result`, the errors, and the readers of
record values (the base classes defined in :mod:`checkengine.check_bases`, the readers in
:mod:`checkengine.fields`). How an Env sizes its CEL context is in
:mod:`checkengine.cel_context`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Literal

from checkengine import lookups as _lookups
from checkengine.check_bases import CheckType, CompiledCheck, GroupCheck
from checkengine.cel_context import WHOLE, EnvCache, Refs, covered, references, sized_context
from checkengine.fields import MISSING, get_path, parse_date, parse_datetime
from checkengine.localtime import CURRENT, ZoneNeeded, zone_of
from checkengine.plain_values import plain_record
from checkengine.result import Result, rendered

if TYPE_CHECKING:
    from checkengine.conditions import Condition, Conditions
    from checkengine.localtime import Zone
    from checkengine.rulebook.model import ParamValue, Rule, Rulebook

Outcome = Literal["pass", "fail", "not_applicable", "waived", "needs_review", "error"]
#: A check's verdict-only function (:meth:`CompiledCheck.fast_verdict`): the outcome, or None (unsure).
FastVerdict = Callable[[Mapping[str, Any], "Env"], "str | None"]
OUTCOMES: tuple[str, ...] = ("pass", "fail", "not_applicable", "waived", "needs_review", "error")


class CheckSpecError(Exception):
    """A rule's ``check`` options are wrong; *subpath* points inside the ``check`` mapping."""

    def __init__(self, message: str, subpath: tuple[str | int, ...] = (), code: str = "CE203") -> None:
        super().__init__(message)
        self.subpath = subpath
        self.code = code


class CheckFailure(Exception):
    """Raised by a check while running: the rule's outcome becomes ``error`` with this reason."""


_PLAIN = frozenset({bool, int, float, str, list, tuple, type(None)})


def is_param_ref(value: Any) -> bool:
    if type(value) is dict:
        return len(value) == 1 and isinstance(value.get("param"), str)
    return isinstance(value, Mapping) and set(value) == {"param"} and isinstance(value["param"], str)


@dataclass
class Compiler:
    """What a check type may use while compiling a rule's ``check`` options."""

    book: "Rulebook"
    rule: "Rule"
    conditions: "Conditions"
    #: the conditions compiled for this rule (the engine sizes its CEL contexts from them)
    compiled: list["Condition"] = field(default_factory=list)

    def param(self, value: Any, subpath: tuple[str | int, ...], *, number: bool = False) -> Any:
        """Check a ``{param: NAME}`` reference (or a literal) and return it unchanged.

        With *number*, every dated value of the parameter must be a finite number: a threshold of
        ``fifteen`` is a mistake in the rulebook, found when it is compiled (and by lint).
        """
        if is_param_ref(value):
            name = value["param"]
            if number and name in self.book.parameters:
                for since, entry in sorted(self.book.parameters[name].values.items()):
                    got = entry.get("value") if isinstance(entry, Mapping) else entry
                    if isinstance(got, bool) or not isinstance(got, (int, float)) or got != got \
                            or got in (float("inf"), float("-inf")):
                        raise CheckSpecError(
                            f"the parameter '{name}' has the value {got!r} since {since}, but "
                            f"{subpath[-1]} needs a number: give the parameter a number (e.g. value: 15)",
                            subpath + ("param",), code="CE202",
                        )
            if name not in self.book.parameters:
                import difflib

                close = difflib.get_close_matches(name, list(self.book.parameters), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise CheckSpecError(
                    f"unknown parameter '{name}'{hint}; declare it under parameters",
                    subpath + ("param",),
                    code="CE202",
                )
        return value

    def condition(self, text: str, subpath: tuple[str | int, ...]) -> "Condition":
        from checkengine.conditions import ConditionError

        try:
            condition = self.conditions.compile(text)
        except ConditionError as exc:
            raise CheckSpecError(str(exc), subpath, code="CE208") from None
        self.compiled.append(condition)
        return condition



_NO_REFS: Refs = (frozenset(), frozenset())
_new = object.__new__


class Env:
    """What a check sees while it evaluates one record (or one group)."""

    __slots__ = ("record", "on", "book", "lang", "used", "_conditions", "_cel_context", "group", "_cache",
                 "_context_refs", "_context_on", "_results", "zone", "lookups", "_fast_on", "scope", "eager",
                 "current")

    def __init__(
        self,
        book: "Rulebook",
        record: Mapping[str, Any] | None,
        on: date | None,
        lang: str,
        conditions: "Conditions",
        group: Mapping[str, Any] | None = None,
        *,
        cache: EnvCache | None = None,
        zone: "Zone | None" = None,
    ) -> None:
        self.book = book
        self.record = record
        self.on = on
        self.lang = lang
        self.used: dict[str, "ParamValue"] = {}
        self._conditions = conditions
        self._cel_context: Any = None
        self._context_refs: Refs = _NO_REFS
        self._context_on = on
        # id(condition) -> (True, its value) or (False, the error it raised): conditions are pure,
        # and rules often share one (every rule of a section "when on duty").
        self._results: dict[int, tuple[bool, Any]] = {}
        self.group = group
        # The site's zone for calendar questions (None for a group: its values are dates already).
        self.zone: "Zone | None" = (zone if zone is not None else zone_of(record)) if record is not None else None
        #: facts from other records of the run (checkengine.lookups); the engine sets them
        self.lookups: "_lookups.Facts | None" = None
        # Without an engine's cache, the whole record and every parameter go into the context.
        self._cache = cache if cache is not None else WHOLE
        # (date, whether the values a CEL context would hold on that date are ones CEL holds as
        # they are, so that closures may run: checkengine.cel_closures), None: not looked at yet.
        self._fast_on: tuple[date | None, bool] | None = None
        #: the loop variables of the CEL macro a translated condition is running (cel_macros)
        self.scope: dict[str, Any] | None = None
        #: outcomes made for this record are rendered at once (False: lazy, checkengine.outcome)
        self.eager = True
        #: the record's zone and facts are the current ones already (set by a verdict lanes' pass)
        self.current = False

    @classmethod
    def lazy(cls, book: "Rulebook", record: Mapping[str, Any], on: date | None, lang: str, conditions: "Conditions",
             cache: EnvCache, zone: "Zone", lookups: "_lookups.Facts | None") -> "Env":
        """What ``Env(book, record, on, lang, conditions, cache=cache, zone=zone)`` makes, with its
        *lookups* and ``eager`` False, each slot set directly (the verdict lanes make one per record:
        no ``__init__`` call, no defaults to resolve)."""
        env = _new(cls)
        env.book = book
        env.record = record
        env.on = on
        env.lang = lang
        env.used = {}
        env._conditions = conditions
        env._cel_context = None
        env._context_refs = _NO_REFS
        env._context_on = on
        env._results = {}
        env.group = None
        env.zone = zone
        env.lookups = lookups
        env._cache = cache
        env._fast_on = None
        env.scope = None
        env.eager = False
        env.current = False
        return env

    def _value_of(self, name: str) -> "ParamValue | None":
        key = (name, self.on)
        values = self._cache.values
        if key not in values:
            values[key] = self.book.parameters[name].at(self.on)
        return values[key]

    def param(self, name: str) -> Any:
        pv = self._value_of(name)
        if pv is None:
            raise CheckFailure(
                f"parameter '{name}' has no value on {self.on.isoformat() if self.on else 'that date'}"
            )
        self.used[name] = pv
        return pv.value

    def value(self, spec: Any) -> Any:
        """Resolve a check option: ``{param: NAME}`` to its value on the record's date, else as is."""
        kind = type(spec)
        if kind is dict:
            name = spec.get("param") if len(spec) == 1 else None
            if type(name) is str:  # param(), its value read inline where the cache has it
                values = self._cache.values
                key = (name, self.on)
                pv = values[key] if key in values else None
                if pv is not None:
                    self.used[name] = pv
                    return pv.value
            return self.param(name) if isinstance(name, str) else spec
        if kind in _PLAIN or not is_param_ref(spec):
            return spec
        return self.param(spec["param"])

    def get(self, path: str) -> Any:
        return get_path(self.record, path)

    def params_table(self, names: frozenset[str] | None = None) -> dict[str, Any]:
        """Parameter values on the record's date, for conditions (``params.NAME``); all, or *names*."""
        key = (self.on, names)
        table = self._cache.tables.get(key)
        if table is None:
            table = {}
            for name in self.book.parameters if names is None else sorted(names):
                pv = self._value_of(name) if name in self.book.parameters else None
                if pv is not None:
                    table[name] = pv.value
            self._cache.tables[key] = table
        return dict(table)

    def _context(self, condition: "Condition") -> Any:
        return sized_context(self, condition)  # the record's CEL context, built once (cel_context)

    def _closures_may_run(self, condition: "Condition") -> bool:
        """Whether *condition*'s closures give CEL's answer here: the values its CEL context would
        hold are ones CEL holds as they are (a value it cannot convert fails every condition), and
        the condition reads nothing beyond what the rulebook's conditions read."""
        if not self.closures_ready():
            return False
        within = self._cache.within.get(condition.source)
        if within is None:
            paths, names = self._cache.refs
            need_paths, need_names = references(condition.source)
            within = self._cache.within[condition.source] = covered(paths, need_paths) and (
                names is None or (need_names is not None and need_names <= names))
        return within

    def closures_ready(self) -> bool:
        """Whether the values the record's CEL context would hold on its date are ones CEL holds as
        they are (checked once per record and date), so that translated conditions may run."""
        state = self._fast_on
        if state is None or state[0] != self.on:
            state = self._fast_on = (self.on, plain_record(self, self._cache.refs))
        return state[1]

    def _run(self, condition: "Condition") -> Any:
        fast = condition.fast
        if fast is not None and self._closures_may_run(condition):
            try:
                return fast(self)
            except Exception:  # Fallback: the closures cannot be sure of CEL's answer; CEL gives it
                pass
        return condition.run(self._context(condition))

    def evaluate(self, condition: "Condition") -> Any:
        """Evaluate a compiled condition against this record (the CEL context is built once)."""
        state = self._fast_on  # closures_ready's answer, read inline once known for the record's date
        if self.current and condition.fast is not None and not condition.params \
                and self._cache.within.get(condition.source) and (
                    state[1] if state is not None and state[0] == self.on else self.closures_ready()):
            try:  # a verdict lane's pass: zone and facts current, the record's values plain; closures are pure
                return condition.fast(self)
            except Exception:  # Fallback: the full path below, and CEL, give the answer
                pass
        if condition.params:
            for name in condition.params:
                if name in self.book.parameters:
                    pv = self._value_of(name)
                    if pv is not None:
                        self.used[name] = pv
        key = id(condition)
        known = self._results.get(key) if self._context_on == self.on else None
        if known is None:
            zone = self.zone
            if zone is not None:
                zone.missing = False
            facts = self.lookups
            if facts is not None:
                facts.missing = None
            token, facts_token = CURRENT.set(zone), _lookups.CURRENT.set(facts)
            try:
                fast = condition.fast
                state = self._fast_on
                if fast is not None and state is not None and state[1] and state[0] == self.on \
                        and self._cache.within.get(condition.source):
                    # _run's first step, inline (the record's values already found plain on this date)
                    try:
                        known = (True, fast(self))
                    except Exception:  # Fallback: CEL gives the answer
                        known = (True, condition.run(self._context(condition)))
                else:
                    known = (True, self._run(condition))
            except Exception as exc:
                if facts is not None and facts.missing is not None:
                    exc = _lookups.FactsUnavailable(facts.missing)
                elif self.zone is not None and self.zone.missing and not isinstance(exc, ZoneNeeded):
                    exc = ZoneNeeded(f"a date-time read by `{condition.source}`")
                known = (False, exc)
            finally:
                _lookups.CURRENT.reset(facts_token)
                CURRENT.reset(token)
            self._results[key] = known
        if not known[0]:
            raise known[1]
        return known[1]


def param_schema(inner: dict[str, Any]) -> dict[str, Any]:
    """Options that take a literal of schema *inner* or a ``{param: NAME}`` reference."""
    return {
        "anyOf": [
            inner,
            {
                "type": "object",
                "required": ["param"],
                "additionalProperties": False,
                "properties": {"param": {"type": "string"}},
            },
        ]
    }


__all__ = [
    "MISSING", "OUTCOMES", "CheckFailure", "FastVerdict", "CheckSpecError", "CheckType", "CompiledCheck", "Compiler", "Env",
    "GroupCheck", "Outcome", "Result", "get_path", "rendered", "is_param_ref", "param_schema", "parse_date", "parse_datetime",
]
