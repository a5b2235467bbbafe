"""Closures for the shapes of CEL conditions that rulebooks write most, each one Python call where
the general closures of :mod:`checkengine.cel_ops` make several: a chain of ``&&`` or ``||``,
``has()`` of a record field one or two levels down, ``==`` / ``!=`` with a literal that is text,
a boolean or null, and a call of a function with plain arguments. Each answers exactly what the
general closures answer, and raises :class:`~checkengine.cel_ops.Fallback` where they would
(``tests/test_cel_fused.py`` compares the two on generated values; ``tests/test_cel_closures.py``
compares the closures with the CEL engine on every condition of the bundled rulebooks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from checkengine import limits
from checkengine.cel_ops import Closure, Fallback, _plain, deep_plain

if TYPE_CHECKING:
    from checkengine.checks import Env

_FALLBACK = Fallback()
_SCALARS = (str, bool, int, float, type(None))
_MIN, _MAX = limits.INT_MIN, limits.INT_MAX


def all_of(parts: Sequence[Closure]) -> Closure:
    """``a && b && c``: left to right, false at the first false part; any part that is not a
    boolean (or raises) falls back, as the nested ``&&`` closures do."""
    fns = tuple(parts)

    def every(env: "Env") -> bool:
        for fn in fns:
            value = fn(env)
            if value is not True:
                if value is False:
                    return False
                raise _FALLBACK
        return True

    return every


def any_of(parts: Sequence[Closure]) -> Closure:
    """``a || b || c``: left to right, true at the first true part (as the nested ``||`` closures)."""
    fns = tuple(parts)

    def some(env: "Env") -> bool:
        for fn in fns:
            value = fn(env)
            if value is not False:
                if value is True:
                    return True
                raise _FALLBACK
        return False

    return some


def has_record(path: tuple[str, ...]) -> Closure | None:
    """``has(record.a)`` or ``has(record.a.b)`` read inline (None: another path, for the general
    closure). An owner that is not a map falls back, as the general walk does."""
    if len(path) == 1:
        (a,) = path

        def has_one(env: "Env") -> bool:
            record = env.record
            if type(record) is dict:
                return a in record
            raise _FALLBACK

        return has_one
    if len(path) == 2:
        first, last = path

        def has_two(env: "Env") -> bool:
            record = env.record
            if type(record) is dict:
                inner = record.get(first, _FALLBACK)
                if type(inner) is dict:
                    return last in inner
            raise _FALLBACK

        return has_two
    return None


def equal_literal(left: Closure, constant: Any, negate: bool) -> Closure | None:
    """``x == 'text'`` (or ``!=``) with a literal that is text, a boolean or null: CEL's equality
    there is Python's on a value of the same type, false on any other scalar (None: a number, for
    CEL's comparison across int and double)."""
    kind = type(constant)
    if kind is not str and kind is not bool and constant is not None:
        return None

    def equal(env: "Env") -> bool:
        value = left(env)
        of = type(value)
        if of is kind:
            return (value == constant) is not negate
        if of in _SCALARS:
            return negate
        raise _FALLBACK

    return equal


def guarded_equal(path: tuple[str, ...], constant: Any, negate: bool, outer: bool, invert: bool = False) -> Closure:
    """``has(record.a) && has(record.a.b) && record.a.b == literal`` (without the first test when
    not *outer*; ``!=`` with *negate*; the whole negated with *invert*) as one closure: what
    :func:`all_of` of :func:`has_record` and :func:`equal_literal` answers, and falls back where
    they fall back. The literal is text, a boolean or null (:func:`equal_literal`)."""
    first, last = path
    kind = type(constant)

    def guarded(env: "Env") -> bool:
        record = env.record
        if type(record) is not dict:
            raise _FALLBACK
        inner = record.get(first, _FALLBACK)
        if inner is _FALLBACK:
            if outer:
                return invert  # has(record.a) is false
            raise _FALLBACK
        if type(inner) is not dict:
            raise _FALLBACK
        if last not in inner:
            return invert
        value = inner[last]
        of = type(value)
        if of is str:
            if not value.isascii():
                _plain(value)  # a lone surrogate falls back
        elif of is int or of is float:
            _plain(value)  # past 64 bits, or NaN, falls back
        elif of is not bool and value is not None:
            raise _FALLBACK  # a list or a map: never equal to a scalar for certain here
        if of is kind:
            return ((value == constant) is not negate) is not invert
        return negate is not invert

    return guarded


def guarded_chain(shapes: Sequence[tuple[Any, ...] | None]) -> tuple[tuple[str, ...], Any, bool, bool] | None:
    """The arguments of :func:`guarded_equal` for a chain of ``&&`` whose parts have *shapes*
    (``("has", path)``, ``("eq", path, literal, negate)``), when it is that guarded test."""
    if not 2 <= len(shapes) <= 3 or shapes[-1] is None or shapes[-1][0] != "eq":
        return None
    _, path, constant, negate = shapes[-1]
    if shapes[-2] != ("has", path) or (len(shapes) == 3 and shapes[0] != ("has", path[:1])):
        return None
    return path, constant, negate, len(shapes) == 3


def _plain_arg(value: Any) -> Any:
    """*value* if CEL holds it as it is (text, booleans, null and 64-bit whole numbers inline)."""
    kind = type(value)
    if kind is str:
        if value.isascii():
            return value
    elif kind is bool or value is None:
        return value
    elif kind is int and _MIN <= value <= _MAX:
        return value
    return deep_plain(value)


def call(fn: Callable[..., Any], args: Sequence[Closure]) -> Closure:
    """A call of a plugin's function: its arguments and its result must be values CEL holds as they
    are, and a function that raises falls back (CEL runs it again and reports the error its own way)."""
    if len(args) == 1:
        (one,) = args

        def call_one(env: "Env") -> Any:
            value = _plain_arg(one(env))
            try:
                got = fn(value)
            except Exception:
                raise _FALLBACK from None
            return got if type(got) is bool else _plain_arg(got)

        return call_one
    if len(args) == 2:
        first, second = args

        def call_two(env: "Env") -> Any:
            a = _plain_arg(first(env))
            b = _plain_arg(second(env))
            try:
                got = fn(a, b)
            except Exception:
                raise _FALLBACK from None
            return got if type(got) is bool else _plain_arg(got)

        return call_two
    fns = tuple(args)

    def call_many(env: "Env") -> Any:
        values = [_plain_arg(a(env)) for a in fns]
        try:
            got = fn(*values)
        except Exception:
            raise _FALLBACK from None
        return got if type(got) is bool else _plain_arg(got)

    return call_many


__all__ = ["all_of", "any_of", "call", "equal_literal", "guarded_chain", "guarded_equal", "has_record"]
