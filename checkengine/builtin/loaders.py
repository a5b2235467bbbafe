"""Built-in record loaders: YAML, JSON, JSON Lines (streamed) and CSV (streamed)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Callable, Iterator

from checkengine import hookimpl
from checkengine.errors import Location, UserError
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
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"invalid JSON: {exc.msg}", Location(display, exc.lineno, exc.colno)) from None
        # JSON is YAML: parse it again for positions (and duplicate-key detection).
        from checkengine.yamlio import load_text

        yield from _records_of(load_text(text, display))


class JsonLinesLoader(RecordLoader):
    """One record per line, streamed: memory stays flat whatever the file's size."""

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        with _open(path, display) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = Location(display, number, 1)
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield RawRecord(
                        _Bad(f"invalid JSON: {exc.msg}", Location(display, number, exc.colno)), where
                    )
                    continue
                yield RawRecord(data, where)


class CsvLoader(RecordLoader):
    """One record per row; dotted headers (``data.offered``) build nested fields; typed cells."""

    name = "csv"
    suffixes = (".csv",)

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:
        with _open(path, display) as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                record: dict[str, Any] = {}
                for header, cell in row.items():
                    if header is None or cell is None or cell == "":
                        continue
                    _put(record, header.strip().split("."), _cell(cell))
                yield RawRecord(record, Location(display, reader.line_num, 1))


class _Bad:
    """A line that could not even be parsed; validation reports it."""

    def __init__(self, message: str, location: Location) -> None:
        self.message = message
        self.location = location


def _open(path: Path, display: str) -> Any:
    if not path.exists():
        raise UserError("file not found; check the path", Location(display))
    return path.open("r", encoding="utf-8-sig", newline="")


def _cell(cell: str) -> Any:
    text = cell.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _put(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


@hookimpl(trylast=True)
def checkengine_register_loaders(register: Callable[[RecordLoader], None]) -> None:
    for loader in (YamlLoader(), JsonLoader(), JsonLinesLoader(), CsvLoader()):
        register(loader)
