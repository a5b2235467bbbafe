"""A progress bar on the terminal (stderr): records done, rate and time left.

Quiet when stderr is not a terminal, when ``CI=true`` (CI logs are not terminals even when they
pretend to be), or with ``--quiet``: the output stays a clean file or pipe either way.

The bar is drawn again when a chunk is done, from the caller's thread, not by a refresher thread
of its own: a process with a second thread cannot fork its pool's workers safely (they would start
from the fork server, importing and compiling everything again; see ``batch/forking.py``).
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any


def wanted(quiet: bool) -> bool:
    if quiet or os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        return False
    return sys.stderr.isatty()


#: the least time between two drawings of the bar (rich's own refresher draws 10 times a second)
REDRAW_SECONDS = 0.1


class Progress:
    """``advance(n)`` after each chunk; a no-op object when the bar is not wanted."""

    def __init__(self, *, enabled: bool, total: int | None, label: str = "evaluating") -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None
        self.total = total
        self.label = label
        self._drawn = 0.0

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn, MofNCompleteColumn, Progress as RichProgress, TaskProgressColumn,
                TextColumn, TimeElapsedColumn, TimeRemainingColumn,
            )

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]} records/s"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
                auto_refresh=False,  # no refresher thread: drawn in advance()
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=self.total, rate="—")
        return self

    def advance(self, count: int) -> None:
        if self._bar is None:
            return
        self._bar.advance(self._task, count)
        task = self._bar.tasks[0]
        speed = task.speed
        fields: dict[str, Any] = {"rate": f"{speed:,.0f}" if speed else "—"}
        if task.total is not None and task.completed > task.total:
            fields["total"] = task.completed  # the estimate was short (CSV rows over lines)
        self._bar.update(self._task, **fields)
        now = time.monotonic()
        if now - self._drawn >= REDRAW_SECONDS:
            self._drawn = now
            self._bar.refresh()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
            self._bar = None
