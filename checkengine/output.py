"""Writing an output file safely: the one helper every command and the library write through.

* Atomic: a temporary ``.NAME.<pid>.<random>.part`` file in the target's folder, renamed over the
  target on success; an exception or Ctrl-C removes it, and a part file left by a killed run
  (whose process is gone) is removed by the next write to the same target.
* Never over an input: a target that is (or is a link to) a file this run read, or that this run
  already wrote, is refused (exit 2), whatever the flags.
* One overwrite rule: a signed PDF is never replaced without ``force``; PDF writers (forms,
  reports, keys) also refuse any existing file without ``force`` (``any_file``).
* A failed write (a full disk, ``-o /dev/full``) is one message naming the output; nothing
  half-written is left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from checkengine.errors import Location, UserError
from checkengine.inputs import noted_input

_WRITTEN: dict[tuple[int, int], str] = {}

_ADVICE = {
    errno.ENOSPC: "no space left on the device (the disk is full); free some space or write elsewhere (-o)",
    errno.EDQUOT: "the disk quota is exhausted; free some space or write elsewhere (-o)",
    errno.EROFS: "the folder is on a read-only file system; write elsewhere (-o)",
    errno.EACCES: "permission denied; write to a folder you may write to (-o)",
    errno.EPERM: "permission denied; write to a folder you may write to (-o)",
}
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})


def output_error(target: str, exc: OSError) -> UserError:
    """One message for a failed write: the file, the cause, what to do, and that nothing was left."""
    advice = _ADVICE.get(exc.errno or 0, f"{exc.strerror or exc}; write elsewhere (-o)")
    return UserError(f"cannot write the output: {advice}; no partial output was left", Location(target))


def is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file or folder (a device, a FIFO)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def is_signed_pdf(path: Path) -> bool:
    """True when *path* looks like a PDF with at least one signature (cheap byte scan)."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            data = fh.read()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"/ByteRange" in data


def refuse_existing(path: Path, *, force: bool, any_file: bool = True) -> None:
    """The overwrite rule: never over a signed PDF without *force*; with *any_file*, never over any
    existing file without *force*."""
    if force or not path.exists():
        return
    if is_signed_pdf(path):
        raise UserError(
            f"{path} exists and is a signed PDF; refusing to overwrite it (use --force to "
            "replace it, or choose another output)"
        )
    if any_file:
        raise UserError(
            f"{path} exists; refusing to overwrite it (use --force to replace it, or choose "
            "another output)"
        )


def refuse_inputs(target: Path) -> None:
    """Refuse to write *target* when it is a file this run read or already wrote."""
    source = noted_input(target)
    if source is not None:
        same = "" if os.path.abspath(source) == os.path.abspath(target) else f" (the same file as {source})"
        raise UserError(f"the output is also an input of this run{same}; writing it would destroy "
                        "the input: choose another output file", Location(str(target)))
    try:
        info = os.stat(target)
    except OSError:
        return
    earlier = _WRITTEN.get((info.st_dev, info.st_ino))
    if earlier is not None:
        raise UserError(f"the output is also another output of this run ({earlier}); give each "
                        "output its own file", Location(str(target)))


def forget_outputs() -> None:
    _WRITTEN.clear()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def left_by_dead_runs(folder: Path, name: str, suffix: str) -> list[Path]:
    """The files or folders ``.NAME.<pid>.<random><suffix>`` in *folder* whose run's process is
    gone (a run that was killed): another live run's, or this process's, are not listed."""
    pattern = re.compile(re.escape(f".{name}.") + r"(\d+)\.[^.]+" + re.escape(suffix) + "$")
    try:
        found = [p for p in folder.iterdir() if p.name.startswith(f".{name}.")]
    except OSError:
        return []
    dead = []
    for path in found:
        match = pattern.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            dead.append(path)
    return dead


def clean_stale_parts(target: Path) -> None:
    """Remove the part files of *target* left by runs that were killed (their process is gone)."""
    for part in left_by_dead_runs(target.parent if str(target.parent) else Path("."), target.name, ".part"):
        with contextlib.suppress(OSError):
            part.unlink()


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None, *, binary: bool = False,
                mode: int | None = None, force: bool = True, any_file: bool = False) -> Iterator[Any]:
    """Write to *path* through a temporary file renamed into place on success, or to stdout.

    A target that is a device or a FIFO (``-o /dev/null``) is written directly: renaming a file
    over it would replace the device itself. The file gets the permissions a plain ``open`` would
    give it (umask), or *mode* (0o600 for a private key), set before it takes the target's name.
    """
    if path is None or str(path) == "-":
        # sys.stdout at call time, so that click's test runner can capture it.
        stream: Any = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    refuse_inputs(target)
    if is_special(target):
        try:
            with (open(target, "wb") if binary else open(target, "w", encoding="utf-8", newline="\n")) as direct:
                yield direct
        except OSError as exc:
            raise output_error(str(target), exc) from None
        return
    refuse_existing(target, force=force, any_file=any_file)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError("the output folder does not exist; create it first", Location(str(target)))
    clean_stale_parts(target)
    import tempfile  # only a command that writes a file needs it (start-up time)

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise output_error(str(target), exc) from None
    try:
        # A binary handle when *binary*, as for stdout above.
        handle: Any = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists() and not target.is_file():
            raise UserError("it exists and is not a file; choose another output", Location(str(target)))
        refuse_inputs(target)  # an input read while the output was being written
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
        info = os.stat(target)
        _WRITTEN[(info.st_dev, info.st_ino)] = str(target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if exc.errno in _WRITE_ERRNOS:
            raise output_error(str(target), exc) from None
        raise
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_output(path: Path | str, *, force: bool = False, replace_input: bool = False,
                  mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary :func:`open_output` under the PDF writers' rule: any existing file needs *force*.

    *replace_input* is for signing in place: the existing file is the input, so it is replaced
    without ``force`` (and is not refused as an input).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: the folder {folder} does not exist")
    if replace_input:
        from checkengine.inputs import forget_input

        forget_input(target)
    with open_output(target, binary=True, mode=mode, force=force or replace_input, any_file=True) as fh:
        yield fh


def write_atomic(path: Path | str, data: bytes, *, force: bool = False, replace_input: bool = False,
                 mode: int | None = None) -> None:
    with atomic_output(path, force=force, replace_input=replace_input, mode=mode) as fh:
        fh.write(data)
