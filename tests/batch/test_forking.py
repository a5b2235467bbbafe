"""The pool's start-up helpers (checkengine/batch/forking.py): the hook that keeps CPython's
race between a cancelled chunk and a stopped pool (gh-107219, fixed in 3.12) off the terminal,
and only that."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import InvalidStateError
from typing import Any

import pytest

from checkengine.batch.forking import quiet_broken_pool_race


def _in_thread(target: Any) -> None:
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the race is fixed in Python 3.12")
def test_only_the_pools_race_is_kept_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[type[BaseException], str]] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append((args.exc_type, str(args.exc_value))))
    quiet_broken_pool_race()
    quiet_broken_pool_race()  # once is enough: not wrapped twice

    def terminate_broken() -> None:  # the name of the pool manager's method where the race is
        raise InvalidStateError("CANCELLED: <Future state=cancelled>")

    def elsewhere() -> None:
        raise InvalidStateError("somewhere else")

    def broken() -> None:
        raise ValueError("a real error")

    for target in (terminate_broken, elsewhere, broken):
        _in_thread(target)
    assert seen == [(InvalidStateError, "somewhere else"), (ValueError, "a real error")]
