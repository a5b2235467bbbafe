"""Parsing YAML text into one document's node graph with PyYAML's safe parser (the C one when
present), refusing what cannot be read, each with a located message that says how to fix it:
syntax errors (with hints for tabs, indentation and unclosed quotes), a document nested too
deeply, an empty file, more than one document, and aliases that expand to more values than
allowed (an alias bomb, "billion laughs", found in time proportional to the file, not to its
expansion). :mod:`checkengine.yamlio` builds the plain values from the node.
"""

from __future__ import annotations

import operator
import re
from typing import Any

import yaml

from checkengine import limits
from checkengine.errors import Location, UserError

try:  # the C parser is several times faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"


class _Loader(_SafeLoader):
    """The safe loader with a quicker resolver of plain scalars' tags.

    Even the C parser asks the Python resolver for the tag of every scalar; PyYAML's builds a new
    list of candidate patterns on each call (a seventh of composing a rulebook). This one tries
    the same patterns in the same order, so every scalar gets the same tag
    (``tests/test_yaml_parse.py`` compares them); the safe loader has no path resolvers and no
    patterns for every first character (a test checks), which is what lets it skip those steps.
    """

    # The composer also calls descend_resolver(parent, index) and ascend_resolver() around every
    # node, to follow path resolvers; this loader has none (its own empty table, whatever is added
    # to PyYAML's loaders), so both do nothing, and C functions that take the same arguments and
    # do nothing save the two Python calls per node (a twelfth of composing a rulebook).
    yaml_path_resolvers: dict[Any, Any] = {}
    descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]  # its result is ignored
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]  # as this one's

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]



def compose(text: str, name: str, cap: int) -> yaml.Node:
    """The root node of *text*'s one YAML document, whose aliases expand to at most *cap* values."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:
        raise UserError(
            f"the document is nested too deeply to read (more than {limits.NESTING.get()} levels "
            "of mappings and lists are not allowed): flatten it",
            Location(name, 1, 1),
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, name, text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks almost every error
        raise UserError(f"invalid YAML: {exc}", Location(name, 1, 1)) from None
    if not nodes or nodes[0] is None:
        raise UserError(
            "the file is empty (or holds only comments); expected a YAML mapping, e.g. a first "
            "line 'checkengine: 1'",
            Location(name, 1, 1),
        )
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise UserError(
            "more than one YAML document ('---'); keep one document per file",
            Location(name, mark.line + 1, mark.column + 1),
        )
    if "*" in text:  # no alias without a '*'; most files have none and skip the walk
        _check_expansion(nodes[0], name, cap)
    return nodes[0]


def _check_expansion(root: yaml.Node, name: str, cap: int) -> None:
    """Refuse a document whose aliases expand to more than MAX_VALUES values ("billion laughs").

    Aliases share nodes in the composed graph, so each node's expanded size is computed once:
    this costs time in the size of the file, not of its expansion.
    """
    sizes: dict[int, int] = {}
    uses: dict[int, int] = {}
    nodes: dict[int, yaml.Node] = {}
    # Iterative post-order walk: deep nesting must not hit Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), _SIZE_CAP)
            continue
        uses[key] = uses.get(key, 0) + 1
        if key in nodes:
            continue
        nodes[key] = node
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    total = sizes[id(root)]
    if total <= cap:
        return
    repeated = [k for k, n in uses.items() if n > 1]
    worst = max(repeated, key=lambda k: sizes[k]) if repeated else id(root)
    mark = nodes[worst].start_mark
    raise UserError(
        f"aliases expand this document to {_count(total)} values, more than the {cap:,} "
        f"allowed (an alias bomb, 'billion laughs'); the value anchored here stands for "
        f"{_count(sizes[worst])} values and is used {uses[worst] - 1} times by aliases: write the "
        "values out instead of nesting aliases of aliases",
        Location(name, mark.line + 1, mark.column + 1),
    )


_SIZE_CAP = 10**15  # beyond any real document; keeps the arithmetic small


def _count(n: int) -> str:
    return f"{n:,}" if n < _SIZE_CAP else f"more than {_SIZE_CAP:,}"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _yaml_error(exc: yaml.MarkedYAMLError, name: str, text: str) -> UserError:
    mark = exc.problem_mark or exc.context_mark
    loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
    problem = (exc.problem or "invalid YAML").replace(" in this context", " here")
    quote = _unclosed_quote(exc, text, name)
    if quote is not None:
        return quote
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if at_tab or "tab" in problem:
        return UserError(
            "invalid YAML: a tab character; YAML indents with spaces only: replace the tab with "
            "spaces",
            loc,
        )
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = ("; check the indentation of this line against the lines above it, or quote a "
                "value that contains ': '")
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        hint = ("; the indentation of this line does not match the lines above it: indent keys "
                "of one mapping by the same number of spaces")
    elif "did not find expected '-' indicator" in problem:
        hint = "; the items of a list must all start with '-' at the same indentation"
    elif "found undefined alias" in problem:
        named = re.match(r"\*([^\s,\]\}]+)", text[mark.index:]) if mark is not None else None
        if named and "'" not in problem:
            problem = f"found undefined alias '{named.group(1)}'"
        hint = "; define the anchor (&name) before using the alias (*name)"
    context = f" ({exc.context})" if exc.context else ""
    return UserError(f"invalid YAML: {problem}{context}{hint}", loc)


def _unclosed_quote(exc: yaml.MarkedYAMLError, text: str, name: str) -> UserError | None:
    """A quoted string whose closing quote is missing, located where the string starts."""
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        start = exc.context_mark
        char = text[start.index] if start.index < len(text) else '"'
        return UserError(
            f"invalid YAML: this quoted string is never closed (the file ends inside it); add the "
            f"closing {char} at the end of the string",
            Location(name, start.line + 1, start.column + 1),
        )
    mark = exc.problem_mark
    if mark is None:
        return None
    suspect = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                suspect = token
    except yaml.YAMLError:
        pass
    # A quoted string that spans lines and ends on the very line that fails to parse has almost
    # certainly swallowed the lines after a missing closing quote.
    if suspect is None or suspect.start_mark.line == suspect.end_mark.line:
        return None
    if suspect.end_mark.line != mark.line:
        return None
    start, end = suspect.start_mark, suspect.end_mark
    return UserError(
        f"invalid YAML: this quoted string is not closed on its line: it runs on to line "
        f"{end.line + 1}, where the next {suspect.style} is; add the closing {suspect.style}",
        Location(name, start.line + 1, start.column + 1),
    )
