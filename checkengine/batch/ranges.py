"""JSON Lines inputs cut into byte ranges that the workers read themselves.

With workers that share this machine's files (the local pool), the parent does not read a JSON
Lines file line by line and ship the lines: it finds where every ``--chunk-size`` records end (a
scan for newlines, no decoding, no parsing) and hands each worker a :class:`RangeChunk` - a file,
two byte offsets, the number of its first line and the sequence number of its first record. The
worker reads those lines with the very reader the loader uses (:func:`handle_lines`), so the
records, their ``file:line`` locations, the lines that are skipped (blank) and those that are
reported (not UTF-8, too long) are the same as when the parent read them.

The sequence number of a chunk's first record must be known before the chunks before it are
read: it counts the non-blank lines. A line can only be blank when its first byte is whitespace
or not ASCII, so only such lines (none, in a file of JSON objects) are read back and judged by
:func:`handle_lines` itself; every other line is a record or a reported error either way.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

from checkengine import limits
from checkengine.batch.source import Chunk, Item, JsonLinesFile
from checkengine.builtin.loaders import _Bad, handle_lines
from checkengine.errors import Location, UserError
from checkengine.inputs import check_regular, note_input
from checkengine.records import RecordError

BLOCK = 1 << 20
#: the lines read before the size of the first range is decided (the tail may begin there)
GUESS = 16
#: first bytes of a line that may be blank: ASCII whitespace (as str.strip knows it), and any
#: byte of a multi-byte UTF-8 character (Unicode spaces; a byte-order mark on the first line)
MAYBE_BLANK = frozenset(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f " + bytes(range(0x80, 0x100)))


@dataclass(frozen=True)
class RangeChunk:
    """Consecutive lines of one JSON Lines file, read by the worker that runs the chunk."""

    index: int
    start: int
    """The sequence number of its first record (as :class:`checkengine.batch.source.Chunk`)."""
    path: str
    display: str
    begin: int
    """The byte offset of its first line."""
    end: int
    """The byte offset just past its last line."""
    line: int
    """The number of its first line (from 1)."""
    count: int
    """Its items: the non-blank lines."""
    cap: int
    """The longest line accepted, in bytes (the parent's limit, the same in every worker)."""


def line_is_item(raw: bytes, number: int, cap: int) -> bool:
    """Whether the line *raw* (with its newline), line *number* of its file, is an item as
    :func:`handle_lines` reads it: not blank, or reported as unusable."""
    content = len(raw) - (1 if raw.endswith(b"\n") else 0)
    if content > cap:
        return True  # too long: reported
    lead = b"" if number == 1 else b"\n"  # a blank line first, so that the line is not line 1
    return next(handle_lines(io.BytesIO(lead + raw), "", cap), None) is not None


def scan(path: Path, size: int, cap: int, *, small: int = 0,
         tail: int = 0) -> Iterator[tuple[int, int, int, int]]:
    """(begin, end, first line, items) of the consecutive ranges of *size* items of *path*; the
    last one may hold fewer. The ranges that begin in the last *tail* ranges of *small* items
    (the file's bytes per line so far tell where that is) hold *small* items: the workers that
    take the last ranges then finish together. Lines are found by their newlines; memory is one block."""
    with path.open("rb", buffering=0) as fh:
        fd = fh.fileno()
        length = os.fstat(fd).st_size
        want = size

        def after(begin: int, end: int, lines: int) -> int:
            """The size of the range that begins at *begin*, given *lines* lines up to *end*: small
            when a range of *size* would reach into the last *tail* ranges of *small*."""
            if small and begin + end / lines * (size + small * tail) > length:
                return small
            return size

        begin, first, items = 0, 1, 0
        number = 0  # the line being looked at
        start = 0  # its byte offset
        lead = -1  # its first byte (-1: not read yet)
        base = 0  # the offset of the block
        while block := fh.read(BLOCK):
            pos = 0
            if lead < 0:
                lead = block[0]
            while (j := block.find(b"\n", pos)) >= 0:
                number += 1
                end = base + j + 1
                if lead in MAYBE_BLANK and end - start - 1 <= cap:
                    is_item = line_is_item(os.pread(fd, end - start, start), number, cap)
                else:
                    is_item = True
                items += is_item
                if number == GUESS and begin == 0:  # enough lines to tell the bytes per line
                    want = after(0, end, number)
                if items >= want:
                    yield begin, end, first, items
                    begin, first, items = end, number + 1, 0
                    want = after(end, end, number)
                start, pos = end, j + 1
                lead = block[pos] if pos < len(block) else -1
            base += len(block)
        if base > start:  # the last line has no newline
            number += 1
            if lead in MAYBE_BLANK and base - start <= cap:
                items += line_is_item(os.pread(fd, base - start, start), number, cap)
            else:
                items += 1
            start = base
        if items:
            yield begin, start, first, items


class _Bounded:
    """A binary file read line by line up to a byte count (the end of a range)."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self.handle = handle
        self.left = size

    def readline(self, limit: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        raw = self.handle.readline(self.left if limit < 0 else min(limit, self.left))
        self.left -= len(raw)
        return raw


def range_items(chunk: RangeChunk) -> Iterator[Item]:
    """The items of *chunk* (the worker's side): raw lines to validate, or the lines reported as
    unusable, numbered as in the whole file."""
    try:
        with open(chunk.path, "rb") as handle:
            # From the newline before the range: the reader then takes the first line for line 2,
            # not for a first line whose byte-order mark it would drop.
            inside = chunk.begin > 0
            handle.seek(chunk.begin - inside)
            shift = chunk.line - 1 - inside
            for number, line in handle_lines(_Bounded(handle, chunk.end - chunk.begin + inside), chunk.display,
                                             chunk.cap):
                if isinstance(line, _Bad):
                    where = line.location
                    yield RecordError(Location(where.file, number + shift, where.column), line.message)
                else:
                    yield (line, chunk.display, number + shift)
    except OSError as exc:
        yield RecordError(Location(chunk.display), f"cannot read the file: {exc.strerror or exc}")


def ranged_chunks(pieces: Iterable[Item | JsonLinesFile], size: int, *, per_range: int = 1,
                  tail: int = 0) -> Iterator[Chunk | RangeChunk]:
    """:func:`checkengine.batch.source.chunked`, but a JSON Lines file is cut into ranges of
    *per_range* times *size* records, and its last *tail* ranges or so into ranges of *size*
    (the other items are chunked as there, between the files, by *size*)."""
    if size < 1:
        raise UserError(f"--chunk-size must be at least 1, got {size}")
    index = start = 0
    batch: list[Item] = []
    for piece in pieces:
        if isinstance(piece, JsonLinesFile):
            if batch:
                yield Chunk(index, start, batch)
                index, start, batch = index + 1, start + len(batch), []
            try:
                check_regular(piece.path, display=piece.display, what="records file")
                note_input(piece.path)
                cap = limits.LINE_BYTES.get()
                for begin, end, line, count in scan(piece.path, size * per_range, cap,
                                                    small=size if tail and per_range > 1 else 0, tail=tail):
                    yield RangeChunk(index, start, str(piece.path), piece.display, begin, end, line, count, cap)
                    index, start = index + 1, start + count
            except UserError as exc:
                batch.append(RecordError(exc.location, exc.bare_message))
            except OSError as exc:
                batch.append(RecordError(Location(piece.display), f"cannot read the file: {exc.strerror or exc}"))
            continue
        batch.append(piece)
        if len(batch) == size:
            yield Chunk(index, start, batch)
            index, start, batch = index + 1, start + size, []
    if batch:
        yield Chunk(index, start, batch)
