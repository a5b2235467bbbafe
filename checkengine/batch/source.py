"""The inputs of a batch, read in the parent process and cut into numbered chunks.

This is :func:`checkengine.records.iter_records` split in two. The parent only *parses* (cheap);
validation against the record schema, the costly part, runs in the workers for streamed records
(JSON Lines, CSV), whose only position is a line. Records of YAML/JSON documents carry the whole
document for their error positions, which would be pickled with every chunk, so those are
validated here in the parent; they are small files in practice, the streams are what scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Union

from checkengine.builtin.loaders import _Bad
from checkengine.errors import Location, UserError
from checkengine.plugins import Registry
from checkengine.records import NOT_RECORDS, Record, RecordError, check_record, record_files
from checkengine.rulebook.load import display_path


@dataclass
class Unchecked:
    """A parsed record not yet validated (the worker validates it)."""

    data: Any
    location: Location


Item = Union[Record, RecordError, Unchecked]


@dataclass
class Chunk:
    """Consecutive input items; ``start`` is the sequence number of the first one."""

    index: int
    start: int
    items: list[Item]


def read_items(paths: Iterable[str | Path], registry: Registry) -> Iterator[Item]:
    """Every input record in input order: records, errors, or streamed records to validate."""
    for item in record_files(paths, registry):
        if isinstance(item, RecordError):
            yield item
            continue
        display = display_path(item)
        loader = registry.loaders[item.suffix.lower()]
        try:
            for raw in loader.load(item, display):
                if isinstance(raw.data, _Bad):
                    yield RecordError(raw.data.location, raw.data.message)
                elif isinstance(raw.data, dict) and raw.data.get("kind") in NOT_RECORDS:
                    continue
                elif raw.doc is None:
                    yield Unchecked(raw.data, raw.location)
                else:
                    yield check_record(raw.data, raw.location, raw.doc, raw.prefix)
        except UserError as exc:
            yield RecordError(exc.location, exc.bare_message)
        except OSError as exc:  # unreadable input is that file's problem; the others go on
            yield RecordError(Location(display), f"cannot read the file: {exc.strerror or exc}")


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


def validated(item: Item) -> Record | RecordError:
    """An item as a validated record or an error (run in the worker)."""
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
