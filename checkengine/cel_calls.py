"""Calls of the condition language's functions as closures (:mod:`checkengine.cel_closures`):
the arguments and the answer must be values CEL holds as they are (:func:`_plain_arg`), and a
function that raises falls back, so that CEL runs it again and reports the error its own way. A
call whose arguments are record paths of one or two parts (``weekday(record.timestamp)``,
``days_between(record.observations.x, record.timestamp)``) reads them itself, as the paths' own
closures (``cel_ops._walker``) would; ``tests/test_cel_fused.py`` compares the two on records of
every shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from checkengine import limits
from checkengine.cel_ops import Closure, Fallback, _plain, deep_plain

if TYPE_CHECKING:
    from checkengine.checks import Env

_FALLBACK = Fallback()
_MIN, _MAX = limits.INT_MIN, limits.INT_MAX


def _call_path(fn: Callable[..., Any], path: tuple[str, ...]) -> Closure:
    """``fn(record.<path>)`` for a path of one or two parts (``weekday(record.timestamp)``), read as
    :func:`_call_paths` reads each of its two."""
    a, b = path[0], path[1] if len(path) == 2 else None

    def call_path(env: "Env") -> Any:
        record = env.record
        if type(record) is not dict:
            raise _FALLBACK
        if b is None:
            if a not in record:
                raise _FALLBACK
            x = record[a]
        else:
            x = record.get(a, _FALLBACK)
            if type(x) is not dict or b not in x:
                raise _FALLBACK
            x = x[b]
        if type(x) is not str or not x.isascii():
            x = _plain_arg(_plain(x))
        try:
            got = fn(x)
        except Exception:
            raise _FALLBACK from None
        return got if type(got) is bool else _plain_arg(got)

    return call_path


def _call_paths(fn: Callable[..., Any], first: tuple[str, ...], second: tuple[str, ...]) -> Closure:
    """``fn(record.<first>, record.<second>)`` for paths of one or two parts: each read as
    ``cel_ops._walker``'s closure reads it (Fallback where it falls back), then as :func:`call`."""
    a1, b1 = first[0], first[1] if len(first) == 2 else None
    a2, b2 = second[0], second[1] if len(second) == 2 else None

    def call_paths(env: "Env") -> Any:
        record = env.record
        if type(record) is not dict:
            raise _FALLBACK
        if b1 is None:
            if a1 not in record:
                raise _FALLBACK
            x = record[a1]
        else:
            x = record.get(a1, _FALLBACK)
            if type(x) is not dict or b1 not in x:
                raise _FALLBACK
            x = x[b1]
        if type(x) is not str or not x.isascii():
            x = _plain_arg(_plain(x))
        if b2 is None:
            if a2 not in record:
                raise _FALLBACK
            y = record[a2]
        else:
            y = record.get(a2, _FALLBACK)
            if type(y) is not dict or b2 not in y:
                raise _FALLBACK
            y = y[b2]
        if type(y) is not str or not y.isascii():
            y = _plain_arg(_plain(y))
        try:
            got = fn(x, y)
        except Exception:
            raise _FALLBACK from None
        return got if type(got) is bool else _plain_arg(got)

    return call_paths


def _plain_arg(value: Any) -> Any:
    """*value* if CEL holds it as it is (text, booleans, null, 64-bit whole numbers and numbers that
    are not NaN inline)."""
    kind = type(value)
    if kind is str:
        if value.isascii():
            return value
    elif kind is bool or value is None:
        return value
    elif kind is int and _MIN <= value <= _MAX:
        return value
    elif kind is float and value == value:  # not NaN (minutes_between's answers): plain as it is
        return value
    return deep_plain(value)


def call(fn: Callable[..., Any], args: Sequence[Closure], paths: Sequence[tuple[str, ...] | None] = ()) -> Closure:
    """A call of a plugin's function: its arguments and its result must be values CEL holds as they
    are, and a function that raises falls back (CEL runs it again and reports the error its own way).

    *paths*: for each argument, the record path it reads when it is one of one or two parts
    (``record.timestamp``, ``record.data.shift_start``), else None; a call of one or two such
    arguments (``days_between(record.observations.x, record.timestamp)``) reads them itself, as
    their closures would."""
    if len(args) == 2 and len(paths) == 2 and paths[0] is not None and paths[1] is not None:
        return _call_paths(fn, paths[0], paths[1])
    if len(args) == 1 and len(paths) == 1 and paths[0] is not None:
        return _call_path(fn, paths[0])
    if len(args) == 1:
        (one,) = args

        def call_one(env: "Env") -> Any:
            value = one(env)
            if type(value) is not str or not value.isascii():
                value = _plain_arg(value)
            try:
                got = fn(value)
            except Exception:
                raise _FALLBACK from None
            return got if type(got) is bool else _plain_arg(got)

        return call_one
    if len(args) == 2:
        first, second = args

        def call_two(env: "Env") -> Any:
            a = first(env)
            if type(a) is not str or not a.isascii():  # text in ASCII (dates, times): plain as it is
                a = _plain_arg(a)
            b = second(env)
            if type(b) is not str or not b.isascii():
                b = _plain_arg(b)
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


__all__ = ["call"]
