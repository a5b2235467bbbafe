"""Starting the local pool's workers by forking this process (see :class:`LocalExecutor`).

A forked worker begins with what the parent has built for the run - the job's runner, its
compiled rulebook, a run's lookup index - so it costs neither imports, nor unpickling the job, nor
a second compile. That is safe only in a process without other threads (a thread would be copied
in an undefined state); elsewhere the pool uses a fork server.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Iterator


def start_method() -> str:
    """``fork`` when this process has no other thread (the workers then start with what it has
    built), else ``forkserver``, else ``spawn`` (not on Linux)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def flush_standard_streams() -> None:
    """A forked worker exits through os._exit after flushing the standard streams: what this
    process had buffered there would be written twice."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back while workers are forked, so that none gets this process's Ctrl-C handler
    before it ignores Ctrl-C itself (``init_pool_worker``); a Ctrl-C meanwhile reaches this
    process right after."""
    held = threading.current_thread() is threading.main_thread()  # signals are the main thread's
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
