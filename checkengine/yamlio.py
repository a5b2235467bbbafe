"""Strict, safe YAML reading that remembers where every value came from.

The document is composed into nodes by PyYAML's safe parser (the C one when present) and then
built into plain Python values here, so that:

* only the core YAML types exist (mappings, sequences, strings, numbers, booleans, null); any
  explicit tag such as ``!!python/object`` is refused;
* dates and timestamps stay strings until a schema says what they are (openfisca does the same);
* a key given twice is an error naming both lines;
* aliases are followed, but the number of values built is bounded, so an alias bomb
  ("billion laughs") is refused instead of exhausting memory;
* every value's position is kept, keyed by its path, for error messages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checkengine.errors import Location, UserError

try:  # the C parser is several times faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = int(os.environ.get("CHECKENGINE_MAX_YAML_BYTES", 10 * 1024 * 1024))
MAX_VALUES = 1_000_000  # values built from one document, aliases expanded

PathT = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass
class Document:
    """A parsed YAML document with the position of each value and each mapping key."""

    file: str
    data: Any
    positions: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathT, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: PathT, *, key: bool = False) -> Location:
        """The location of the value at *path* (or of its key), falling back to the nearest parent."""
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


def read_text(path: Path, *, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file with clear errors for missing, huge, binary and non-UTF-8 files."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserError("file not found; check the path", Location(name)) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", Location(name)) from None
    if path.is_dir():
        raise UserError("is a folder, expected a file", Location(name))
    if size > max_bytes:
        raise UserError(
            f"file is {size / 1048576:.1f} MB, larger than the {max_bytes / 1048576:.0f} MB allowed "
            "for one YAML file; split it, or use JSON Lines or CSV for large record sets",
            Location(name),
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise UserError("binary file (it contains NUL bytes); expected UTF-8 text", Location(name))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UserError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            Location(name, line, col),
        ) from None


def load_file(path: Path | str, *, display: str | None = None) -> Document:
    """Read and parse one YAML file."""
    path = Path(path)
    name = display or str(path)
    return load_text(read_text(path, display=name), name)


def load_text(text: str, name: str) -> Document:
    """Parse YAML text into a :class:`Document`."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, name) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks almost every error
        raise UserError(f"invalid YAML: {exc}", Location(name)) from None
    if not nodes or nodes[0] is None:
        raise UserError("the file is empty; expected a YAML mapping", Location(name, 1, 1))
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise UserError(
            "more than one YAML document ('---'); keep one document per file",
            Location(name, mark.line + 1, mark.column + 1),
        )
    doc = Document(name, None)
    builder = _Builder(doc)
    doc.data = builder.build(nodes[0], ())
    return doc


def _yaml_error(exc: yaml.MarkedYAMLError, name: str) -> UserError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    hint = ""
    if "\\t" in problem or "'\\t'" in problem or "tab" in problem:
        problem = "a tab character is not allowed here"
        hint = "; YAML indents with spaces only: replace the tab with spaces"
    elif "found unexpected end of stream" in problem or "unclosed" in (exc.context or ""):
        hint = "; a quoted string is not closed: add the closing quote"
    elif "mapping values are not allowed" in problem:
        hint = "; check the indentation, or quote a value that contains ': '"
    elif "expected <block end>" in problem:
        hint = "; the indentation of this line does not match the lines above it"
    context = f" ({exc.context})" if exc.context else ""
    loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
    return UserError(f"invalid YAML: {problem}{context}{hint}", loc)


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathT) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise UserError(
                f"the document expands to more than {MAX_VALUES:,} values (an alias bomb?); "
                "aliases may not multiply the document's size",
                self._loc(node, path),
            )
        self.doc.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                raise self._tag_error(node, path)
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathT) -> dict[str, Any]:
        if node.tag != _CORE + "map":
            raise self._tag_error(node, path)
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                raise UserError(
                    "merge keys ('<<') are not supported; write the keys out",
                    self._loc(key_node, path),
                )
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                raise UserError("a mapping key must be a plain string", self._loc(key_node, path))
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise UserError(
                    f"duplicate key '{key}' (first defined on line {seen[key]}, again on line {line}); "
                    "remove one of them",
                    self._loc(key_node, path + (key,)),
                )
            seen[key] = line
            self.doc.key_positions[path + (key,)] = (line, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar(self, node: yaml.ScalarNode, path: PathT) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            raise self._tag_error(node, path)
        if tag in (_CORE + "str", _CORE + "timestamp"):
            return node.value  # dates stay strings until the schema types them
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError):  # pragma: no cover
            return node.value

    def _tag_error(self, node: yaml.Node, path: PathT) -> UserError:
        return UserError(
            f"the YAML tag '{node.tag}' is not allowed; only plain mappings, lists, strings, "
            "numbers, booleans and null are (remove the tag)",
            self._loc(node, path),
        )

    def _loc(self, node: yaml.Node, path: PathT) -> Location:
        return Location(
            self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path)
        )
