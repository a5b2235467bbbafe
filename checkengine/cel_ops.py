"""The closures a translated CEL condition is made of (:mod:`checkengine.cel_closures` parses the
condition and builds them): values as CEL holds them, CEL's equality and ordering on them, and one
closure per operator, field walk, literal and function call. Each raises :class:`Fallback` where it
cannot be sure of CEL's answer, and the condition then runs on the CEL engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from checkengine import limits

if TYPE_CHECKING:
    from checkengine.checks import Env

Closure = Callable[["Env"], Any]


class Fallback(Exception):
    """The closure cannot be sure of CEL's answer here: run the condition on the CEL engine."""


class NotInSubset(Exception):
    """The condition uses something the closures do not translate."""


_FALLBACK = Fallback()
_SCALARS = (str, bool, int, float, type(None))
_NUMBERS = (int, float)


# -- values as CEL sees them ---------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """*value* if CEL holds it as the same Python value (64-bit whole numbers), else Fallback."""
    kind = type(value)
    if kind is str:
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, which CEL cannot hold
                raise _FALLBACK from None
        return value
    if kind is int:
        if limits.INT_MIN <= value <= limits.INT_MAX:
            return value
        raise _FALLBACK
    if kind is float:
        if value != value:
            raise _FALLBACK  # NaN: compare and equal as CEL does only with the engine itself
        return value
    if kind in (bool, type(None), list, dict):
        return value
    raise _FALLBACK


def deep_plain(value: Any) -> Any:
    """*value* if every part of it is held by CEL as is (function arguments and results)."""
    todo = [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(k) is str for k in item):
                raise _FALLBACK
            todo.extend(item.values())
        elif kind is list:
            todo.extend(item)
        else:
            _plain(item)
    return value


def cel_equal(a: Any, b: Any) -> bool:
    """CEL's ``==`` on scalars: numbers across int and double, otherwise equal types only."""
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta in _SCALARS:
            return bool(a == b)
        raise _FALLBACK
    if ta in _NUMBERS and tb in _NUMBERS:
        _exact(a, b)
        return bool(a == b)
    if ta in _SCALARS and tb in _SCALARS:
        return False
    raise _FALLBACK


def _exact(a: Any, b: Any) -> None:
    """An int beside a double: only where the double holds the int exactly (and no NaN)."""
    if a != a or b != b or (type(a) is int and abs(a) > _EXACT) or (type(b) is int and abs(b) > _EXACT):
        raise _FALLBACK


_EXACT = 2 ** 53


def _comparable(a: Any, b: Any) -> None:
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int):
        return
    if ta in _NUMBERS and tb in _NUMBERS:
        _exact(a, b)
        return
    raise _FALLBACK


def _arith_int(value: int) -> int:
    if limits.INT_MIN <= value <= limits.INT_MAX:
        return value
    raise _FALLBACK

# -- nodes ---------------------------------------------------------------------------------------------

class _Node(ABC):
    """A node of a translated condition; each kind builds its closure."""

    @abstractmethod
    def closure(self) -> Closure: ...

    def select(self, name: str) -> "_Node":
        inner = self.closure()

        def select(env: "Env") -> Any:
            value = inner(env)
            if type(value) is dict and name in value:
                return _plain(value[name])
            raise _FALLBACK

        return _Value(select)


class _Value(_Node):
    def __init__(self, fn: Closure, boolean: bool = False, shape: tuple[Any, ...] | None = None) -> None:
        self.fn = fn
        #: the closure always answers true or false (or raises): a condition's result as it is
        self.boolean = boolean
        #: what the node tests, where cel_fused may fuse it with its neighbours (``("has", path)``)
        self.shape = shape

    def closure(self) -> Closure:
        return self.fn


class _Const(_Node):
    def __init__(self, value: Any) -> None:
        self.value = value

    def closure(self) -> Closure:
        value = self.value
        return lambda env: value

    def select(self, name: str) -> "_Node":
        raise NotInSubset("a field of a literal")


def _list(items: list[_Node]) -> _Node:
    if all(isinstance(i, _Const) for i in items):
        return _Const([i.value for i in items])  # type: ignore[attr-defined]
    fns = [i.closure() for i in items]
    return _Value(lambda env: [f(env) for f in fns])


class _Path(_Node):
    """``record.a.b`` or ``group.a``: a walk down the variable's maps, read as one closure."""

    def __init__(self, root: str, path: tuple[str, ...]) -> None:
        self.root = root
        self.path = path

    def select(self, name: str) -> "_Node":
        return _Path(self.root, self.path + (name,))

    def closure(self) -> Closure:
        if not self.path and self.root in ("record", "group"):
            raise NotInSubset(f"{self.root} as a whole")
        return _walker(self.root, self.path)  # a macro's loop variable (cel_macros) may stand alone


def _root(env: "Env", root: str) -> Any:
    value = env.record if root == "record" else env.group if root == "group" else (env.scope or {}).get(root)
    if value is None:
        raise _FALLBACK
    return value


def _walker(root: str, path: tuple[str, ...]) -> Closure:
    if root == "record" and len(path) == 2:
        a, b = path

        def two(env: "Env") -> Any:
            value = env.record
            if type(value) is dict:
                value = value.get(a, _FALLBACK)
                if type(value) is dict and b in value:
                    value = value[b]
                    kind = type(value)
                    if kind is str and value.isascii() or kind is bool or value is None:
                        return value  # _plain's commonest answers, inline
                    return _plain(value)
            raise _FALLBACK

        return two
    if root == "record" and len(path) == 1:
        (a,) = path

        def one(env: "Env") -> Any:
            value = env.record
            if type(value) is dict and a in value:
                return _plain(value[a])
            raise _FALLBACK

        return one

    if root == "record":
        def walk_record(env: "Env") -> Any:
            value = env.record
            for key in path:
                if type(value) is not dict or key not in value:
                    raise _FALLBACK
                value = value[key]
            return _plain(value)

        return walk_record

    def walk(env: "Env") -> Any:
        value = _root(env, root)
        for key in path:
            if type(value) is not dict or key not in value:
                raise _FALLBACK
            value = value[key]
        return _plain(value)

    return walk


def _has(node: _Path) -> Closure:
    owner, last = _walker(node.root, node.path[:-1]), node.path[-1]

    def has(env: "Env") -> bool:
        value = owner(env)
        if type(value) is dict:
            return last in value
        raise _FALLBACK

    return has


class _Params(_Node):
    def closure(self) -> Closure:
        raise NotInSubset("params as a whole")

    def select(self, name: str) -> "_Node":
        def param(env: "Env") -> Any:
            if name in env.book.parameters:
                pv = env._value_of(name)
                if pv is not None:
                    return _plain(pv.value)
            raise _FALLBACK

        return _Value(param)


def _result(fn: Closure) -> Closure:
    def result(env: "Env") -> Any:
        value = fn(env)
        if type(value) in _SCALARS:
            return value
        return _copy(deep_plain(value))  # a list or map: CEL hands back a copy, never the record's own

    return result


def _copy(value: Any) -> Any:
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


def _bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise _FALLBACK


def _ternary(cond: Closure, yes: Closure, no: Closure) -> Closure:
    return lambda env: yes(env) if _bool(cond(env)) else no(env)


def _not(inner: Closure) -> Closure:
    return lambda env: not _bool(inner(env))


def _negate(inner: Closure) -> Closure:
    def negate(env: "Env") -> Any:
        value = inner(env)
        if type(value) is int:
            return _arith_int(-value)
        if type(value) is float:
            return -value
        raise _FALLBACK

    return negate


def _arithmetic(op: str, left: Closure, right: Closure) -> Closure:
    def arithmetic(env: "Env") -> Any:
        a, b = left(env), right(env)
        ta = type(a)
        if ta is not type(b) or ta not in _NUMBERS:
            if ta is str and type(b) is str and op == "+":
                return a + b  # strings concatenate; nothing else of another type is certain here
            raise _FALLBACK
        if op == "%":
            if ta is not int or a < 0 or b <= 0:
                raise _FALLBACK  # CEL's % truncates (Python's floors); only ints; by zero an error
            return a % b
        value = a * b if op == "*" else a + b if op == "+" else a - b
        return _arith_int(value) if ta is int else value

    return arithmetic


def _size(inner: Closure) -> Closure:
    def size(env: "Env") -> int:
        value = inner(env)
        if type(value) in (list, dict):
            return len(value)
        if type(value) is str:
            return len(value.encode("utf-8"))  # the binding counts a string's UTF-8 bytes (size('中文') == 6)
        raise _FALLBACK

    return size


def _double(inner: Closure) -> Closure:
    def double(env: "Env") -> float:
        value = inner(env)
        if type(value) is float:
            return value
        if type(value) is int:
            return float(value)
        raise _FALLBACK

    return double
