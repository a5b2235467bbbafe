"""The condition language: CEL (Common Expression Language), through its Rust-based binding.

CEL is safe by construction: no loops, no access to Python objects or internals, only the values
and functions we give it. Conditions are compiled once per rulebook; per record, one CEL context
is built (holding only the record fields and parameters the rulebook's conditions read) and every
condition of every applicable rule runs against it; a condition shared by several rules runs once.
Measured on one core (benchmarks/bench_conditions.py): building a record's context costs tens of
microseconds, each compiled condition then about 2 µs, against about 0.3 µs for a Python closure;
a fresh context per condition would cost about 65 µs each.

Variables: ``record`` (the inspection record), ``params`` (parameter values on the record's date),
``group`` (for group checks: the group's key and aggregated values). Functions: CEL's standard
library plus those plugins add through ``checkengine_cel_functions`` (built-ins in
``checkengine.builtin.cel_functions``).
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping

from checkengine import limits


def _load_cel() -> ModuleType:
    """The binding's compiled extension, without the package's ``__init__``.

    ``import cel`` also imports the package's interactive shell (prompt_toolkit and friends), which
    costs about 0.3 s at every start of checkengine; the evaluator itself is the extension module
    ``cel.cel``, which loads in milliseconds. Fall back to the plain import if its layout changes.
    """
    spec = importlib.util.find_spec("cel")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for candidate in sorted(Path(folder).glob("cel.*.so")) + sorted(Path(folder).glob("cel.*.pyd")):
                ext = importlib.util.spec_from_file_location("cel.cel", candidate)
                if ext is not None and ext.loader is not None:
                    module = importlib.util.module_from_spec(ext)
                    ext.loader.exec_module(module)
                    if hasattr(module, "compile") and hasattr(module, "Context"):
                        return module
    import cel

    return cel


cel = _load_cel()
# The binding logs every failure of a Python function at ERROR ("Python function 'lookup' failed:
# FactsUnavailable ...") before raising it; checkengine turns each into an outcome with its reason,
# so the log line is noise on stderr (hundreds of lines in a replay). The raised error is kept.
logging.getLogger("cel").addHandler(logging.NullHandler())
logging.getLogger("cel").propagate = False

VARIABLES = ("record", "params", "group")

# CEL's standard functions and macros (operators are written with punctuation and skipped).
STANDARD_FUNCTIONS = frozenset(
    """size contains startsWith endsWith matches has all exists exists_one map filter int uint double
    string bytes bool timestamp duration type dyn getFullYear getMonth getDate getDayOfMonth
    getDayOfWeek getDayOfYear getHours getMinutes getSeconds getMilliseconds max min""".split()
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MACRO_VAR = re.compile(r"\.(?:all|exists|exists_one|filter|map)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")


class ConditionError(Exception):
    """A condition that does not parse, or names an unknown variable or function."""


class EvaluationError(Exception):
    """A condition failed while running (division by zero, a missing field ...)."""


_MACROS = ("all", "exists", "exists_one", "filter", "map")
_MACRO_CALL = re.compile(r"\.\s*(" + "|".join(_MACROS) + r")\s*$")
_TRIPLE = ("'" * 3, '"' * 3)


def shape(text: str) -> tuple[int, int]:
    """How deeply list macros (map, filter, all, exists, exists_one) nest in *text*, and the length
    of its longest list literal. CEL has no loops: the work a condition can do is bounded by the
    sizes of the lists it walks, to the power of this nesting."""
    stack: list[bool] = []  # one entry per open parenthesis: whether it opens a macro's arguments
    items: list[tuple[int, int]] = []  # open list literals: (parentheses open at "[", elements)
    depth = widest = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch in "'\"":
            quote = text[i:i + 3] if text[i:i + 3] in _TRIPLE else ch
            i += len(quote) - 1
        elif ch == "(":
            stack.append(bool(_MACRO_CALL.search(text[max(0, i - 16):i])))
            depth = max(depth, sum(stack))
        elif ch == ")" and stack:
            stack.pop()
        elif ch == "[":
            items.append((len(stack), 0 if text[i + 1:].lstrip().startswith("]") else 1))
        elif ch == "]" and items:
            widest = max(widest, items.pop()[1])
        elif ch == "," and items and items[-1][0] == len(stack):
            items[-1] = (items[-1][0], items[-1][1] + 1)
        i += 1
    return depth, widest


def widest_list(value: Any) -> int:
    """The length of the longest list anywhere in *value* (iteratively: records may nest deeply)."""
    widest = 0
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            widest = max(widest, len(item))
            todo.extend(item)
    return widest


def cost(depth: int, width: int) -> int:
    """The estimated steps of a condition whose macros nest *depth* deep over lists of *width*."""
    return max(width, 1) ** depth if depth > 1 else 0


class Undecidable(EvaluationError):
    """What the record says cannot decide the condition (no site time zone, no other records to
    look up): the rule is needs_review with this reason, not an error."""


@dataclass(frozen=True)
class Condition:
    source: str
    program: Any
    params: tuple[str, ...]
    depth: int = 0  # the nesting of list macros, see shape()
    widest: int = 0  # its longest list literal
    #: the condition as Python closures (checkengine.cel_closures), None outside their subset
    fast: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    def run(self, context: Any) -> Any:
        if self.depth > 1:  # nested macros: bound the work by the lists this record holds
            budget = limits.CEL_COST.get()
            width = max(self.widest, widest_list(getattr(context, "variables", None)))
            if cost(self.depth, width) > budget:
                raise EvaluationError(
                    f"the condition `{self.source}` would take about {width}^{self.depth} steps on "
                    f"this record (lists of up to {width} items, macros nested {self.depth} deep); "
                    f"the limit is {budget:,} ({limits.CEL_COST.env}): nest fewer macros"
                )
        try:
            return self.program.execute(context)
        except KeyError as exc:
            raise EvaluationError(
                f"the condition `{self.source}` reads a field that the record does not have: {exc}"
            ) from None
        except ZeroDivisionError:
            raise EvaluationError(f"the condition `{self.source}` divides by zero") from None
        except ArithmeticError as exc:
            raise EvaluationError(
                f"the condition `{self.source}` failed: {exc} (whole numbers must lie between "
                f"{limits.INT_MIN} and {limits.INT_MAX})"
            ) from None
        except (RuntimeError, ValueError, TypeError) as exc:
            raise EvaluationError(f"the condition `{self.source}` failed: {exc}") from None


class Conditions:
    """Compiles conditions (cached by text) and builds per-record contexts with our functions."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.functions = dict(functions)
        self._cache: dict[str, Condition] = {}

    def compile(self, text: str) -> Condition:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        cap = limits.EXPRESSION_CHARS.get()
        if len(text) > cap:
            raise ConditionError(f"the condition is {len(text):,} characters long; the limit is "
                                 f"{cap:,}: split it over several rules, or {limits.EXPRESSION_CHARS.hint()}")
        depth, widest = shape(text)
        budget = limits.CEL_COST.get()
        if cost(depth, widest) > budget:
            raise ConditionError(
                f"the condition is too costly: its macros nest {depth} deep over a list of "
                f"{widest} items, about {widest}^{depth} steps; the limit is {budget:,} "
                f"({limits.CEL_COST.env}): nest fewer macros or use shorter lists"
            )
        try:
            program = cel.compile(text)
        except (ValueError, RuntimeError) as exc:
            message = str(exc).replace("\n", " ").replace("  ", " ")
            raise ConditionError(f"the condition does not parse: {message}") from None
        # The loop variables of CEL's macros (list.all(x, ...), exists, exists_one, filter, map)
        # are reported as variables by the binding: they are local, not unknown.
        local = set(_MACRO_VAR.findall(text))
        unknown_vars = [v for v in program.variables() if v not in VARIABLES and v not in local]
        if unknown_vars:
            raise ConditionError(
                f"the condition uses the unknown variable '{unknown_vars[0]}'; "
                f"the variables are: {', '.join(VARIABLES)} (e.g. record.observations.badge)"
            )
        for fn in program.functions():
            if _NAME.match(fn) and fn not in STANDARD_FUNCTIONS and fn not in self.functions:
                known = ", ".join(sorted(self.functions))
                raise ConditionError(
                    f"the condition calls the unknown function '{fn}'; besides CEL's standard "
                    f"functions these exist: {known}"
                )
        params = tuple(sorted(set(re.findall(r"\bparams\.([a-z][a-z0-9_]*)", text))))
        from checkengine.cel_closures import translate

        condition = Condition(text, program, params, depth, widest, translate(text, self.functions))
        self._cache[text] = condition
        return condition

    def context(
        self,
        record: Mapping[str, Any] | None,
        params: Mapping[str, Any],
        group: Mapping[str, Any] | None = None,
    ) -> Any:
        ctx = cel.Context()
        for name, fn in self.functions.items():
            ctx.add_function(name, fn)
        ctx.add_variable("record", dict(record) if record is not None else {})
        ctx.add_variable("params", dict(params))
        ctx.add_variable("group", dict(group) if group is not None else {})
        return ctx
