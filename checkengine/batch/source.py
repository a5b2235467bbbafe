"""The inputs of a batch, read in the parent process and cut into numbered chunks.

This is :func:`checkengine.records.iter_records` split in two. The parent reads; parsing and
validation against the record schema run in the workers for streamed records, whose only
position is a line: JSON Lines are sent as raw lines (the parent parses nothing), CSV rows and
the records of plugin loaders as parsed data. Records of YAML/JSON documents carry the whole
document for their error positions, which would be pickled with every chunk, so those are
validated here in the parent; they are small files in practice, the streams are what scale.
Workers that share this machine's files read a JSON Lines file themselves, by byte ranges
(:mod:`checkengine.batch.ranges`): the parent then does not even read its lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Union, cast

from checkengine.builtin.loaders import JsonLinesLoader, _Bad, parse_json_line, stream_lines
from checkengine.errors import Location, UserError
from checkengine.loading import RawRecord
from checkengine.plugins import Registry
from checkengine.records import (
    NOT_RECORDS, Record, RecordError, check_record, loaded_records, loaders_of, record_files,
)

if TYPE_CHECKING:
    from checkengine.batch.parts import PartTask
    from checkengine.batch.ranges import RangeChunk


@dataclass
class Unchecked:
    """A parsed record not yet validated (the worker validates it)."""

    data: Any
    location: Location


RawLine = tuple[str, str, int]
"""One line of a JSON Lines stream, not even parsed: (text, file as displayed, line number); the
worker parses it. A short string pickles much faster than the dict it holds, and parsing is the
parent's largest cost. A plain tuple, not an object with a Location: the parent makes and
pickles one per input line, twice for a rulebook with lookups, and a tuple of a string and an
int is several times cheaper to make, pickle and unpickle than two dataclass instances."""

Item = Union[Record, RecordError, Unchecked, RawLine]


@dataclass
class Chunk:
    """Consecutive input items; ``start`` is the sequence number of the first one."""

    index: int
    start: int
    items: list[Item]


Task = Union[Chunk, "RangeChunk", "PartTask"]
"""What an executor runs: a chunk of items, a range of a JSON Lines file
(:mod:`checkengine.batch.ranges`), or either written to a part file (:mod:`checkengine.batch.parts`)."""


@dataclass(frozen=True)
class JsonLinesFile:
    """A JSON Lines file to cut into ranges (with workers that read this machine's files)."""

    path: Path
    display: str


def read_items(paths: Iterable[str | Path], registry: Registry) -> Iterator[Item]:
    """Every input record in input order: records, errors, or streamed records to validate."""
    return cast(Iterator[Item], read_pieces(paths, registry, ranged=False))


def read_pieces(paths: Iterable[str | Path], registry: Registry, *, ranged: bool) -> Iterator[Item | JsonLinesFile]:
    """:func:`read_items`; with *ranged*, a regular JSON Lines file comes whole, as a
    :class:`JsonLinesFile` (:func:`checkengine.batch.ranges.ranged_chunks` cuts it)."""
    for item in loaders_of(paths, registry):
        if isinstance(item, RecordError):
            yield item
            continue
        path, display, loader = item
        if type(loader) is JsonLinesLoader:  # the built-in one; a plugin's own loader runs as is
            if ranged and path.is_file():
                yield JsonLinesFile(path, display)
            else:
                yield from _raw_lines(path, display)
            continue
        try:
            for raw in loaded_records(loader, path, display):
                yield item_of(raw)
        except UserError as exc:
            yield RecordError(exc.location, exc.bare_message)
        except OSError as exc:  # unreadable input is that file's problem; the others go on
            yield RecordError(Location(display), f"cannot read the file: {exc.strerror or exc}")


def item_of(raw: RawRecord | RecordError) -> Item:
    """A loaded record as the pipeline carries it: checked here when it came with its document
    (positions for messages), else left to the worker to validate (``Unchecked``)."""
    if isinstance(raw, RecordError):
        return raw
    if raw.doc is None:
        return Unchecked(raw.data, raw.location)
    return check_record(raw.data, raw.location, raw.doc, raw.prefix)


def _raw_lines(path: Path, display: str) -> Iterator[Item]:
    """The non-empty lines of a JSON Lines file, numbered as :class:`JsonLinesLoader` numbers them.

    Lines are decoded one by one, so a line that is not UTF-8 (or too long) is reported with its
    number and the lines after it are still read.
    """
    try:
        for number, line in stream_lines(path, display):
            if isinstance(line, _Bad):
                yield RecordError(line.location, line.message)
            else:
                yield (line, display, number)
    except UserError as exc:
        yield RecordError(exc.location, exc.bare_message)


def chunked(items: Iterable[Item], size: int) -> Iterator[Chunk]:
    """Chunks of at most *size* items, numbered from 0, with their first sequence number."""
    if size < 1:
        raise UserError(f"--chunk-size must be at least 1, got {size}")
    index = start = 0
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield Chunk(index, start, batch)
            index += 1
            start += size
            batch = []
    if batch:
        yield Chunk(index, start, batch)


def validated(item: Item) -> Record | RecordError | None:
    """An item as a validated record or an error (run in the worker); None for a line that is
    not a record (``kind: waivers``, ``sources``, ``tests``), which the loaders skip too."""
    if isinstance(item, tuple):  # a RawLine
        text, file, number = item
        where = Location(file, number, 1)
        data = parse_json_line(text, where)
        if isinstance(data, _Bad):
            return RecordError(data.location, data.message)
        if isinstance(data, dict) and data.get("kind") in NOT_RECORDS:
            return None
        return check_record(data, where)
    if isinstance(item, Unchecked):
        return check_record(item.data, item.location)
    return item


def estimate_total(paths: Iterable[str | Path], registry: Registry) -> int | None:
    """A quick estimate of the number of records, for the progress bar's time left.

    Streams count their non-empty lines (a CSV header is one too many, which is close enough);
    any other file counts as one record. None when nothing could be counted.
    """
    total = 0
    found = False
    for item in record_files(paths, registry):
        if isinstance(item, RecordError):
            continue
        found = True
        if item.suffix.lower() in (".jsonl", ".ndjson", ".csv"):
            total += _count_lines(item) - (1 if item.suffix.lower() == ".csv" else 0)
        else:
            total += 1
    return total if found else None


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                count += block.count(b"\n")
                last = block[-1:]
    except OSError:
        return 0
    return count + (0 if last == b"\n" else 1)
