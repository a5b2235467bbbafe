"""A third-party plugin, as an outside team would write it: a check type and a condition function.

``max_words``: a text field has at most N words (a parameter), e.g. a summary that must stay short.
Nothing in checkengine knows about it; rules name it and the engine runs it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import MISSING, CheckType, CompiledCheck, Compiler, Env, Result, param_schema


class _MaxWords(CompiledCheck):
    def __init__(self, field: str, limit: Any) -> None:
        self.field = field
        self.limit = limit

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        text = env.get(self.field)
        if text is MISSING or text is None:
            return Result("needs_review", None, None, f"{self.field} was not recorded")
        words = len(str(text).split())
        limit = env.value(self.limit)
        return Result("pass" if words <= limit else "fail", words, limit,
                      f"{self.field} has {words} words; at most {limit}")


class MaxWords(CheckType):
    name = "max_words"
    summary = "A text field has at most max words."
    options = {"field": {"type": "string"}, "max": param_schema({"type": "integer", "minimum": 0})}
    required = ("field", "max")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _MaxWords(spec["field"], compiler.param(spec["max"], ("max",)))


def word_count(text: str) -> int:
    return len(text.split())


@hookimpl
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(MaxWords())


@hookimpl
def checkengine_cel_functions() -> dict[str, Callable[..., Any]]:
    return {"word_count": word_count}
