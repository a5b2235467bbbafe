"""Generators of big hostile inputs, made at test time instead of being committed.

Each generator takes the case folder and its options from ``case.yaml``'s ``generate`` list, e.g.
``{kind: alias_bomb, file: bomb.yaml, levels: 9}``.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any, Callable

GOOD = {"kind": "floor_inspection", "timestamp": "2026-11-03T09:15:00+08:00", "site": "cc-taipei",
        "observations": {"uniform": True, "minutes_outside": 12, "badge": "A123"}}


def repeat(folder: Path, file: str, text: str, times: int, head: str = "", tail: str = "") -> None:
    """*head*, then *text* repeated *times* times, then *tail* (written in blocks)."""
    with (folder / file).open("w", encoding="utf-8") as out:
        out.write(head)
        block = max(1, 1_000_000 // max(1, len(text)))
        left = times
        while left > 0:
            n = min(block, left)
            out.write(text * n)
            left -= n
        out.write(tail)


def alias_bomb(folder: Path, file: str, levels: int = 9, width: int = 9, head: str = "", key: str = "a") -> None:
    """A "billion laughs" YAML document: each level lists the one before *width* times."""
    lines = [head.rstrip("\n")] if head else []
    lines.append(f'{key}0: &{key}0 ["lol"]')
    for i in range(1, levels + 1):
        lines.append(f"{key}{i}: &{key}{i} [" + ", ".join([f"*{key}{i - 1}"] * width) + "]")
    (folder / file).write_text("\n".join(lines) + "\n", "utf-8")


def records(folder: Path, file: str, count: int = 3, lines: dict[int, str] | None = None,
            start: int = 1) -> None:
    """A JSON Lines file of *count* good records, with the 1-based *lines* replaced as given."""
    replace = {int(k): v for k, v in (lines or {}).items()}
    with (folder / file).open("w", encoding="utf-8") as out:
        for n in range(start, start + count):
            out.write(replace.get(n, json.dumps({**GOOD, "id": f"G-{n}"})) + "\n")


def write_bytes(folder: Path, file: str, hex: str = "", text: str = "", encoding: str = "utf-8") -> None:
    (folder / file).write_bytes(bytes.fromhex(hex) if hex else text.encode(encoding))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(folder: Path, file: str, width: int, height: int, truncate: int = 0) -> None:
    """A real greyscale PNG of *width* x *height* black pixels (compressed, so a huge image is a
    small file: a decompression bomb), optionally cut short by *truncate* bytes."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = bytearray()
    for _ in range(height):
        body += compressor.compress(row)
    body += compressor.flush()
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _png_chunk(b"IDAT", bytes(body)) + _png_chunk(b"IEND", b""))
    path = folder / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[:-truncate] if truncate else data)


def pdf_bomb(folder: Path, file: str, megabytes: int = 200) -> None:
    """A valid one-page PDF with a FlateDecode stream that inflates to *megabytes* MB of zeros."""
    compressor = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    (folder / file).write_bytes(bytes(out))


GENERATORS: dict[str, Callable[..., None]] = {
    "repeat": repeat, "alias_bomb": alias_bomb, "records": records, "bytes": write_bytes,
    "png": png, "pdf_bomb": pdf_bomb,
}


def generate(folder: Path, spec: dict[str, Any]) -> None:
    options = dict(spec)
    GENERATORS[options.pop("kind")](folder, **options)
