"""CEL conditions translated once into Python closures, for the subset the rulebooks use.

The CEL binding (:mod:`checkengine.conditions`) runs a condition against a context that holds the
record's values converted into CEL values: building that context costs tens of microseconds per
record, running a condition a few. Most conditions only test fields against literals (``has(...)``,
``==``, ``in [...]``, ``&&``, ``||``, ``!``, comparisons, ``size``, ``double`` and the functions
plugins add), which plain Python closures do in well under a microsecond, reading the record as it
is.

:func:`translate` parses a condition's text (the binding exposes no syntax tree, so this module
parses CEL's expression grammar itself, precedence as in the CEL specification) and builds a tree
of closures from the nodes; nothing of the rule text is ever evaluated as Python (no eval, no
exec). A condition outside the subset (macros, maps, indexing, methods, division, escapes in
strings ...) gets no closure, and runs on the CEL engine as before.

A closure answers only where the answer is certain under CEL's semantics, and otherwise raises
:class:`Fallback`, after which the condition runs on the CEL engine, which then gives the answer,
or the error (with its message), that it always gave: a missing field, a null or a value of another
type where an operator needs one (CEL does not coerce: ``1 < 'a'`` and ``!null`` are errors, ``1 ==
'a'`` is false, ``true == 1`` is false, ``1 == 1.0`` is true), a whole number outside 64 bits, a
function that raises, a string's ``size`` (the binding counts bytes), and any result that is not a
scalar. ``tests/test_cel_closures.py`` proves, over generated records, that the closures agree with
the CEL engine on every condition of every bundled rulebook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<float>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
     |(?P<int>\d+)(?![\w.])
     |(?P<str>'[^'\\\n]*'|"[^"\\\n]*")
     |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
     |(?P<op>&&|\|\||==|!=|<=|>=|[<>!?:()\[\],.*+-])
    )""",
    re.VERBOSE,
)
_RELATIONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_RESERVED = {"true", "false", "null", "in"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    end = len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise NotInSubset(f"cannot read {text[pos:pos + 10]!r}")
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        out.append((kind, value))
        pos = match.end()
    out.append(("end", ""))
    return out


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


def _deep_plain(value: Any) -> Any:
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


# -- the parser: CEL's expression grammar, building closures ------------------------------------------

class _Parser:
    def __init__(self, text: str, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.functions = functions

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.i]
        if value is not None and token[1] != value:
            raise NotInSubset(f"expected {value!r}, found {token[1]!r}")
        self.i += 1
        return token

    def at(self, value: str) -> bool:
        kind, text = self.tokens[self.i]
        return text == value and kind in ("op", "name")

    def parse(self) -> Closure:
        node = self.expr()
        if self.peek()[0] != "end":
            raise NotInSubset(f"unexpected {self.peek()[1]!r}")
        return _result(node.closure())

    # Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    def expr(self) -> "_Node":
        cond = self.conditional_or()
        if not self.at("?"):
            return cond
        self.take("?")
        yes = self.conditional_or()
        self.take(":")
        no = self.expr()
        return _Value(_ternary(cond.closure(), yes.closure(), no.closure()))

    def conditional_or(self) -> "_Node":
        left = self.conditional_and()
        while self.at("||"):
            self.take()
            left = _Value(_or(left.closure(), self.conditional_and().closure()))
        return left

    def conditional_and(self) -> "_Node":
        left = self.relation()
        while self.at("&&"):
            self.take()
            left = _Value(_and(left.closure(), self.relation().closure()))
        return left

    def relation(self) -> "_Node":
        left = self.addition()
        while self.peek()[1] in _RELATIONS and self.peek()[0] in ("op", "name"):
            op = self.take()[1]
            right = self.addition()
            left = _Value(_relation(op, left, right))
        return left

    def addition(self) -> "_Node":
        left = self.multiplication()
        while self.at("+") or self.at("-"):
            op = self.take()[1]
            left = _Value(_arithmetic(op, left.closure(), self.multiplication().closure()))
        return left

    def multiplication(self) -> "_Node":
        left = self.unary()
        while self.at("*"):
            self.take()
            left = _Value(_arithmetic("*", left.closure(), self.unary().closure()))
        return left

    def unary(self) -> "_Node":
        if self.at("!"):
            self.take()
            return _Value(_not(self.unary().closure()))
        if self.at("-"):
            self.take()
            kind, text = self.peek()
            if kind in ("int", "float"):  # a negative literal
                self.take()
                if kind == "float":
                    return _Const(-float(text))
                if -int(text) < limits.INT_MIN:
                    raise NotInSubset("a whole number past 64 bits")
                return _Const(-int(text))
            return _Value(_negate(self.unary().closure()))
        return self.member()

    def member(self) -> "_Node":
        node = self.primary()
        while self.at("."):
            self.take()
            kind, name = self.take()
            if kind != "name" or name in _RESERVED:
                raise NotInSubset(f"a field named {name!r}")
            if self.at("("):
                raise NotInSubset(f"the method {name}()")
            node = node.select(name)
        if self.at("["):
            raise NotInSubset("indexing")
        return node

    def primary(self) -> "_Node":
        kind, text = self.take()
        if kind == "int":
            value = int(text)
            if value > limits.INT_MAX:
                raise NotInSubset("a whole number past 64 bits")
            return _Const(value)
        if kind == "float":
            return _Const(float(text))
        if kind == "str":
            return _Const(text[1:-1])
        if kind == "op" and text == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind == "op" and text == "[":
            items: list[_Node] = []
            while not self.at("]"):
                items.append(self.expr())
                if not self.at("]"):
                    self.take(",")
            self.take("]")
            return _list(items)
        if kind == "name":
            if text in ("true", "false"):
                return _Const(text == "true")
            if text == "null":
                return _Const(None)
            if self.at("("):
                return self.call(text)
            if text in ("record", "group"):
                return _Path(text, ())
            if text == "params":
                return _Params()
        raise NotInSubset(f"{text!r}")

    def call(self, name: str) -> "_Node":
        self.take("(")
        args: list[_Node] = []
        while not self.at(")"):
            args.append(self.expr())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        if name == "has":
            if len(args) != 1 or not isinstance(args[0], _Path) or not args[0].path:
                raise NotInSubset("has() of anything but a field")
            return _Value(_has(args[0]))
        if name == "size" and len(args) == 1:
            return _Value(_size(args[0].closure()))
        if name == "double" and len(args) == 1:
            return _Value(_double(args[0].closure()))
        fn = self.functions.get(name)
        if fn is None or name in _STANDARD_NOT_TRANSLATED:
            raise NotInSubset(f"the function {name}()")
        return _Value(_call(fn, [a.closure() for a in args]))


# CEL's own functions that a plugin could not shadow, and that are not translated here.
_STANDARD_NOT_TRANSLATED = frozenset(
    "size double int uint string bytes bool timestamp duration type dyn matches contains startsWith endsWith"
    " has all exists exists_one map filter max min".split()
)


# -- nodes ---------------------------------------------------------------------------------------------

class _Node:
    def closure(self) -> Closure:
        raise NotImplementedError

    def select(self, name: str) -> "_Node":
        inner = self.closure()

        def select(env: "Env") -> Any:
            value = inner(env)
            if type(value) is dict and name in value:
                return _plain(value[name])
            raise _FALLBACK

        return _Value(select)


class _Value(_Node):
    def __init__(self, fn: Closure) -> None:
        self.fn = fn

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
        if not self.path:
            raise NotInSubset(f"{self.root} as a whole")
        return _walker(self.root, self.path)


def _root(env: "Env", root: str) -> Any:
    value = env.record if root == "record" else env.group
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
                    return _plain(value[b])
            raise _FALLBACK

        return two

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
        raise _FALLBACK

    return result


def _bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise _FALLBACK


def _ternary(cond: Closure, yes: Closure, no: Closure) -> Closure:
    return lambda env: yes(env) if _bool(cond(env)) else no(env)


def _or(left: Closure, right: Closure) -> Closure:
    def either(env: "Env") -> bool:
        if _bool(left(env)):
            return True
        return _bool(right(env))

    return either


def _and(left: Closure, right: Closure) -> Closure:
    def both(env: "Env") -> bool:
        if not _bool(left(env)):
            return False
        return _bool(right(env))

    return both


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


def _relation(op: str, left_node: _Node, right_node: _Node) -> Closure:
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
                return lambda env: cel_equal(left(env), constant) is not negate
        return lambda env: cel_equal(left(env), right(env)) is not negate

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


def _arithmetic(op: str, left: Closure, right: Closure) -> Closure:
    def arithmetic(env: "Env") -> Any:
        a, b = left(env), right(env)
        ta = type(a)
        if ta is not type(b) or ta not in _NUMBERS:
            raise _FALLBACK
        value = a * b if op == "*" else a + b if op == "+" else a - b
        return _arith_int(value) if ta is int else value

    return arithmetic


def _size(inner: Closure) -> Closure:
    def size(env: "Env") -> int:
        value = inner(env)
        if type(value) in (list, dict):
            return len(value)
        raise _FALLBACK  # a string's size is its bytes in the binding: let CEL say

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


def _call(fn: Callable[..., Any], args: list[Closure]) -> Closure:
    def call(env: "Env") -> Any:
        values = [_deep_plain(a(env)) for a in args]
        try:
            got = fn(*values)
        except Exception:
            raise _FALLBACK from None  # CEL runs it again and reports the error its own way
        if type(got) is bool:
            return got
        return _deep_plain(got)

    return call


def plain_context(env: "Env", refs: tuple[Any, Any]) -> bool:
    """Whether every value the CEL context of *env* would hold (the record's parts at the
    rulebook's paths, the parameters its conditions name, the group) is one CEL holds as it is: a
    value the binding cannot convert fails every condition on the engine, so closures must not
    answer then."""
    from checkengine.cel_context import prune

    paths, names = refs
    try:
        if env.record is not None:
            _deep_plain(prune(env.record, paths))
        _deep_plain(env.params_table(names))
        if env.group is not None:
            _deep_plain(dict(env.group))
    except Exception:
        return False
    return True


def translate(text: str, functions: Mapping[str, Callable[..., Any]]) -> Closure | None:
    """The closure for the condition *text*, or None when it is outside the translated subset."""
    try:
        return _Parser(text, functions).parse()
    except (NotInSubset, RecursionError):
        return None


__all__ = ["Fallback", "cel_equal", "plain_context", "translate"]
