"""Ctrl-C as a request, not an exception.

The first SIGINT sets a flag that the batch loop checks between chunks, so the output is closed
properly (what was finished, then a summary line marked ``interrupted``). A second SIGINT raises
:class:`KeyboardInterrupt` at once, for a user who does not want to wait.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


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
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
