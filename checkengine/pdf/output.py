"""Writing a PDF safely: a temp file in the same folder, renamed over the target on success.

An interrupted render (an exception, Ctrl-C) leaves no half-written file; an existing output is
never replaced without ``force`` (and the message says when it is a signed PDF).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from checkengine.errors import UserError


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
def atomic_output(path: Path | str, *, force: bool = False, replace_input: bool = False) -> Iterator[BinaryIO]:
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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists() and not target.is_file():
            raise UserError(f"cannot write {target}: it exists and is not a file")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Path | str, data: bytes, *, force: bool = False, replace_input: bool = False) -> None:
    with atomic_output(path, force=force, replace_input=replace_input) as fh:
        fh.write(data)
