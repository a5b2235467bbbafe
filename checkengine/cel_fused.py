"""Closures for the shapes of CEL conditions that rulebooks write most, each one Python call where
the general closures of :mod:`checkengine.cel_ops` make several: a chain of ``&&`` or ``||``,
``has()`` of a record field one or two levels down, ``==`` / ``!=`` with a literal that is text,
a boolean or null, and a call of a function with plain arguments. Each answers exactly what the
general closures answer, and raises :class:`~checkengine.cel_ops.Fallback` where they would
(``tests/test_cel_fused.py`` compares the two on generated values; ``tests/test_cel_closures.py``
compares the closures with the CEL engine on every condition of the bundled rulebooks).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from checkengine import limits
from checkengine.cel_calls import _call_path, _call_paths, _plain_arg, call
from checkengine.cel_ops import Closure, Fallback, _comparable, _Const, _Node, _plain, cel_equal

if TYPE_CHECKING:
    from checkengine.checks import Env

_FALLBACK = Fallback()
_SCALARS = (str, bool, int, float, type(None))
_MIN, _MAX = limits.INT_MIN, limits.INT_MAX


def relation(op: str, left_node: _Node, right_node: _Node) -> Closure:
    """``left OP right`` for ``== != < <= > >= in``: CEL's equality and ordering on plain values."""
    left, right = left_node.closure(), right_node.closure()
    if op == "in":
        if isinstance(right_node, _Const) and type(right_node.value) is list \
                and all(type(v) is str for v in right_node.value):
            words = frozenset(right_node.value)

            def among(env: "Env") -> bool:
                value = left(env)
                if type(value) is str:
                    return value in words
                if type(value) in _SCALARS:
                    return False  # CEL: a value of another type equals no string
                raise _FALLBACK

            return among

        def within(env: "Env") -> bool:
            value, items = left(env), right(env)
            if type(items) is not list:
                raise _FALLBACK
            return any(cel_equal(value, item) for item in items)

        return within
    if op in ("==", "!="):
        negate = op == "!="
        if isinstance(right_node, _Const):
            constant = right_node.value
            if type(constant) in _SCALARS:
                kind = type(constant)

                def equal(env: "Env") -> bool:
                    a = left(env)
                    if type(a) is kind:  # cel_equal's answer for two values of one scalar type
                        return (a == constant) is not negate
                    return cel_equal(a, constant) is not negate

                return equal

        def equal_values(env: "Env") -> bool:
            a, b = left(env), right(env)
            if type(a) is int and type(b) is int:  # cel_equal's answer for two whole numbers
                return (a == b) is not negate
            return cel_equal(a, b) is not negate

        return equal_values

    if isinstance(right_node, _Const) and type(right_node.value) in (int, str):
        constant, kind = right_node.value, type(right_node.value)
        test = _ORDER[op]

        def against(env: "Env") -> bool:
            a = left(env)
            if type(a) is not kind:
                _comparable(a, constant)  # falls back unless CEL compares them as numbers
            return bool(test(a, constant))

        return against

    def compare(env: "Env") -> bool:
        a, b = left(env), right(env)
        _comparable(a, b)
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)

    return compare


_ORDER: dict[str, Callable[[Any, Any], Any]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
                                                ">=": operator.ge}


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


def has_record(path: tuple[str, ...]) -> Closure:
    """``has(record.a)``, ``has(record.a.b)``, ``has(record.a.b.c)`` ... read inline. An owner that
    is not a map falls back, as the general walk does."""
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
    owner, end = path[:-1], path[-1]

    def has_deep(env: "Env") -> bool:
        value = env.record
        for key in owner:
            if type(value) is not dict or key not in value:
                raise _FALLBACK
            value = value[key]
        if type(value) is dict:
            return end in value
        raise _FALLBACK

    return has_deep


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


def plus_literal(left: Closure, constant: int) -> Closure:
    """``x + 1`` / ``x - 1`` (as ``x + -1``) with a whole-number literal: what the general
    arithmetic closure answers (a whole number within 64 bits; anything else falls back)."""
    def plus(env: "Env") -> Any:
        value = left(env)
        if type(value) is int:
            value += constant
            if _MIN <= value <= _MAX:
                return value
        raise _FALLBACK

    return plus


def guarded_chain(shapes: Sequence[tuple[Any, ...] | None]) -> tuple[tuple[str, ...], Any, bool, bool] | None:
    """The arguments of :func:`guarded_equal` for a chain of ``&&`` whose parts have *shapes*
    (``("has", path)``, ``("eq", path, literal, negate)``), when it is that guarded test."""
    if not 2 <= len(shapes) <= 3 or shapes[-1] is None or shapes[-1][0] != "eq":
        return None
    _, path, constant, negate = shapes[-1]
    if shapes[-2] != ("has", path) or (len(shapes) == 3 and shapes[0] != ("has", path[:1])):
        return None
    return path, constant, negate, len(shapes) == 3


__all__ = ["relation", "all_of", "any_of", "plus_literal", "call", "equal_literal", "guarded_chain", "guarded_equal", "has_record"]
