"""Strict, safe YAML reading that remembers where every value came from.

The document is composed into nodes by PyYAML's safe parser (the C one when present;
:mod:`checkengine.yaml_parse`, which refuses malformed documents and alias bombs) and then built
into plain Python values here, so that:

* only the core YAML types exist (mappings, sequences, strings, numbers, booleans, null); any
  explicit tag such as ``!!python/object`` is refused;
* dates and timestamps stay strings until a schema says what they are (openfisca does the same);
* a key given twice is an error naming both lines;
* aliases are followed, but the number of values built is bounded, so an alias bomb
  ("billion laughs") is refused instead of exhausting memory;
* every value's position can be found by its path, for error messages: the document keeps its
  composed node and looks a position up there when one is asked for.
"""

from __future__ import annotations

import gc
import re
from math import isfinite
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from checkengine import limits
from checkengine.errors import Location, UserError
from checkengine.inputs import read_capped
from checkengine.yaml_parse import compose


PathT = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass
class Document:
    """A parsed YAML document with the position of each value and each mapping key.

    A document read from YAML keeps its composed ``node`` and finds a position in it when one is
    asked for (an error or a finding): most documents are valid, and recording every value's
    position while building them was two thirds of the building. A document made in code gives
    its positions in the two tables instead.
    """

    file: str
    data: Any
    positions: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    node: yaml.Node | None = field(default=None, repr=False, compare=False)
    #: ``data`` when its build found every number finite and a signed 64-bit whole number where it
    #: is whole (what validation asks of every document), so validation need not walk it again
    plain_numbers: Any = field(default=None, repr=False, compare=False)

    def location(self, path: PathT, *, key: bool = False) -> Location:
        """The location of the value at *path* (or of its key), falling back to the nearest parent."""
        if self.node is not None:
            line, col = _position(self.node, tuple(path), key)
            return Location(self.file, line, col, format_path(path))
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col, format_path(path))
            if not probe:
                return Location(self.file, 1, 1, format_path(path))
            probe = probe[:-1]
            table = self.positions


def format_path(path: PathT) -> str:
    """``sections[0].rules[3].check.max`` from a path tuple."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _position(root: yaml.Node, path: PathT, key: bool) -> tuple[int, int]:
    """The 1-based (line, column) of the value at *path* under *root*, or of its mapping key;
    for a path that goes nowhere, its nearest parent value's (the key of a path that is no mapping
    key: its parent value's; the key of the root: 1, 1), as the position tables give them."""
    if key and not path:
        return 1, 1
    node, last = root, len(path) - 1
    for i, part in enumerate(path):
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.value == part:  # a key node is a scalar: its value is text
                    if key and i == last:
                        node = key_node
                        break
                    child = value_node
                    break
            else:
                break
            if child is None:  # the key itself was asked for
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            if key and i == last:
                break
            child = node.value[part]
        else:
            break
        node = child
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def parse_path(text: str) -> PathT:
    """The inverse of :func:`format_path`: ``sections[0].rules[3]`` to a path tuple."""
    return tuple(int(index) if index else key for index, key in _PATH_PART.findall(text))


def read_text(path: Path, *, display: str | None = None, limit: limits.Limit = limits.YAML_BYTES,
              what: str = "file") -> str:
    """Read a UTF-8 text file with clear errors for missing, huge, special, binary and non-UTF-8 files.

    Only a regular file is read, and never more than *limit* (plus one byte), so ``/dev/zero``, a
    FIFO or a huge file is refused at once.
    """
    name = display or str(path)
    advice = None
    if limit is limits.YAML_BYTES:
        advice = ("the file is {size}; one YAML file may be at most {cap}: split it (a rulebook can "
                  "extend another and include sources files; records can be JSON Lines or CSV), or "
                  "raise the limit with {env}")
    raw = read_capped(path, limit, display=name, what=what, advice=advice)
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        raise UserError(
            "binary file: it contains a NUL byte, which text never does; expected a UTF-8 YAML "
            "text file (is this the right file?)",
            Location(name, line, col),
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise UserError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); YAML files must be UTF-8: save the file "
            "as UTF-8 (e.g. iconv -f big5 -t utf-8, or your editor's 'save with encoding')",
            Location(name, line, col),
        ) from None


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """1-based line and column (counted in bytes) of the byte at *index*."""
    line = raw.count(b"\n", 0, index) + 1
    col = index - (raw.rfind(b"\n", 0, index) + 1) + 1
    return line, col


def load_file(path: Path | str, *, display: str | None = None) -> Document:
    """Read and parse one YAML file."""
    path = Path(path)
    name = display or str(path)
    return load_text(read_text(path, display=name), name)


def load_text(text: str, name: str, *, max_values: int | None = None) -> Document:
    """Parse YAML text into a :class:`Document`.

    *max_values* bounds the values built, aliases expanded (default: CHECKENGINE_MAX_YAML_VALUES).
    """
    cap = max_values if max_values is not None else limits.YAML_VALUES.get()
    doc = Document(name, None)
    with collector_paused():
        root = compose(text, name, cap)
        try:
            doc.data, plain = _quick_build(root, cap, limits.NESTING.get())
            if plain:
                doc.plain_numbers = doc.data
        except _Refused:  # the locating build raises the error, with its path and position
            doc.data = _Builder(Document(name, None), cap).build(root, ())
    doc.node = root
    return doc


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a document is built.

    A document is a tree (nodes, then plain values: no reference cycles to find), but its hundreds
    of thousands of new objects set off collections that walk every object alive again and again:
    a third of the time of reading a 1,000-rule rulebook. Reference counting still frees what the
    build drops; the collector resumes (if it ran before) when the build ends or fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_STR, _MAP, _SEQ, _MERGE = _CORE + "str", _CORE + "map", _CORE + "seq", _CORE + "merge"
_AS_TEXT = {_STR, _CORE + "timestamp"}  # dates stay strings until the schema types them
_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class _Refused(Exception):
    """The quick build met something it does not take; the locating build says what and where."""


def _quick_build(root: yaml.Node, cap: int, max_depth: int) -> tuple[Any, bool]:
    """The plain values of *root*, built without paths or positions (the document's node gives
    those when asked), and whether every number is finite and every whole number within the
    signed 64-bit range. Anything :class:`_Builder` refuses, or builds other than plainly (a key
    that is not a text, a tag, a duplicate key, a limit reached), raises :class:`_Refused`."""
    count = 0
    plain = True
    scalars = _scalar_constructors()
    low, high = limits.INT_MIN, limits.INT_MAX

    def build(node: yaml.Node, depth: int) -> Any:
        nonlocal count, plain
        count += 1
        if count > cap or depth > max_depth:
            raise _Refused
        kind, tag = type(node), node.tag
        if kind is _SCALAR:
            if tag in _AS_TEXT:
                return node.value
            construct = scalars.get(tag)
            if construct is None:
                raise _Refused
            try:
                value = construct(node)
            except (ValueError, yaml.constructor.ConstructorError):
                raise _Refused from None
            if type(value) is int and not low <= value <= high or type(value) is float and not isfinite(value):
                plain = False
            return value
        if kind is _MAPPING and tag == _MAP:
            out: dict[str, Any] = {}
            inline = depth < max_depth
            for key_node, value_node in node.value:
                if key_node.tag not in _SCALAR_TAGS or type(key_node) is not _SCALAR:
                    raise _Refused
                key = key_node.value
                if key in out:
                    raise _Refused
                # A text value is taken here, without a call (most values of a rulebook are texts).
                if inline and type(value_node) is _SCALAR and value_node.tag in _AS_TEXT and count < cap:
                    count += 1
                    out[key] = value_node.value
                else:
                    out[key] = build(value_node, depth + 1)
            return out
        if kind is _SEQUENCE and tag == _SEQ:
            return [build(child, depth + 1) for child in node.value]
        raise _Refused

    data = build(root, 0)
    return data, plain


def _scalar_constructors() -> dict[str, Any]:
    """The safe constructors of the core scalar types other than text, by tag."""
    constructor = yaml.constructor.SafeConstructor()
    return {
        _CORE + "int": constructor.construct_yaml_int,
        _CORE + "float": constructor.construct_yaml_float,
        _CORE + "bool": constructor.construct_yaml_bool,
        _CORE + "null": constructor.construct_yaml_null,
    }


class _Builder:
    """Builds plain values from nodes, recording positions, and locates what it refuses: the
    build of a document that :func:`_quick_build` did not take (so its errors, paths and
    positions are those of one careful walk)."""

    def __init__(self, doc: Document, cap: int) -> None:
        self.doc = doc
        self.count = 0
        self.cap = cap
        self.depth = limits.NESTING.get()
        # Straight to the scalar constructors: construct_object's bookkeeping is for graphs.
        self.scalars = _scalar_constructors()

    def build(self, node: yaml.Node, path: PathT) -> Any:
        self.count += 1
        if self.count > self.cap:  # compose refuses alias bombs before this point
            raise UserError(
                f"the document has more than {self.cap:,} values; split it into several files "
                f"(or raise the limit with {limits.YAML_VALUES.env})",
                self._loc(node, path),
            )
        if len(path) > self.depth:
            raise UserError(
                f"the document is nested more than {self.depth} levels deep; flatten it (or raise "
                f"the limit with {limits.NESTING.env})",
                self._loc(node, path),
            )
        mark = node.start_mark
        self.doc.positions[path] = (mark.line + 1, mark.column + 1)  # each path is built once
        tag = node.tag
        if tag in _AS_TEXT and type(node) is yaml.ScalarNode:
            return node.value
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                raise self._tag_error(node, path)
            build = self.build
            return [build(child, path + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathT) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self._tag_error(node, path)
        out: dict[str, Any] = {}
        key_positions, positions = self.doc.key_positions, self.doc.positions
        build = self.build
        # A text value is taken here, without a call to build (most values of a rulebook are
        # texts); near the limits build takes every value, so its errors stay where they were.
        inline = len(path) < self.depth
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag != _STR:
                if tag == _MERGE:
                    raise UserError(
                        "merge keys ('<<') are not supported: they hide which keys a mapping has; "
                        "write the keys out",
                        self._loc(key_node, path),
                    )
                if not isinstance(key_node, yaml.ScalarNode) or tag not in _SCALAR_TAGS:
                    raise UserError(
                        "a mapping key must be a plain string, not a list or a mapping; write the "
                        "key as text",
                        self._loc(key_node, path),
                    )
            key = str(key_node.value)
            mark = key_node.start_mark
            line = mark.line + 1
            sub = path + (key,)
            if key in out:
                raise UserError(
                    f"duplicate key '{key}' (first on line {key_positions[sub][0]}, again on line {line}); a key "
                    "may appear once in a mapping: remove one of them or merge their values",
                    self._loc(key_node, path + (key,)),
                )
            key_positions[sub] = (line, mark.column + 1)
            if inline and value_node.tag in _AS_TEXT and type(value_node) is _SCALAR and self.count < self.cap:
                self.count += 1
                mark = value_node.start_mark
                positions[sub] = (mark.line + 1, mark.column + 1)
                out[key] = value_node.value
            else:
                out[key] = build(value_node, sub)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: PathT) -> Any:
        construct = self.scalars.get(node.tag)
        if construct is None:
            raise self._tag_error(node, path)
        try:
            return construct(node)
        except ValueError:  # an integer of thousands of digits (Python refuses to convert it)
            digits = sum(ch.isdigit() for ch in node.value)
            raise UserError(
                f"a {digits}-digit number is out of range: whole numbers must lie between "
                f"{limits.INT_MIN} and {limits.INT_MAX}",
                self._loc(node, path),
            ) from None
        except yaml.constructor.ConstructorError:  # pragma: no cover
            return node.value

    def _tag_error(self, node: yaml.Node, path: PathT) -> UserError:
        tag = "!!" + node.tag[len(_CORE):] if node.tag.startswith(_CORE) else node.tag
        return UserError(
            f"the YAML tag '{tag}' is not allowed: only plain mappings, lists, strings, numbers, "
            "booleans and null are; remove the tag",
            self._loc(node, path),
        )

    def _loc(self, node: yaml.Node, path: PathT) -> Location:
        return Location(
            self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path)
        )
