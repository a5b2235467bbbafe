"""Observation checks: what the auditor saw, compared with the standard.

``equals``, ``one_of``, ``in_range``, ``present`` and ``matches`` read one field of the record (a
dotted path such as ``observations.badge``). A field the record does not have means the item was
not observed: the outcome is ``needs_review``, never a silent pass.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from checkengine import hookimpl
from checkengine.checks import (
    MISSING, CheckSpecError, CheckType, CompiledCheck, Compiler, Env, FastVerdict, Result, is_param_ref,
    param_schema,
)
from checkengine.fast_reads import UNSURE, path_reader
from checkengine.i18n import Message, message
from checkengine.regex import PatternError, compile_pattern

_FIELD = {"type": "string", "minLength": 1, "description": "Dotted path of the field, e.g. observations.badge"}


_MEMO = frozenset({str, int, float, bool, type(None)})


#: whether an observed value passes, given the record's Env (the verdict lane's form of a test)
Ok = Callable[[Any, Env], bool]


class _FieldCheck(CompiledCheck):
    def __init__(self, field: str, test: Callable[[Any, Env], tuple[bool, Any]], key: str,
                 ok: Ok | None = None, *, same: Any = MISSING, among: Any = MISSING) -> None:
        self.field = field
        self.test = test
        self.key = key
        #: test's verdict without its expected value (None: the verdict lane runs test)
        self.ok = ok
        #: ok is ``observed == same`` / ``observed in among`` (a literal of the rule; MISSING: neither)
        self.same = same
        self.among = among
        # The engine refuses a record that lacks this field (a missing required observation);
        # an explicit null means "could not be observed" and needs review.
        self.required_field = field
        # (language, observed, expected) -> the explanation: the same few values recur record after
        # record, and the text depends on nothing else (types are part of the key: True is not 1).
        self._texts: dict[tuple[Any, ...], str] = {}

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        observed = env.get(self.field)
        if observed is MISSING or observed is None:
            return Result("needs_review", None, None, self._text(env.lang, "not_observed", None, None))
        ok, expected = self.test(observed, env)
        return Result("pass" if ok else "fail", observed, expected, self._text(env.lang, self.key, observed, expected))

    def fast_batch(self) -> tuple[Callable[..., Any], Any] | None:
        """A literal compared on a two-part path (``observations.badge``): decided with the kind's
        others of that form in one call (:func:`field_batch`)."""
        parts = self.field.split(".")
        if len(parts) != 2 or self.ok is None or (self.same is MISSING and self.among is MISSING):
            return None
        return field_batch, (parts[0], parts[1], self.same, self.among)

    def fast_verdict(self) -> FastVerdict | None:
        parts = self.field.split(".")
        ok = self.ok
        if len(parts) == 2 and ok is not None:
            return _two_parts(parts[0], parts[1], ok, self.same, self.among)
        read = path_reader(self.field)
        test = self.test

        def verdict(record: Mapping[str, Any], env: Env) -> str | None:
            observed = read(record)
            if observed is MISSING or observed is None:
                return "needs_review"
            if observed is UNSURE:
                return None
            if ok is not None:
                return "pass" if ok(observed, env) else "fail"
            return "pass" if test(observed, env)[0] else "fail"

        return verdict

    def _text(self, lang: str, key: str, observed: Any, expected: Any) -> str | Callable[[], str]:
        if type(observed) not in _MEMO or type(expected) not in _MEMO:  # made when read
            return Message(key, lang, field=self.field, observed=observed, expected=expected)
        memo = (lang, key, type(observed), observed, type(expected), expected)
        text = self._texts.get(memo)
        if text is None:
            if len(self._texts) >= 4096:
                self._texts.clear()
            text = self._texts[memo] = message(key, lang, field=self.field, observed=observed, expected=expected)
        return text


def field_batch(specs: Sequence[tuple[str, str, Any, Any]]) -> Callable[[Mapping[str, Any], Env], list[str | None]]:
    """The verdicts of several field checks that compare a literal on a two-part path, in one call:
    each what :func:`_two_parts`'s verdict gives. Checks that all read one map (``observations.*``,
    the common case) read it once for all."""
    count = len(specs)
    if len({first for first, _, _, _ in specs}) == 1:
        first = specs[0][0]
        # (second part, the literal or the listed values, whether it is one literal) per check
        rest = tuple((second, same if same is not MISSING else among, same is not MISSING)
                     for _, second, same, among in specs)

        def one_map(record: Mapping[str, Any], env: Env) -> list[str | None]:
            inner = record.get(first) if type(record) is dict else None
            if type(inner) is not dict:
                return [None] * count
            get = inner.get  # absent or null alike: not observed
            return ["needs_review" if (observed := get(second)) is None else
                    "pass" if (observed == value if one else observed in value) else "fail"
                    for second, value, one in rest]

        return one_map

    def verdicts(record: Mapping[str, Any], env: Env) -> list[str | None]:
        if type(record) is not dict:
            return [None] * count
        out: list[str | None] = []
        add = out.append
        for first, second, same, among in specs:
            inner = record.get(first)
            if type(inner) is not dict:
                add(None)
                continue
            observed = inner.get(second)  # absent or null alike: not observed
            if observed is None:
                add("needs_review")
            elif same is not MISSING:
                add("pass" if observed == same else "fail")
            else:
                add("pass" if observed in among else "fail")
        return out

    return verdicts


def _two_parts(first: str, second: str, ok: Ok, same: Any, among: Any) -> FastVerdict:
    """The verdict of a field check on ``first.second`` (observations.badge): the path read and a
    literal compared inline, as get_path and the check's test would (None where they might not)."""
    if same is not MISSING:
        def verdict(record: Mapping[str, Any], env: Env) -> str | None:
            inner = record.get(first) if type(record) is dict else None
            if type(inner) is not dict:
                return None
            observed = inner.get(second)  # absent or null alike: not observed
            if observed is None:
                return "needs_review"
            return "pass" if observed == same else "fail"
    elif among is not MISSING:
        def verdict(record: Mapping[str, Any], env: Env) -> str | None:
            inner = record.get(first) if type(record) is dict else None
            if type(inner) is not dict:
                return None
            observed = inner.get(second)
            if observed is None:
                return "needs_review"
            return "pass" if observed in among else "fail"
    else:
        def verdict(record: Mapping[str, Any], env: Env) -> str | None:
            inner = record.get(first) if type(record) is dict else None
            if type(inner) is not dict:
                return None
            observed = inner.get(second)
            if observed is None:
                return "needs_review"
            return "pass" if ok(observed, env) else "fail"
    return verdict


class Equals(CheckType):
    name = "equals"
    summary = "The field equals a value (or a parameter)."
    options = {"field": _FIELD, "value": param_schema({})}
    required = ("field", "value")

    def checklist_widget(self, spec: Mapping[str, Any]) -> str | None:
        return "bool" if isinstance(spec.get("value"), bool) else None

    def checklist_limit(self, spec: Mapping[str, Any], show: Callable[[Any], str]) -> str:
        return "" if isinstance(spec.get("value"), (bool, str)) else f"= {show(spec.get('value'))}"

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        value = compiler.param(spec["value"], ("value",))

        def test(observed: Any, env: Env) -> tuple[bool, Any]:
            expected = env.value(value)
            return observed == expected, expected

        def ok(observed: Any, env: Env) -> bool:
            return bool(observed == value)

        if is_param_ref(value):
            return _FieldCheck(spec["field"], test, "observed_expected")
        return _FieldCheck(spec["field"], test, "observed_expected", ok, same=value)


class OneOf(CheckType):
    name = "one_of"
    summary = "The field is one of the listed values (or of a list parameter)."
    options = {"field": _FIELD, "values": param_schema({"type": "array", "minItems": 1})}
    required = ("field", "values")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        values = compiler.param(spec["values"], ("values",))

        def test(observed: Any, env: Env) -> tuple[bool, Any]:
            allowed = env.value(values)
            return observed in allowed, allowed

        def ok(observed: Any, env: Env) -> bool:
            return observed in values

        if is_param_ref(values):
            return _FieldCheck(spec["field"], test, "observed_expected")
        return _FieldCheck(spec["field"], test, "observed_expected", ok, among=values)


class InRange(CheckType):
    name = "in_range"
    summary = "The field is a number between min and max (both inclusive, either optional)."
    options = {
        "field": _FIELD,
        "min": param_schema({"type": "number"}),
        "max": param_schema({"type": "number"}),
    }
    required = ("field",)

    def checklist_widget(self, spec: Mapping[str, Any]) -> str | None:
        return "number"

    def checklist_limit(self, spec: Mapping[str, Any], show: Callable[[Any], str]) -> str:
        low, high = spec.get("min"), spec.get("max")
        if low is not None and high is not None:
            return f"{show(low)} – {show(high)}"
        if high is not None:
            return f"≤ {show(high)}"
        return f"≥ {show(low)}" if low is not None else ""

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        if "min" not in spec and "max" not in spec:
            raise CheckSpecError("in_range needs min, max or both (e.g. max: {param: max_minutes_outside})")
        low = compiler.param(spec.get("min"), ("min",), number=True)
        high = compiler.param(spec.get("max"), ("max",), number=True)

        def test(observed: Any, env: Env) -> tuple[bool, Any]:
            lo = env.value(low) if low is not None else None
            hi = env.value(high) if high is not None else None
            shown = f"{'' if lo is None else lo}..{'' if hi is None else hi}"
            if isinstance(observed, bool) or not isinstance(observed, (int, float)):
                return False, shown
            return (lo is None or observed >= lo) and (hi is None or observed <= hi), shown

        def ok(observed: Any, env: Env) -> bool:
            lo = env.value(low) if low is not None else None  # first, as test: a missing value raises
            hi = env.value(high) if high is not None else None
            if isinstance(observed, bool) or not isinstance(observed, (int, float)):
                return False
            return (lo is None or observed >= lo) and (hi is None or observed <= hi)

        return _FieldCheck(spec["field"], test, "in_range", ok)


class Present(CheckType):
    name = "present"
    summary = "The field is recorded and not empty (or, with present: false, absent or empty)."
    options = {"field": _FIELD, "present": {"type": "boolean"}}
    required = ("field",)

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        field = spec["field"]
        wanted = spec.get("present", True)

        class _Present(CompiledCheck):
            def run(self, record: Mapping[str, Any], env: Env) -> Result:
                value = env.get(field)
                there = value is not MISSING and value not in (None, "", [], {})
                text = texts.get((env.lang, there))
                if text is None:  # two texts per language
                    text = texts[(env.lang, there)] = message("observed_expected", env.lang, field=field,
                                                              observed=there, expected=wanted)
                return Result("pass" if there == wanted else "fail", there, wanted, text)

            def fast_verdict(self) -> FastVerdict | None:
                read = path_reader(field)

                def verdict(record: Mapping[str, Any], env: Env) -> str | None:
                    value = read(record)
                    if value is UNSURE:
                        return None
                    there = value is not MISSING and value not in (None, "", [], {})
                    return "pass" if there == wanted else "fail"

                return verdict

        texts: dict[tuple[str, bool], str] = {}
        return _Present()


class Matches(CheckType):
    name = "matches"
    summary = "The field is a string that matches a regular expression (RE2 syntax, searched)."
    options = {"field": _FIELD, "pattern": {"type": "string", "minLength": 1}}
    required = ("field", "pattern")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        try:
            pattern = compile_pattern(spec["pattern"])
        except PatternError as exc:
            raise CheckSpecError(str(exc), ("pattern",)) from None

        def test(observed: Any, env: Env) -> tuple[bool, Any]:
            return isinstance(observed, str) and pattern.search(observed) is not None, spec["pattern"]

        def ok(observed: Any, env: Env) -> bool:
            return isinstance(observed, str) and pattern.search(observed) is not None

        return _FieldCheck(spec["field"], test, "observed_expected", ok)


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    for check_type in (Equals(), OneOf(), InRange(), Present(), Matches()):
        register(check_type)
