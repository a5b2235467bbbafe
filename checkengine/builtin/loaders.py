"""Built-in record loaders: YAML, JSON, JSON Lines (streamed) and CSV (streamed)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from checkengine import hookimpl, limits
from checkengine.errors import Location, UserError
from checkengine.inputs import check_regular, note_input
from checkengine.loading import RawRecord, RecordLoader
from checkengine.yamlio import Document, load_file, read_text


def _records_of(doc: Document) -> Iterator[RawRecord]:
    data = doc.data
    if isinstance(data, dict) and set(data) - {"checkengine"} == {"records"}:
        items = data["records"]
        if not isinstance(items, list):
            raise UserError("'records' must be a list of records", doc.location(("records",)))
        for i, item in enumerate(items):
            yield RawRecord(item, doc.location(("records", i)), doc, ("records", i))
    else:
        yield RawRecord(data, doc.location(()), doc, ())


class YamlLoader(RecordLoader):
    name = "yaml"
    suffixes = (".yaml", ".yml")

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        yield from _records_of(load_file(path, display=display))


class JsonLoader(RecordLoader):
    name = "json"
    suffixes = (".json",)

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        text = read_text(path, display=display)
        problem = json_problem(text)
        if problem is not None:
            message, line, column = problem
            raise UserError(message, Location(display, line, column))
        # JSON is YAML: parse it again for positions (and duplicate-key detection).
        from checkengine.yamlio import load_text

        yield from _records_of(load_text(text, display))


class JsonLinesLoader(RecordLoader):
    """One record per line, streamed: memory stays flat whatever the file's size.

    A line that cannot be used (not JSON, not UTF-8, too long, too deep) is reported with its
    number and the lines after it are still read.
    """

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        for number, line in stream_lines(path, display):
            where = Location(display, number, 1)
            if isinstance(line, _Bad):
                yield RawRecord(line, where)
                continue
            data = parse_json_line(line, where)
            yield RawRecord(data, where)


def stream_lines(path: Path, display: str) -> Iterator[tuple[int, "str | _Bad"]]:
    """The non-empty lines of a text stream, numbered from 1, decoded one by one: a line that is
    not UTF-8 or longer than CHECKENGINE_MAX_LINE_BYTES comes as a :class:`_Bad` naming its line."""
    check_regular(path, display=display, what="records file")
    cap = limits.LINE_BYTES.get()
    note_input(path)
    try:
        with path.open("rb") as handle:
            yield from handle_lines(handle, display, cap)
    except OSError as exc:
        yield 0, _Bad(f"cannot read the file: {exc.strerror or exc}", Location(display))


def handle_lines(handle: Any, display: str, cap: int) -> Iterator[tuple[int, "str | _Bad"]]:
    """The non-empty lines of the binary stream *handle* (a file, standard input), as
    :func:`stream_lines` numbers and checks them."""
    number = 0
    while True:
        raw = handle.readline(cap + 1)
        if not raw:
            break
        number += 1
        if len(raw) > cap and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                raw = handle.readline(1 << 20)
            yield number, _Bad(f"the line is longer than {limits.size_text(cap)} (the limit "
                               f"of one line); shorten it, or {limits.LINE_BYTES.hint()}",
                               Location(display, number, 1))
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark, as utf-8-sig reads it
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, _Bad(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file "
                               "as UTF-8", Location(display, number, exc.start + 1))
            continue
        if line.strip():
            yield number, line


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; write a finite number or null")


def json_problem(text: str) -> tuple[str, int, int] | None:
    """Why *text* is not strict JSON that checkengine can use (message, line, column), or None."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg}", exc.lineno, exc.colno
    except RecursionError:
        return (f"the JSON is nested too deeply (the limit is {limits.NESTING.get()} levels); "
                "flatten it"), 1, 1
    except ValueError as exc:
        text_ = str(exc)
        if "integer string conversion" in text_:
            text_ = ("a number has too many digits; integers must lie between "
                     f"{limits.INT_MIN} and {limits.INT_MAX}")
        return f"invalid JSON: {text_}", 1, 1
    if nests_within(text, data, limits.NESTING.get()):
        return None
    return (f"the JSON is nested {nesting(data)} levels deep; the limit is {limits.NESTING.get()}: "
            f"flatten it, or {limits.NESTING.hint()}"), 1, 1


def nesting(value: Any) -> int:
    """How deeply *value* nests mappings and lists (a scalar is 0), level by level, without recursion."""
    deepest = 0
    level = [value] if isinstance(value, (dict, list)) else []
    while level:
        deepest += 1
        inner: list[Any] = []
        add = inner.extend
        for item in level:
            add([v for v in (item.values() if isinstance(item, dict) else item) if isinstance(v, (dict, list))])
        level = inner
    return deepest


def nests_within(text: str, data: Any, limit: int) -> bool:
    """Whether *data*, parsed from the JSON *text*, nests at most *limit* levels deep. Each level
    opens with a ``{`` or ``[``, so a text with at most *limit* of them (strings included) needs no
    walk: most records have a handful."""
    return text.count("{") + text.count("[") <= limit or nesting(data) <= limit


def parse_json_line(line: str, where: Location) -> Any:
    """The value of one JSON Lines line, or a :class:`_Bad` saying what is wrong at *where*."""
    try:
        data = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return _Bad(f"invalid JSON: {exc.msg}", Location(where.file, where.line, exc.colno))
    except (ValueError, RecursionError):
        problem = json_problem(line)
        assert problem is not None
        return _Bad(problem[0], Location(where.file, where.line, 1))
    if isinstance(data, (dict, list)) and not nests_within(line, data, limits.NESTING.get()):
        problem = json_problem(line)
        assert problem is not None
        return _Bad(problem[0], Location(where.file, where.line, 1))
    return data


class CsvLoader(RecordLoader):
    """One record per row; dotted headers (``data.offered``) build nested fields; typed cells.

    A row that cannot be used (more or fewer cells than the header, a cell over
    CHECKENGINE_MAX_FIELD_BYTES, bytes that are not UTF-8, a quote never closed) is reported with
    its line and the rows after it are still read.
    """

    name = "csv"
    suffixes = (".csv",)

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        check_regular(path, display=display, what="records file")
        note_input(path)
        cap = limits.FIELD_BYTES.get()
        previous = csv.field_size_limit(cap)
        try:
            with path.open("rb") as binary:
                handle = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape",
                                          newline="")
                yield from self._rows(csv.reader(handle, strict=True), display, cap)
        finally:
            csv.field_size_limit(previous)

    def _rows(self, reader: Any, display: str, cap: int) -> Iterator[RawRecord]:
        header: list[str] | None = None
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRecord(_Bad(_csv_problem(str(exc), cap), Location(display, start, 1)),
                                Location(display, start, 1))
                if "unexpected end of data" in str(exc):
                    return  # an unclosed quote ran to the end of the file
                continue
            bad = next((i for i, cell in enumerate(row) if _not_utf8(cell)), None)
            where = Location(display, reader.line_num, 1)
            if bad is not None:
                yield RawRecord(_Bad(f"cell {bad + 1} is not UTF-8 text; save the file as UTF-8",
                                     where), where)
                continue
            if header is None:
                header = row
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield RawRecord(_Bad(
                    f"the row has {len(row)} cells but the header has {len(header)}; every row needs "
                    "one cell per column (leave a cell empty, and quote a cell that holds a comma)",
                    where), where)
                continue
            record: dict[str, Any] = {}
            problem = None
            for name, cell in zip(header, row):
                if not name or cell == "":
                    continue
                problem = problem or _cell_problem(name, cell)
                _put(record, name.strip().split("."), _cell(cell))
            yield RawRecord(_Bad(problem, where) if problem else record, where)


_BIG_INTEGER = re.compile(r"[+-]?\d{20,}")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _cell_problem(name: str, cell: str) -> str | None:
    """Why a cell that looks like a number is not one checkengine can use, or None."""
    text = cell.strip()
    if _BIG_INTEGER.fullmatch(text) and not limits.INT_MIN <= int(text[:25]) <= limits.INT_MAX:
        return (f"{name.strip()}: a {len(text.lstrip('+-'))}-digit number is out of range: whole "
                f"numbers must lie between {limits.INT_MIN} and {limits.INT_MAX}")
    if text.lower() in _NOT_FINITE:
        return f"{name.strip()}: {text} is not a number checkengine can use; write a finite number, or leave the cell empty"
    return None


def _not_utf8(cell: str) -> bool:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_problem(message: str, cap: int) -> str:
    if "field larger" in message:
        return (f"a cell is larger than {limits.size_text(cap)} (the limit of one cell); shorten it, "
                f"or {limits.FIELD_BYTES.hint()}")
    if "unexpected end of data" in message or "EOF" in message:
        return "a quoted cell is never closed (the file ends inside it); add the closing \""
    return f"invalid CSV: {message}"


class _Bad:
    """A line that could not even be parsed; validation reports it."""

    def __init__(self, message: str, location: Location) -> None:
        self.message = message
        self.location = location


def _cell(cell: str) -> Any:
    text = cell.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text[:1] in "[{":
        try:
            return json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _put(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


@hookimpl(trylast=True)
def checkengine_register_loaders(register: Callable[[RecordLoader], None]) -> None:
    for loader in (YamlLoader(), JsonLoader(), JsonLinesLoader(), CsvLoader()):
        register(loader)
