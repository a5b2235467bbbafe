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
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping


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


class Undecidable(EvaluationError):
    """What the record says cannot decide the condition (no site time zone, no other records to
    look up): the rule is needs_review with this reason, not an error."""


@dataclass(frozen=True)
class Condition:
    source: str
    program: Any
    params: tuple[str, ...]

    def run(self, context: Any) -> Any:
        try:
            return self.program.execute(context)
        except KeyError as exc:
            raise EvaluationError(
                f"the condition `{self.source}` reads a field that the record does not have: {exc}"
            ) from None
        except ZeroDivisionError:
            raise EvaluationError(f"the condition `{self.source}` divides by zero") from None
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
        condition = Condition(text, program, params)
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
