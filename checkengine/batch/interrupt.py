"""Ctrl-C as a request, not an exception.

The first SIGINT sets a flag that the batch loop checks between chunks, so the output is closed
properly (what was finished, then a summary line marked ``interrupted``). A second SIGINT raises
:class:`KeyboardInterrupt` at once, for a user who does not want to wait; the unwinding removes the
partial output and stops the workers. Should anything block on the way out (a worker pool's
threads, a cluster that does not answer), the process exits one second later regardless, with 130
(a part file left then is removed by the next run that writes the same output).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType, TracebackType
from typing import Any


GRACE_SECONDS = 1.0


def _exit_now() -> None:
    try:
        sys.stderr.write("checkengine: interrupted\n")
        sys.stderr.flush()
    finally:
        os._exit(130)


def _late_interrupt(signum: int, frame: FrameType | None) -> None:
    _exit_now()


class StopFlag:
    """Set by Ctrl-C (or by code: tests, embedding applications) to stop a batch early."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._previous: Any = None
        self._installed = False

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self._event.is_set():
            deadline = threading.Timer(GRACE_SECONDS, _exit_now)
            deadline.daemon = True
            deadline.start()
            raise KeyboardInterrupt
        self._event.set()

    def __enter__(self) -> "StopFlag":
        # Signal handlers can only be installed from the main thread; elsewhere (a server
        # embedding checkengine) the flag is still usable through set().
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._installed:
            # After a stop, the work is over and its output closed: one more Ctrl-C while the
            # command says goodbye just ends it (130), not with a KeyboardInterrupt somewhere.
            signal.signal(signal.SIGINT, _late_interrupt if self._event.is_set() else self._previous)
            self._installed = False
