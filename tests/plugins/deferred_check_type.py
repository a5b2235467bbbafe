"""A third-party check type that defers its explanation: ``max_chars`` gives a zero-argument callable
(``functools.partial`` of a format) in its Result, which the engine calls only when a reader asks
for the outcome's entry. ``MADE`` counts the texts made, for the tests."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import MISSING, CheckType, CompiledCheck, Compiler, Env, Result, param_schema

MADE: list[str] = []


def _text(field: str, chars: int, limit: int) -> str:
    text = "{} has {} characters; at most {}".format(field, chars, limit)
    MADE.append(text)
    return text


class _MaxChars(CompiledCheck):
    def __init__(self, field: str, limit: Any) -> None:
        self.field = field
        self.limit = limit

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        value = env.get(self.field)
        if value is MISSING or value is None:
            return Result("needs_review", None, None, f"{self.field} was not recorded")
        chars = len(str(value))
        limit = env.value(self.limit)
        return Result("pass" if chars <= limit else "fail", chars, limit, partial(_text, self.field, chars, limit))


class MaxChars(CheckType):
    name = "max_chars"
    summary = "A text field has at most max characters."
    options = {"field": {"type": "string"}, "max": param_schema({"type": "integer", "minimum": 0})}
    required = ("field", "max")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _MaxChars(spec["field"], compiler.param(spec["max"], ("max",)))


@hookimpl
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(MaxChars())
