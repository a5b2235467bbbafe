"""A third-party plugin from outside the call-centre domain: a fleet's vehicle checks.

It adds a record kind, ``vehicle_check``, with the schema of its ``data``, and a check type,
``min_each``, that every number of a list field is at least a minimum (each tyre's tread depth).
Nothing in checkengine knows about either: the record schema is composed with the kind, rules
name the check type, and the engine runs it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import MISSING, CheckType, CompiledCheck, Compiler, Env, Result, param_schema
from checkengine.kinds import RecordKind

NUMBER_OR_NULL = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]}

VEHICLE_CHECK = RecordKind(
    "vehicle_check",
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["plate"],
        "properties": {
            "plate": {"type": "string", "pattern": "^[A-Z0-9-]{2,10}$"},
            "odometer_km": NUMBER_OR_NULL,
            "tread_mm": {"anyOf": [{"type": "array", "items": NUMBER_OR_NULL, "minItems": 1}, {"type": "null"}]},
            "lights": {"anyOf": [{"enum": ["ok", "fault"]}, {"type": "null"}]},
            "language": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    },
    description="one walk-round check of a fleet vehicle",
    language_field="data.language",
)


class _MinEach(CompiledCheck):
    def __init__(self, field: str, low: Any) -> None:
        self.field, self.low = field, low

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        values = env.get(self.field)
        if values is MISSING or values is None or any(v is None for v in values):
            return Result("needs_review", None, None, f"{self.field} was not recorded in full")
        low = env.value(self.low)
        under = [v for v in values if v < low]
        return Result("fail" if under else "pass", min(values), low,
                      f"{self.field}: lowest {min(values)}; each at least {low}")


class MinEach(CheckType):
    name = "min_each"
    summary = "Every number of a list field is at least min."
    options = {"field": {"type": "string"}, "min": param_schema({"type": "number"})}
    required = ("field", "min")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _MinEach(spec["field"], compiler.param(spec["min"], ("min",)))

    def checklist_widget(self, spec: Mapping[str, Any]) -> str | None:
        return "number"


@hookimpl
def checkengine_register_record_kinds(register: Callable[[RecordKind], None]) -> None:
    register(VEHICLE_CHECK)


@hookimpl
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(MinEach())
