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


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Fork with every object this process has made so far in the collector's permanent
    generation (``gc.freeze``): a forked worker's collections then never walk the modules, the
    compiled rulebook and the lookup index it inherited - walking them writes to every object's
    header, so each worker copied those pages and spent CPU on objects that live for the whole
    run. This process takes its objects back when the workers are forked."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def quiet_broken_pool_race() -> None:
    """Keep CPython's race between a cancelled chunk and a stopped pool off the user's terminal.

    When a run is stopped (Ctrl-C, an error), its pending chunks are cancelled and its workers
    stopped; the pool's manager thread then marks the same chunks failed and, on Python before
    the fix of gh-107219 (3.12), dies with ``InvalidStateError``: a traceback on stderr from a
    thread, after the run has said what it kept. The fix ignores that error in exactly that place
    (``terminate_broken``); this hook does the same and passes every other exception on."""
    if sys.version_info >= (3, 12) or getattr(threading.excepthook, "_checkengine_pool_race", False):
        return
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        from concurrent.futures import InvalidStateError

        frames = []
        tb = args.exc_traceback
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        if args.exc_type is InvalidStateError and "terminate_broken" in frames:
            return
        previous(args)

    hook._checkengine_pool_race = True  # type: ignore[attr-defined]
    threading.excepthook = hook
