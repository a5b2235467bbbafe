"""Built-in executors: inline (this process), local (a process pool) and dask (a cluster)."""

from __future__ import annotations

from typing import Callable

from checkengine import hookimpl
from checkengine.batch.executors import DaskType, ExecutorType, InlineType, LocalType


@hookimpl(trylast=True)
def checkengine_register_executors(register: Callable[[ExecutorType], None]) -> None:
    for kind in (InlineType(), LocalType(), DaskType()):
        register(kind)
