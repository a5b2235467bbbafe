"""Compiling a rulebook's rules for the engine: each rule's check options validated against its
check type's schema, the check compiled once, its ``when`` condition compiled and its lookups
checked, and its applicability (kinds, roles, sites, shifts, teams) frozen into a
:class:`CompiledRule`. A bad option is a :class:`~checkengine.checks.CheckSpecError`, which
:func:`check_location` places at the rule's ``check`` (or ``when``) in the rulebook file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from checkengine import lookups, validation
from checkengine.checks import CheckSpecError, CheckType, CompiledCheck, Compiler, GroupCheck
from checkengine.conditions import Condition, ConditionError, Conditions
from checkengine.errors import Location
from checkengine.plugins import Registry
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.yamlio import Document, format_path


@dataclass
class CompiledRule:
    rule: Rule
    check: CompiledCheck | GroupCheck
    when: Condition | None
    kinds: frozenset[str] | None
    roles: frozenset[str] | None
    sites: frozenset[str] | None
    shifts: frozenset[str] | None
    teams: frozenset[str] | None
    #: every condition of the rule (its when and its check's), for sizing CEL contexts
    conditions: tuple[Condition, ...] = ()
    #: no date window, audience or condition to test: the check just runs (the common case)
    always_applies: bool = False
    #: the rule's effective dates as dates (start, end; None: open), when that is all there is to
    #: test before the check runs (no audience, no condition): tested inline per record
    window: tuple[date | None, date | None] | None = None
    #: the check reads the auditor's answers itself (a manual check), so none is set beside it
    reads_answers: bool = False

    def __post_init__(self) -> None:
        r = self.rule
        audience = (self.when is not None or self.roles is not None or self.sites is not None
                    or self.shifts is not None or self.teams is not None)
        self.always_applies = not audience and not r.effective_from and not r.effective_until
        self.window = r.window() if not audience and not self.always_applies else None
        self.reads_answers = bool(getattr(self.check, "reads_answers", False))

    @property
    def is_group(self) -> bool:
        return isinstance(self.check, GroupCheck)


def _frozen(values: list[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


def compile_rule(book: Rulebook, registry: Registry, cel: Conditions, rule: Rule) -> CompiledRule:
    """*rule* compiled with its check type from *registry* and its conditions by *cel* (CheckSpecError
    when its options are wrong)."""
    spec = rule.check
    name = spec.get("type")
    check_type = registry.check_types.get(str(name))
    if check_type is None:
        import difflib  # only to suggest a name (start-up time)

        close = difflib.get_close_matches(str(name), list(registry.check_types), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        known = ", ".join(sorted(registry.check_types))
        if not close:  # not a typo: a type some plugin would provide
            from checkengine.plugin_hints import install_hint

            known += f"; or {install_hint('check type', str(name))}"
        raise CheckSpecError(f"unknown check type '{name}'{hint}; known types: {known}", ("type",))
    _validate_options(check_type, spec)
    compiler = Compiler(book, rule, cel)
    check = check_type.compile(spec, compiler)
    conditions = list(compiler.compiled)
    when = None
    if rule.when:
        try:
            when = cel.compile(rule.when)
        except ConditionError as exc:
            raise CheckSpecError(str(exc), ("..", "when"), code="CE208") from None
        conditions.append(when)
    for condition in conditions:
        for name in lookups.named(condition.source):
            if name not in book.lookups:
                known = ", ".join(sorted(book.lookups)) or "none (declare it under lookups)"
                where = ("..", "when") if condition is when else ()
                raise CheckSpecError(f"the condition looks up '{name}', which the rulebook does not declare; "
                                     f"its lookups: {known}", where, code="CE208")
    applies = rule.applies_to
    kinds = _frozen(applies.get("kinds"))
    if isinstance(check, GroupCheck) and check.kinds:
        # The check's own kinds win: "one team meeting a week" folds attendance and meetings
        # even when the rule (and its checklist) is filed under meetings.
        kinds = check.kinds
    return CompiledRule(
        rule, check, when, kinds, _frozen(applies.get("roles")), _frozen(applies.get("sites")),
        _frozen(applies.get("shifts")), _frozen(applies.get("teams")), tuple(conditions),
    )


def _validate_options(check_type: CheckType, spec: Mapping[str, Any]) -> None:
    fast = _fast_validator(check_type)
    if fast is not None:
        try:
            if fast.is_valid(dict(spec)):
                return  # the common case, answered by the Rust validator (a 1,000-rule book: ms, not 0.3 s)
        except Exception:  # pragma: no cover - a value it cannot take: the Python validator decides
            pass
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(check_type.schema())
    for err in sorted(validator.iter_errors(dict(spec)), key=lambda e: list(e.absolute_path)):
        doc = Document("-", dict(spec))
        explained = validation._explain(err, doc, ())
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = [k for k in spec if k not in check_type.schema()["properties"]]
            path = (extra[0],) if extra else path
        raise CheckSpecError(f"{explained.bare_message} (check type '{check_type.name}')", path)


_FAST: dict[int, tuple[CheckType, Any]] = {}  # id(check type) -> (it, its validator); it may be unhashable


def _fast_validator(check_type: CheckType) -> Any:
    """``jsonschema_rs``'s validator of the check type's options (None if it cannot make one): it
    answers "valid or not" as ``checkengine.validation`` does for documents; the Python validator
    still explains an invalid ``check``, so the messages do not depend on which one ran."""
    known = _FAST.get(id(check_type))
    if known is not None and known[0] is check_type:
        return known[1]
    try:
        import jsonschema_rs

        validator: Any = jsonschema_rs.validator_for(check_type.schema(), validate_formats=False)
    except Exception:  # pragma: no cover - not installed, or a schema it does not take
        validator = None
    _FAST[id(check_type)] = (check_type, validator)
    return validator


def check_location(rule: Rule, subpath: tuple[str | int, ...]) -> Location:
    base = rule.location
    field = "check" if not subpath or subpath[0] != ".." else ""
    parts = [p for p in subpath if p != ".."]
    tail = format_path(tuple([field] if field else []) + tuple(parts))  # require[0].phrases, as lint prints
    path = f"{base.path}.{tail}" if base.path and tail else (base.path or tail)
    return Location(base.file, base.line, base.column, path)
