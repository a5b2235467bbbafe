"""Checks written in the condition language (CEL), for standards no other check type covers.

``expression``: a CEL condition that must hold. ``compare``: a CEL expression that computes a
value (minutes of notice, a rate, a count) and thresholds it against ``min``/``max``, so that the
explanation shows the value seen and the limit in force.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, Mapping

from checkengine import hookimpl
from checkengine.checks import (
    CheckFailure, CheckSpecError, CheckType, CompiledCheck, Compiler, Env, FastVerdict, Result,
    param_schema,
)
from checkengine.conditions import EvaluationError, Undecidable
from checkengine.i18n import Message, message, show

_EXPR = {"type": "string", "minLength": 1, "description": "A CEL expression over record and params."}


class Expression(CheckType):
    name = "expression"
    summary = "A CEL condition over the record that must be true (e.g. record.data.form_filed)."
    options = {"expr": _EXPR, "observe": _EXPR,
               "label": {"type": "string", "description": "What `observe` is, for the explanation."}}
    required = ("expr",)

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        condition = compiler.condition(spec["expr"], ("expr",))
        observe = compiler.condition(spec["observe"], ("observe",)) if "observe" in spec else None

        # (language, verdict) -> the text without `observe`: two texts per language, made once each
        fixed: dict[tuple[str, bool], str] = {}

        class _Expression(CompiledCheck):
            def run(self, record: Mapping[str, Any], env: Env) -> Result:
                try:
                    value = env.evaluate(condition)
                    seen = env.evaluate(observe) if observe is not None else value
                except Undecidable:
                    raise  # needs_review, not a broken check
                except EvaluationError as exc:
                    raise CheckFailure(str(exc)) from None
                if not isinstance(value, bool):
                    raise CheckFailure(
                        f"the expression `{condition.source}` gave {show(value)}, not true or false"
                    )
                text: str | Callable[[], str]
                if observe is None:
                    text = fixed.get((env.lang, value)) or fixed.setdefault((env.lang, value), message(
                        "condition_true" if value else "condition_false", env.lang, condition=condition.source))
                else:
                    text = partial(_observed_text, spec.get("label"), env.lang, seen, value)
                return Result("pass" if value else "fail", seen, True, text)

            def fast_verdict(self) -> FastVerdict:
                def verdict(record: Mapping[str, Any], env: Env) -> str | None:
                    # run's verdict where it has one: an error or an undecidable raises (run
                    # decides); the Env keeps the results, so a run after None evaluates nothing again
                    value = env.evaluate(condition)
                    if type(value) is not bool:
                        return None
                    if observe is not None:
                        env.evaluate(observe)  # run fails with its error: so must the lane
                    return "pass" if value else "fail"

                return verdict

        return _Expression()


def _observed_text(label: str | None, lang: str, seen: Any, value: bool) -> str:
    # The value the author chose to show tells a reader more than the condition's source, which
    # stays in the rulebook (and in the message when it fails to run).
    verdict = message("expression_met" if value else "expression_not_met", lang)
    return message("observed_value", lang, label=label or message("observed", lang), observed=seen) + "; " + verdict


_NUMBERS = frozenset({int, float})


class Compare(CheckType):
    name = "compare"
    summary = "A value computed by a CEL expression, compared with min and/or max (inclusive)."
    options = {
        "value": _EXPR,
        "label": {"type": "string", "description": "What the value is, for the explanation."},
        "min": param_schema({"type": "number"}),
        "max": param_schema({"type": "number"}),
    }
    required = ("value",)

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        if "min" not in spec and "max" not in spec:
            raise CheckSpecError("compare needs min, max or both (e.g. min: {param: notice_minutes})")
        expr = compiler.condition(spec["value"], ("value",))
        low = compiler.param(spec.get("min"), ("min",), number=True)
        high = compiler.param(spec.get("max"), ("max",), number=True)
        label = spec.get("label", spec["value"])

        # (language, type and value seen, limits shown) -> the text: the same few values recur
        texts: dict[tuple[Any, ...], str] = {}

        class _Compare(CompiledCheck):
            def run(self, record: Mapping[str, Any], env: Env) -> Result:
                try:
                    value = env.evaluate(expr)
                except Undecidable:
                    raise  # needs_review, not a broken check
                except EvaluationError as exc:
                    raise CheckFailure(str(exc)) from None
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise CheckFailure(f"`{expr.source}` gave {show(value)}, not a number")
                if not math.isfinite(value):
                    raise CheckFailure(f"`{expr.source}` gave {value}, not a finite number (a "
                                       "division by zero?)")
                lo = env.value(low) if low is not None else None
                hi = env.value(high) if high is not None else None
                # Floating point: 100 * (1 - 0.9) is 9.999999999999998, which must still meet a
                # minimum of 10; a relative tolerance far below any meaningful difference absorbs it.
                eps = 1e-9 * max(1.0, abs(value))
                ok = (lo is None or value >= lo - eps) and (hi is None or value <= hi + eps)
                shown = f"{'' if lo is None else show(lo)}..{'' if hi is None else show(hi)}"
                text: str | Callable[[], str]
                if type(value) in _NUMBERS:
                    memo = (env.lang, type(value), value, shown)
                    text = texts.get(memo) or ""
                    if not text:
                        if len(texts) >= 4096:
                            texts.clear()
                        text = texts[memo] = message("in_range", env.lang, field=label, observed=value,
                                                     expected=shown)
                else:
                    text = Message("in_range", env.lang, field=label, observed=value, expected=shown)
                return Result("pass" if ok else "fail", value, shown, text)

            def fast_verdict(self) -> FastVerdict:
                def verdict(record: Mapping[str, Any], env: Env) -> str | None:
                    value = env.evaluate(expr)  # an error or an undecidable raises: run decides
                    if type(value) not in _NUMBERS or not math.isfinite(value):
                        return None
                    lo = env.value(low) if low is not None else None
                    hi = env.value(high) if high is not None else None
                    if (lo is not None and type(lo) not in _NUMBERS) or \
                            (hi is not None and type(hi) not in _NUMBERS):
                        return None
                    eps = 1e-9 * max(1.0, abs(value))
                    ok = (lo is None or value >= lo - eps) and (hi is None or value <= hi + eps)
                    return "pass" if ok else "fail"

                return verdict

        return _Compare()


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    register(Expression())
    register(Compare())
