"""A JSON Lines file cut into byte ranges is read by the workers exactly as the loader reads it
whole: the same items (lines, and the lines reported as unusable), the same line numbers, the
same sequence numbers, whatever the chunk size and however the lines fall across blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checkengine.batch import ranges
from checkengine.batch.ranges import RangeChunk, range_items, ranged_chunks
from checkengine.batch.source import Chunk, JsonLinesFile, _raw_lines
from checkengine.records import RecordError

RECORD = b'{"kind": "monitoring", "id": "M-%d"}'
BOM = "\ufeff".encode()

#: name -> the file's bytes: every kind of line the loader treats specially
CASES: dict[str, bytes] = {
    "plain": b"\n".join(RECORD % n for n in range(7)) + b"\n",
    "no final newline": b"\n".join(RECORD % n for n in range(5)),
    "blank lines": b"\n\n" + RECORD % 1 + b"\n\n\n" + RECORD % 2 + b"\n \t \n" + RECORD % 3 + b"\n\n",
    "windows line ends": b"\r\n".join(RECORD % n for n in range(4)) + b"\r\n\r\n",
    "unicode spaces": RECORD % 1 + b"\n" + "\u3000\u00a0\u2003".encode() + b"\n\x1c\x1f\n" + RECORD % 2 + b"\n",
    "a line of spaces, last, without newline": RECORD % 1 + b"\n   ",
    "byte-order mark first": BOM + RECORD % 1 + b"\n" + RECORD % 2 + b"\n",
    "byte-order mark alone first": BOM + b"\n" + RECORD % 1 + b"\n",
    "byte-order mark in the middle": RECORD % 1 + b"\n" + BOM + RECORD % 2 + b"\n" + BOM + b"\n" + RECORD % 3 + b"\n",
    "not utf-8": RECORD % 1 + b"\n" + b'{"id": "\xe9"}\n' + b"\xff\xfe\n" + b" \xe9 \n" + RECORD % 2 + b"\n",
    "invalid json and a leading space": RECORD % 1 + b"\n{oops\n" + b"  " + RECORD % 2 + b"\n",
    "long lines": RECORD % 1 + b"\n" + b"x" * 100 + b"\n" + b" " * 100 + b"\n" + RECORD % 2 + b"\n" + b" " * 90,
    "empty": b"",
    "only blank lines": b"\n  \n\n",
}


def as_data(item: Any) -> Any:
    return item.as_dict() if isinstance(item, RecordError) else item


def whole(path: Path) -> list[Any]:
    """The items as the parent reads the file (the loader's reader, line by line)."""
    return [as_data(item) for item in _raw_lines(path, "in.jsonl")]


def ranged(path: Path, size: int, per_range: int = 1, tail: int = 0) -> tuple[list[Any], list[Chunk | RangeChunk]]:
    chunks = list(ranged_chunks([JsonLinesFile(path, "in.jsonl")], size, per_range=per_range, tail=tail))
    items: list[Any] = []
    for chunk in chunks:
        assert chunk.start == len(items), "a chunk's first sequence number counts the items before it"
        got = list(range_items(chunk)) if isinstance(chunk, RangeChunk) else chunk.items
        if isinstance(chunk, RangeChunk):
            assert len(got) == chunk.count
            assert 0 < len(got) <= size * per_range
        items.extend(as_data(item) for item in got)
    return items, chunks


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("size", [1, 2, 3, 200])
@pytest.mark.parametrize("block", [5, 64, ranges.BLOCK])
def test_ranges_hold_what_the_loader_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                           size: int, block: int) -> None:
    monkeypatch.setenv("CHECKENGINE_MAX_LINE_BYTES", "64")  # the long lines are over it
    monkeypatch.setattr(ranges, "BLOCK", block)  # lines across the scan's blocks
    path = tmp_path / "in.jsonl"
    path.write_bytes(CASES[name])
    expected = whole(path)
    got, chunks = ranged(path, size)
    assert got == expected
    assert all(isinstance(chunk, RangeChunk) for chunk in chunks)
    got, chunks = ranged(path, size, per_range=3, tail=2)  # ranges of three sizes, the last ones of one
    assert got == expected


def counts_of(tmp_path: Path, records: int, size: int, tail: int) -> list[int]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(b'{"kind": "monitoring", "id": "M-%06d"}\n' % n for n in range(records)))
    got, chunks = ranged(path, size, per_range=5, tail=tail)
    assert got == whole(path)
    return [chunk.count for chunk in chunks if isinstance(chunk, RangeChunk)]


@pytest.mark.parametrize(("records", "size", "tail"), [(1000, 10, 4), (1000, 10, 8), (95, 5, 4), (1001, 3, 2)])
def test_the_last_ranges_of_a_file_are_small(tmp_path: Path, records: int, size: int, tail: int) -> None:
    """Ranges of five chunks, but about the last *tail* ranges of one chunk: the workers that
    take them finish together."""
    counts = counts_of(tmp_path, records, size, tail)
    small = len(counts) - next(i for i, count in enumerate(counts) if count <= size)
    assert all(count <= size for count in counts[-small:])  # once small, small to the end
    assert tail <= small <= tail + 5, counts
    assert all(count == 5 * size for count in counts[:-small]), counts


def test_a_file_shorter_than_the_tail_is_cut_small_once_its_lines_are_measured(tmp_path: Path) -> None:
    counts = counts_of(tmp_path, 30, 10, 4)
    assert counts == [ranges.GUESS, 10, 30 - ranges.GUESS - 10]


def test_the_cases_cover_what_they_claim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases above are not all records: blank lines are skipped, bad lines reported."""
    monkeypatch.setenv("CHECKENGINE_MAX_LINE_BYTES", "64")
    messages = []
    for name, data in CASES.items():
        path = tmp_path / f"{len(messages)}.jsonl"
        path.write_bytes(data)
        messages.extend(item["message"] for item in whole(path) if isinstance(item, dict))
    assert any("longer than" in m for m in messages)
    assert any("not UTF-8" in m for m in messages)
    path = tmp_path / "mid.jsonl"
    path.write_bytes(CASES["byte-order mark in the middle"])
    lines = whole(path)
    assert [line[2] for line in lines] == [1, 2, 3, 4]  # the mid-file marks are not dropped: lines 2 and 3 are kept
    assert lines[1][0].startswith("\ufeff")


def test_an_unreadable_file_is_one_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone.jsonl"
    [chunk] = ranged_chunks([JsonLinesFile(missing, "gone.jsonl")], 10)
    assert isinstance(chunk, Chunk)
    [error] = chunk.items
    assert isinstance(error, RecordError) and error.as_dict()["file"] == "gone.jsonl"
    assert "file not found" in error.as_dict()["message"]


def test_a_file_that_shrank_before_the_worker_read_it(tmp_path: Path) -> None:
    """The worker reads what is there: a range past the end gives fewer items, not a crash."""
    path = tmp_path / "in.jsonl"
    path.write_bytes(CASES["plain"])
    chunks = list(ranged_chunks([JsonLinesFile(path, "in.jsonl")], 3))
    path.write_bytes(RECORD % 0 + b"\n")
    last = chunks[-1]
    assert isinstance(last, RangeChunk)
    assert list(range_items(last)) == []
