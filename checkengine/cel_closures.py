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
exec). The subset: literals (whole numbers, doubles, strings without escapes, true, false, null,
lists, the empty map), ``record.…``, ``group.…`` and ``params.NAME``, ``has()``, ``== != < <= > >=
in && || ! ?:``, ``+ - * /`` of numbers, ``%`` of whole numbers, ``+`` of strings, ``size``,
``double``, ``int`` and ``string`` (:mod:`checkengine.cel_macros`), the list macros ``all``,
``exists``, ``exists_one``, ``map`` and ``filter`` when not nested, and the functions plugins
register (:mod:`checkengine.cel_ops` holds the closures). A condition outside it (nested macros,
non-empty maps, indexing, methods such as ``matches``, timestamps, escapes in strings ...) gets no
closure, and runs on the CEL engine as before.

Why a grammar of its own rather than a kept CEL parser: the binding (``common-expression-language``)
compiles to a program that shows its variables and functions, not its syntax tree; ``cel-python``'s
Lark parser gives the tree, but getting it costs about 0.4 s in every process that compiles a
rulebook (importing lark, and celpy with pendulum and re2, 0.18 s; building its LALR tables,
0.21-0.24 s, measured on 5 December 2026), more than the whole budget of ``lint`` of 1,000 rules
(0.35 s with start-up) and ten times the engine's compiling of them. The grammar here is CEL's
expression grammar only, and a condition it misreads could only be refused (it stays on the CEL
engine, which parses it again); the differential test checks the closures' answers against the
engine's on every condition of the rulebooks.

A closure answers only where the answer is certain under CEL's semantics, and otherwise raises
:class:`Fallback`, after which the condition runs on the CEL engine, which then gives the answer,
or the error (with its message), that it always gave: a missing field, a null or a value of another
type where an operator needs one (CEL does not coerce: ``1 < 'a'`` and ``!null`` are errors, ``1 ==
'a'`` is false, ``true == 1`` is false, ``1 == 1.0`` is true), a whole number outside 64 bits, a
function that raises, ``%`` of a negative number (CEL truncates, Python floors). A string's
``size`` is its UTF-8 bytes, as the binding counts; a list or map result is a copy, as CEL's is. ``tests/test_cel_closures.py`` proves, over generated records, that the closures agree with
the CEL engine on every condition of every bundled rulebook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from checkengine import limits
from checkengine.cel_fused import (
    all_of, any_of, call, equal_literal, guarded_chain, guarded_equal, has_record, plus_literal, relation,
)
from checkengine.cel_macros import MACROS, convert, divide, macro
from checkengine.cel_ops import (
    Closure, Fallback, NotInSubset, _Const, _has, _list, _Node, _Params, _Path, _Value,
    _arithmetic, _double, _negate, _not, _result, _size, _ternary, cel_equal,
)


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<float>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
     |(?P<int>\d+)(?![\w.])
     |(?P<str>'[^'\\\n]*'|"[^"\\\n]*")
     |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
     |(?P<op>&&|\|\||==|!=|<=|>=|[<>!?:()\[\]{},.*/%+-])
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

# -- the parser: CEL's expression grammar, building closures ------------------------------------------

class _Parser:
    def __init__(self, text: str, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.functions = functions
        self.scope: list[str] = []  # the loop variable of the macro being parsed

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
        if isinstance(node, _Value) and node.boolean:
            return node.closure()  # true or false: _result would hand it back as it is
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
        parts = [self.conditional_and()]
        while self.at("||"):
            self.take()
            parts.append(self.conditional_and())
        if len(parts) == 1:
            return parts[0]
        return _Value(any_of([p.closure() for p in parts]), boolean=True)  # one closure for the chain

    def conditional_and(self) -> "_Node":
        parts = [self.relation()]
        while self.at("&&"):
            self.take()
            parts.append(self.relation())
        if len(parts) == 1:
            return parts[0]
        guarded = guarded_chain([p.shape if isinstance(p, _Value) else None for p in parts])
        if guarded is not None:  # has(record.a) && has(record.a.b) && record.a.b == x: one closure
            return _Value(guarded_equal(*guarded), boolean=True, shape=("guarded", *guarded))
        return _Value(all_of([p.closure() for p in parts]), boolean=True)  # one closure for the chain

    def relation(self) -> "_Node":
        left = self.addition()
        while self.peek()[1] in _RELATIONS and self.peek()[0] in ("op", "name"):
            op = self.take()[1]
            right = self.addition()
            literal = equal_literal(left.closure(), right.value, op == "!=") \
                if op in ("==", "!=") and isinstance(right, _Const) else None
            shape = ("eq", left.path, right.value, op == "!=") if literal is not None and isinstance(left, _Path) \
                and isinstance(right, _Const) and left.root == "record" and len(left.path) == 2 else None
            left = _Value(literal or relation(op, left, right), boolean=True, shape=shape)
        return left

    def addition(self) -> "_Node":
        left = self.multiplication()
        while self.at("+") or self.at("-"):
            op = self.take()[1]
            right = self.multiplication()
            if isinstance(right, _Const) and type(right.value) is int:  # x - 1: one closure
                left = _Value(plus_literal(left.closure(), right.value if op == "+" else -right.value))
                continue
            left = _Value(_arithmetic(op, left.closure(), right.closure()))
        return left

    def multiplication(self) -> "_Node":
        left = self.unary()
        while self.at("*") or self.at("%") or self.at("/"):
            op = self.take()[1]
            if op == "/":
                left = _Value(divide(left.closure(), self.unary().closure()))
                continue
            left = _Value(_arithmetic(op, left.closure(), self.unary().closure()))
        return left

    def unary(self) -> "_Node":
        if self.at("!"):
            self.take()
            inner = self.unary()
            shape = inner.shape if isinstance(inner, _Value) else None
            if shape is not None and shape[0] == "guarded":  # !(has(record.a.b) && record.a.b == x): one closure
                _, path, constant, negate, outer = shape
                return _Value(guarded_equal(path, constant, negate, outer, invert=True), boolean=True)
            return _Value(_not(inner.closure()), boolean=True)
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
                node = self.macro(node, name)
                continue
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
        if kind == "op" and text == "{" and self.at("}"):
            self.take()
            return _Const({})  # the empty map (results are copied: never shared)
        if kind == "op" and text == "[":
            items: list[_Node] = []
            while not self.at("]"):
                items.append(self.expr())
                if not self.at("]"):
                    self.take(",")
            self.take("]")
            return _list(items)
        if kind == "name":
            if text in self.scope and not self.at("("):
                return _Path(text, ())  # a macro's loop variable
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

    def macro(self, target: "_Node", name: str) -> "_Node":
        """``TARGET.NAME(VAR, BODY)``: a list macro (cel_macros); not nested, not map's filter form."""
        if name not in MACROS:
            raise NotInSubset(f"the method {name}()")
        if self.scope:
            raise NotInSubset("nested macros")  # the CEL engine bounds their cost per record
        self.take("(")
        kind, var = self.take()
        if kind != "name" or var in _RESERVED or var in ("record", "group", "params"):
            raise NotInSubset(f"a loop variable named {var!r}")
        self.take(",")
        self.scope.append(var)
        try:
            body = self.expr()
        finally:
            self.scope.pop()
        self.take(")")
        return _Value(macro(name, var, target.closure(), body.closure()))

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
            fused = has_record(args[0].path) if args[0].root == "record" else None
            return _Value(fused or _has(args[0]), boolean=True,
                          shape=("has", args[0].path) if fused is not None else None)
        if name == "size" and len(args) == 1:
            return _Value(_size(args[0].closure()))
        if name == "double" and len(args) == 1:
            return _Value(_double(args[0].closure()))
        if name in ("int", "string") and len(args) == 1:
            return _Value(convert(name, args[0].closure()))
        fn = self.functions.get(name)
        if fn is None or name in _STANDARD_NOT_TRANSLATED:
            raise NotInSubset(f"the function {name}()")
        paths = [a.path if isinstance(a, _Path) and a.root == "record" and 1 <= len(a.path) <= 2 else None
                 for a in args]
        return _Value(call(fn, [a.closure() for a in args], paths))


# CEL's own functions that a plugin could not shadow, and that are not translated here.
_STANDARD_NOT_TRANSLATED = frozenset(
    "size double int uint string bytes bool timestamp duration type dyn matches contains startsWith endsWith"
    " has all exists exists_one map filter max min".split()
)

def translate(text: str, functions: Mapping[str, Callable[..., Any]]) -> Closure | None:
    """The closure for the condition *text*, or None when it is outside the translated subset."""
    try:
        return _Parser(text, functions).parse()
    except (NotInSubset, RecursionError):
        return None


__all__ = ["Fallback", "cel_equal", "translate"]
