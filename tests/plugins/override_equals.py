"""A plugin that replaces a built-in check type: built-ins register trylast, so this one wins."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import CheckType, CompiledCheck, Compiler, Env, Result


class _CaseInsensitive(CompiledCheck):
    def __init__(self, field: str, value: Any) -> None:
        self.field, self.value = field, value

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        seen = env.get(self.field)
        ok = str(seen).casefold() == str(self.value).casefold()
        return Result("pass" if ok else "fail", seen, self.value, "compared without case")


class CaseInsensitiveEquals(CheckType):
    name = "equals"
    summary = "equals, ignoring case (a site plugin's variant)"
    options = {"field": {"type": "string"}, "value": {}}
    required = ("field", "value")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _CaseInsensitive(spec["field"], spec["value"])


@hookimpl
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(CaseInsensitiveEquals())
