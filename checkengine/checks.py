"""The check-type API that built-in and third-party check types implement.

A check type is registered by a plugin (``checkengine_register_check_types``). For each rule that
names it, the engine calls :meth:`CheckType.compile` once per rulebook; the compiled check then
runs once per record (``scope = "record"``) or once per group of records (``scope = "group"``,
for aggregates such as "at most 2 swaps per person per month").

Thresholds are never literals in a rule: a check's option may be ``{param: NAME}``, resolved as of
the record's date with :meth:`Env.value`, which also records the parameter for the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Hashable, Iterable, Literal, Mapping

if TYPE_CHECKING:
    from checkengine.conditions import Condition, Conditions
    from checkengine.rulebook.model import ParamValue, Rule, Rulebook

Outcome = Literal["pass", "fail", "not_applicable", "waived", "needs_review", "error"]
OUTCOMES: tuple[str, ...] = ("pass", "fail", "not_applicable", "waived", "needs_review", "error")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted *path* (``observations.badge``, ``data.turns.0.text``), or MISSING."""
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string (or None if it is not one)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


class CheckSpecError(Exception):
    """A rule's ``check`` options are wrong; *subpath* points inside the ``check`` mapping."""

    def __init__(self, message: str, subpath: tuple[str | int, ...] = (), code: str = "CE203") -> None:
        super().__init__(message)
        self.subpath = subpath
        self.code = code


class CheckFailure(Exception):
    """Raised by a check while running: the rule's outcome becomes ``error`` with this reason."""


@dataclass
class Result:
    """What a check found. ``observed`` and ``expected`` go into the explanation and the form."""

    outcome: Outcome
    observed: Any = None
    expected: Any = None
    explanation: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def is_param_ref(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"param"} and isinstance(value["param"], str)


@dataclass
class Compiler:
    """What a check type may use while compiling a rule's ``check`` options."""

    book: "Rulebook"
    rule: "Rule"
    conditions: "Conditions"

    def param(self, value: Any, subpath: tuple[str | int, ...]) -> Any:
        """Check a ``{param: NAME}`` reference (or a literal) and return it unchanged."""
        if is_param_ref(value):
            name = value["param"]
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
            return self.conditions.compile(text)
        except ConditionError as exc:
            raise CheckSpecError(str(exc), subpath, code="CE208") from None


class Env:
    """What a check sees while it evaluates one record (or one group)."""

    __slots__ = ("record", "on", "book", "lang", "used", "_conditions", "_cel_context", "group")

    def __init__(
        self,
        book: "Rulebook",
        record: Mapping[str, Any] | None,
        on: date | None,
        lang: str,
        conditions: "Conditions",
        group: Mapping[str, Any] | None = None,
    ) -> None:
        self.book = book
        self.record = record
        self.on = on
        self.lang = lang
        self.used: dict[str, "ParamValue"] = {}
        self._conditions = conditions
        self._cel_context: Any = None
        self.group = group

    def param(self, name: str) -> Any:
        pv = self.book.parameters[name].at(self.on)
        if pv is None:
            raise CheckFailure(
                f"parameter '{name}' has no value on {self.on.isoformat() if self.on else 'that date'}"
            )
        self.used[name] = pv
        return pv.value

    def value(self, spec: Any) -> Any:
        """Resolve a check option: ``{param: NAME}`` to its value on the record's date, else as is."""
        if is_param_ref(spec):
            return self.param(spec["param"])
        return spec

    def get(self, path: str) -> Any:
        return get_path(self.record, path)

    def params_table(self) -> dict[str, Any]:
        """Every parameter's value on the record's date, for conditions (``params.NAME``)."""
        out = {}
        for name, p in self.book.parameters.items():
            pv = p.at(self.on)
            if pv is not None:
                out[name] = pv.value
        return out

    def evaluate(self, condition: "Condition") -> Any:
        """Evaluate a compiled condition against this record (the CEL context is built once)."""
        if self._cel_context is None:
            self._cel_context = self._conditions.context(self.record, self.params_table(), self.group)
        for name in condition.params:
            if name in self.book.parameters:
                pv = self.book.parameters[name].at(self.on)
                if pv is not None:
                    self.used[name] = pv
        return condition.run(self._cel_context)


class CompiledCheck:
    """A record-scope check, compiled for one rule."""

    def run(self, record: Mapping[str, Any], env: Env) -> Result:  # pragma: no cover - interface
        raise TypeError("record-scope checks implement run()")


class GroupCheck:
    """A group-scope check: records are folded into per-group states, then each group is judged.

    States must be picklable and :meth:`merge` must be associative, so that a batch can be split
    across processes (or a cluster) and the partial states combined: the result never depends on
    how the records were chunked.
    """

    kinds: frozenset[str] = frozenset()

    def keys(self, record: Mapping[str, Any], env: Env) -> Iterable[Hashable]:  # pragma: no cover
        raise TypeError("group checks implement keys()")

    def initial(self) -> Any:  # pragma: no cover - interface
        raise TypeError("group checks implement initial()")

    def add(self, state: Any, record: Mapping[str, Any], env: Env) -> Any:  # pragma: no cover
        raise TypeError("group checks implement add()")

    def merge(self, a: Any, b: Any) -> Any:  # pragma: no cover - interface
        raise TypeError("group checks implement merge()")

    def finish(self, key: Hashable, state: Any, env: Env) -> Result:  # pragma: no cover
        raise TypeError("group checks implement finish()")

    def describe_key(self, key: Hashable) -> dict[str, Any]:
        """The group as data for the result (``{"employee": "E003", "period": "2026-11"}``)."""
        return {"key": list(key) if isinstance(key, tuple) else key}

    def group_date(self, key: Hashable) -> date | None:
        """The date whose parameter values apply to the group (the start of its period)."""
        return None


class CheckType:
    """A kind of check. Subclasses set ``name``, ``summary`` and ``options`` and implement compile."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    scope: ClassVar[Literal["record", "group"]] = "record"
    #: JSON Schema ``properties`` of the check's options (``type`` is implied).
    options: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"type": {"const": self.name}, **self.options},
            "required": ["type", *self.required],
            "additionalProperties": False,
        }

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck | GroupCheck:
        raise TypeError(f"check type {self.name} does not implement compile()")  # pragma: no cover


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
