"""Output files that fail with a message, not a traceback, when the disk is full or read-only.

:func:`checkengine.commands._common.open_output` already writes through a temporary file renamed
into place on success; this adds the user's side of a failed write: one message naming the file,
the cause and what to do, and the promise that nothing half-written was left behind.
"""

from __future__ import annotations

import contextlib
import errno
import stat
from pathlib import Path
from typing import Iterator, TextIO

from checkengine.commands._common import open_output
from checkengine.errors import Location, UserError

_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space or write elsewhere (-o)",
    errno.EDQUOT: "the disk quota is exhausted; free some space or write elsewhere (-o)",
    errno.EROFS: "the folder is on a read-only file system; write elsewhere (-o)",
    errno.EACCES: "permission denied; write to a folder you may write to (-o)",
    errno.EPERM: "permission denied; write to a folder you may write to (-o)",
}


def _special(path: Path) -> bool:
    """True for an existing target that is not a regular file (a device, a FIFO, a socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def output_error(target: str, exc: OSError) -> UserError:
    advice = _ADVICE.get(exc.errno or 0, f"{exc.strerror or exc}; write elsewhere (-o)")
    return UserError(f"cannot write the output: {advice}; no partial output was left", Location(target))


class GuardedOutput:
    """A text stream whose write errors become :class:`UserError` naming the output."""

    def __init__(self, stream: TextIO, target: str) -> None:
        self.stream = stream
        self.target = target

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise  # the reader stopped reading (| head): not a failure, the CLI exits quietly
        except OSError as exc:
            raise output_error(self.target, exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise output_error(self.target, exc) from None


@contextlib.contextmanager
def guarded_output(path: str | None) -> Iterator[GuardedOutput]:
    """:func:`open_output` (atomic, or stdout for ``-``/None) with friendly write errors."""
    target = path if path not in (None, "-") else "<stdout>"
    if path not in (None, "-") and _special(Path(path)):
        # /dev/null, a FIFO, a terminal: write straight to it. Renaming a temporary file over it
        # would replace the device itself with a plain file.
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                special = GuardedOutput(handle, str(target))
                yield special
                special.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise output_error(str(target), exc) from None
        return
    try:
        with open_output(path) as stream:
            guarded = GuardedOutput(stream, str(target))
            yield guarded
            guarded.flush()
    except UserError as exc:
        if exc.bare_message.startswith("cannot write here: "):  # open_output's mkstemp failure
            cause = exc.bare_message.removeprefix("cannot write here: ")
            number = next((n for n, name in ((errno.EROFS, "Read-only file system"),
                                             (errno.EACCES, "Permission denied"),
                                             (errno.ENOSPC, "No space left on device")) if name == cause), 0)
            raise output_error(str(target), OSError(number, cause)) from None
        raise
    except BrokenPipeError:
        raise
    except OSError as exc:  # the final flush and close happen inside open_output
        raise output_error(str(target), exc) from None
