"""Reading an input file: regular files only, never more than its limit plus one byte.

A device (``/dev/zero``) would be read until memory runs out and a FIFO would block for ever, so
a file is opened without blocking and refused unless it is a regular file; a file that grows while
it is read (or lies about its size) is still read only up to the limit, plus one byte to know that
it is too large. Every file read is noted, so that an output can refuse to replace an input
(:func:`checkengine.output.refuse_inputs`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from checkengine.errors import Location, UserError
from checkengine.limits import MB, Limit, size_text

_NOTED: dict[tuple[int, int], str] = {}


def note_input(path: str | os.PathLike[str]) -> None:
    """Remember *path* as an input of this run (by device and inode, so links count too)."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode):
        _NOTED[(info.st_dev, info.st_ino)] = str(path)


def noted_input(path: str | os.PathLike[str]) -> str | None:
    """The name under which the file *path* was read as an input, or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _NOTED.get((info.st_dev, info.st_ino))


def forget_input(path: str | os.PathLike[str]) -> None:
    """Stop treating *path* as an input (signing in place replaces its own input by design)."""
    try:
        info = os.stat(path)
    except OSError:
        return
    _NOTED.pop((info.st_dev, info.st_ino), None)


def forget_inputs() -> None:
    """Forget the noted inputs (each CLI run starts afresh; in-process tests run many)."""
    _NOTED.clear()


def kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_capped(path: str | os.PathLike[str], limit: Limit, *, display: str | None = None,
                what: str = "file", advice: str | None = None) -> bytes:
    """The bytes of the regular file *path*, refused when larger than *limit*.

    *advice* replaces the end of the too-large message ("give a smaller file").
    """
    name = display or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UserError("file not found; check the path (it is relative to the working folder)",
                        Location(name)) from None
    except IsADirectoryError:
        raise UserError("is a folder, expected a file", Location(name)) from None
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror or exc}", Location(name)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError("is a folder, expected a file", Location(name))
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"the {what} is {kind_of(info.st_mode)}; expected a regular file",
                            Location(name))
        cap = limit.get()
        if info.st_size > cap:
            raise _too_large(name, what, info.st_size, limit, cap, advice=advice)
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            block = os.read(fd, min(left, 1 << 20))
            if not block:
                break
            chunks.append(block)
            left -= len(block)
        data = b"".join(chunks)
        if len(data) > cap:
            raise _too_large(name, what, len(data), limit, cap, more=True, advice=advice)
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror or exc}", Location(name)) from None
    finally:
        os.close(fd)
    _NOTED[(info.st_dev, info.st_ino)] = str(path)
    return data


def _too_large(name: str, what: str, size: int, limit: Limit, cap: int, *, more: bool = False,
               advice: str | None = None) -> UserError:
    shown = f"more than {size_text(cap)}" if more else size_text(size)
    if advice is not None:
        cap_text = f"{cap / MB:g} MB" if cap >= MB else size_text(cap)
        return UserError(advice.format(size=shown, cap=cap_text, env=limit.env), Location(name, 1, 1))
    return UserError(f"the {what} is {shown}; the limit ({limit.what}) is {size_text(cap)}: give a "
                     f"smaller file, or {limit.hint()}", Location(name, 1, 1))


def check_regular(path: Path, *, display: str | None = None, what: str = "file") -> None:
    """Refuse *path* unless it is a regular file (without opening it: a FIFO would block)."""
    name = display or str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UserError("file not found; check the path", Location(name)) from None
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror or exc}", Location(name)) from None
    if not stat.S_ISREG(mode):
        raise UserError(f"the {what} is {kind_of(mode)}; expected a regular file", Location(name))


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def relative_path(path: Path) -> str:
    """*path* relative to the working folder, even outside it (``../head-office.yaml``)."""
    try:
        return os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive (Windows)
        return str(path)
