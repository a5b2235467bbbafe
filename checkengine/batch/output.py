"""Output files that fail with a message, not a traceback, when the disk is full or read-only.

:func:`checkengine.output.open_output` already writes through a temporary file renamed
into place on success; this adds the user's side of a failed write: one message naming the file,
the cause and what to do, and the promise that nothing half-written was left behind.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Protocol, TextIO

from checkengine.output import open_output, output_error


class TextSink(Protocol):
    """Where results are written: a text stream, or a :class:`GuardedOutput` around one."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class GuardedOutput:
    """A text stream whose write errors become :class:`UserError` naming the output."""

    def __init__(self, stream: TextIO, target: str) -> None:
        self.stream = stream
        self.target = target

    def write(self, text: Any) -> int:
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
def guarded_output(path: str | None, *, binary: bool = False) -> Iterator[GuardedOutput]:
    """:func:`open_output` (atomic, or stdout for ``-``/None) with friendly write errors
    (*binary*: a byte stream, for a sink that writes bytes)."""
    target = path if path not in (None, "-") else "<stdout>"
    try:
        with (open_output(path, binary=True) if binary else open_output(path)) as stream:
            guarded = GuardedOutput(stream, str(target))
            yield guarded
            guarded.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # the final flush and close happen inside open_output
        raise output_error(str(target), exc) from None
