"""Reading a PDF file, and writing one safely: a temp file in the same folder, renamed over the
target on success.

An interrupted render (an exception, Ctrl-C) leaves no half-written file; an existing output is
never replaced without ``force`` (and the message says when it is a signed PDF).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO, Iterator

from checkengine.commands._common import open_output
from checkengine.errors import UserError


def read_pdf(path: Path | str) -> bytes:
    """The bytes of the PDF file at *path*; a UserError when it cannot be read or is not a PDF."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror}") from None
    if not data.startswith(b"%PDF"):
        raise UserError(f"{source} is not a PDF file")
    return data


def is_signed_pdf(path: Path) -> bool:
    """True when *path* looks like a PDF with at least one signature (cheap byte scan)."""
    try:
        with path.open("rb") as fh:
            data = fh.read()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"/ByteRange" in data


def refuse_existing(path: Path, *, force: bool) -> None:
    if force or not path.exists():
        return
    if is_signed_pdf(path):
        raise UserError(
            f"{path} exists and is a signed PDF; refusing to overwrite it (use --force to "
            "replace it, or choose another output)"
        )
    raise UserError(
        f"{path} exists; refusing to overwrite it (use --force to replace it, or choose "
        "another output)"
    )


@contextlib.contextmanager
def atomic_output(path: Path | str, *, force: bool = False, replace_input: bool = False,
                  mode: int | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file to write; on success it replaces *path* atomically.

    *replace_input* is for signing in place: the existing file is the input, so it is replaced
    without ``force``.
    """
    target = Path(path)
    if not replace_input:
        refuse_existing(target, force=force)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: the folder {folder} does not exist")
    with open_output(target, binary=True, mode=mode) as fh:
        yield fh


def write_atomic(path: Path | str, data: bytes, *, force: bool = False, replace_input: bool = False,
                 mode: int | None = None) -> None:
    with atomic_output(path, force=force, replace_input=replace_input, mode=mode) as fh:
        fh.write(data)
