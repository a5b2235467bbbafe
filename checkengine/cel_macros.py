"""CEL's list macros as closures: ``list.all(x, p)``, ``exists``, ``exists_one``, ``map(x, e)`` and
``filter(x, p)`` over a list (:mod:`checkengine.cel_closures` parses them; the loop variable is read
through ``Env.scope``, which belongs to the one record being evaluated, so threads sharing an engine
never share it).

As every closure, a macro answers only where CEL's answer is certain, and otherwise raises
:class:`~checkengine.cel_ops.Fallback`: a range that is not a list (CEL iterates a map's keys), a
predicate that is not a bool, an element whose predicate is unsure. The elements are taken in
order, and ``all`` stops at the first false and ``exists`` at the first true, but only when every
element before it was certain: CEL absorbs an error in ``all`` when another element is false (and
in ``exists`` when one is true), and an engine that stops at the first error does not, so where the
two could differ the CEL engine decides. Nested macros are not translated: the CEL engine bounds
their cost per record (``CHECKENGINE_MAX_CEL_COST``), and that bound must hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checkengine.cel_ops import Closure, Fallback, NotInSubset, _bool

if TYPE_CHECKING:
    from checkengine.checks import Env

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_FALLBACK = Fallback()


def macro(name: str, var: str, items_of: Closure, body: Closure) -> Closure:
    """The closure of ``RANGE.NAME(VAR, BODY)``."""
    if name not in MACROS:
        raise NotInSubset(f"the macro {name}()")

    def each(env: Env) -> Any:
        items = items_of(env)
        if type(items) is not list:
            raise _FALLBACK
        saved = env.scope
        scope = dict(saved) if saved else {}
        env.scope = scope
        try:
            if name == "all" or name == "exists":
                stop = name == "exists"  # the value that decides: true for exists, false for all
                for item in items:
                    scope[var] = item
                    if _bool(body(env)) is stop:
                        return stop
                return not stop
            if name == "exists_one":
                found = 0
                for item in items:
                    scope[var] = item
                    found += _bool(body(env))
                return found == 1
            if name == "filter":
                kept = []
                for item in items:
                    scope[var] = item
                    if _bool(body(env)):
                        kept.append(item)
                return kept
            made = []
            for item in items:
                scope[var] = item
                made.append(body(env))
            return made
        finally:
            env.scope = saved

    return each


# -- conversions and division (CEL does not coerce: only what is certain here) --------------------------

def convert(name: str, inner: Closure) -> Closure:
    """``int(x)`` of a whole number or a finite double (truncated toward zero, as CEL does) and
    ``string(x)`` of a string or a whole number; anything else (a string to parse, a bool, a double to
    format, a value past 64 bits) is left to the CEL engine."""
    if name == "int":
        def to_int(env: Env) -> int:
            value = inner(env)
            if type(value) is int:
                return value
            if type(value) is float and -_INT_BOUND < value < _INT_BOUND:  # finite and within 64 bits
                return int(value)
            raise _FALLBACK

        return to_int
    if name == "string":
        def to_string(env: Env) -> str:
            value = inner(env)
            if type(value) is str:
                return value
            if type(value) is int:
                return str(value)
            raise _FALLBACK

        return to_string
    raise NotInSubset(f"the function {name}()")


_INT_BOUND = 2.0 ** 62  # doubles this large already lose whole numbers; CEL's overflow is near 2^63


def divide(left: Closure, right: Closure) -> Closure:
    """``a / b`` of two whole numbers (truncated toward zero) or two doubles, never by zero."""
    def quotient(env: Env) -> Any:
        a, b = left(env), right(env)
        kind = type(a)
        if kind is not type(b) or not b:
            raise _FALLBACK  # another type, mixed types, or by zero: CEL errs (ints) or gives inf/NaN
        if kind is float:
            value = a / b
            if value != value or value in (_INF, -_INF):
                raise _FALLBACK
            return value
        if kind is int:
            q = abs(a) // abs(b)
            q = q if (a < 0) == (b < 0) else -q
            if -2 ** 63 <= q < 2 ** 63:
                return q
        raise _FALLBACK

    return quotient


_INF = float("inf")
