"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

Every executor hands back futures whose ``result(timeout)`` raises :class:`TimeoutError` while the
chunk is still running, so the parent can keep watching for Ctrl-C between polls.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Protocol

from checkengine.errors import EnvironmentFailure, UserError

if TYPE_CHECKING:
    # What runs chunks (the engine, multiprocessing, asyncio) is imported when a run starts: the
    # executor types are registered by a built-in plugin that every command loads (start-up time).
    from concurrent.futures import Future

    from checkengine.batch.job import Job
    from checkengine.batch.source import Task
    from checkengine.batch.worker import ChunkResult

ExecutorName = str
"""The name of a registered executor type: inline, local, dask, or one a plugin adds."""
DEFAULT_CONNECT_TIMEOUT = 10.0


class Handle(Protocol):
    def result(self, timeout: float | None = None) -> ChunkResult: ...

    def done(self) -> bool: ...

    def cancel(self) -> bool: ...


class Executor(Protocol):
    workers: int

    @property
    def window(self) -> int:
        """How many chunks to keep in flight: enough to keep every worker busy while the parent
        writes, few enough that memory stays flat."""

    def connect(self) -> None:
        """Reach the resources (a cluster) before any output is written; start() does it too."""

    def start(self, job: Job) -> None: ...

    def submit(self, chunk: Task) -> Handle: ...

    def close(self, *, cancel: bool) -> None: ...


class WorkerCrashed(EnvironmentFailure):
    """A worker process died (killed, out of memory): a failure of the machine, not of the input."""


_TRACKER_WARNING = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    """When Ctrl-C stops the workers mid-chunk, multiprocessing's resource tracker (a helper
    process that writes to our stderr) warns of "leaked semaphore objects" and then cleans them up
    itself. The user was already told what the interrupted run kept; the warning is noise. The
    tracker takes its warning filters from the interpreter's -W options when it starts, so the
    filter goes there, before the pool (and with it the tracker) starts."""
    if _TRACKER_WARNING not in sys.warnoptions:
        sys.warnoptions.append(_TRACKER_WARNING)


def default_jobs() -> int:
    """All the cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class InlineExecutor:
    """Runs each chunk in this process when it is submitted (``--jobs 1``: no pool to start)."""

    workers = 1
    window = 1  # a chunk runs when submitted: reading ahead would only hold more in memory

    def __init__(self) -> None:
        self._job: Job | None = None

    def connect(self) -> None:
        return None

    def start(self, job: Job) -> None:
        self._job = job

    def submit(self, chunk: Task) -> Handle:
        from concurrent.futures import Future

        from checkengine.batch.worker import run_chunk

        assert self._job is not None, "start() first"
        future: Future[ChunkResult] = Future()
        future.set_result(run_chunk(self._job, chunk))
        return future

    def close(self, *, cancel: bool) -> None:
        self._job = None


class LocalExecutor:
    """A pool of worker processes on this machine.

    When this process runs no other thread (no progress bar's refresher, no embedding server's
    threads), the workers are forked from it when the run starts, with the job's runner built
    (:mod:`checkengine.batch.forking`). Otherwise they are started by a fork server (spawning
    re-imports everything per worker), which preloads the worker module.
    """

    #: the workers share this machine's files: a run may hand them byte ranges of its inputs and
    #: let them write their part of the output to files (:mod:`checkengine.batch.parts`)
    shares_files = True

    def __init__(self, jobs: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.workers = jobs
        self._pool: ProcessPoolExecutor | None = None

    @property
    def window(self) -> int:
        return 2 * self.workers + 1

    def connect(self) -> None:
        return None

    def start(self, job: Job) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from checkengine.batch.forking import (
            ctrl_c_held, flush_standard_streams, frozen_heap, quiet_broken_pool_race, start_method,
        )
        from checkengine.batch.worker import init_pool_worker

        _quiet_resource_tracker()
        quiet_broken_pool_race()
        method = start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["checkengine.batch.worker"])
        elif method == "fork":
            flush_standard_streams()
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=init_pool_worker, initargs=(job,)
        )
        if method == "fork":
            with ctrl_c_held(), frozen_heap():  # the pool forks its workers at the first task: now
                self._pool.submit(int)

    def submit(self, chunk: Task) -> Handle:
        from concurrent.futures.process import BrokenProcessPool

        from checkengine.batch.worker import run_pool_chunk

        assert self._pool is not None, "start() first"
        try:
            return _PoolHandle(self._pool.submit(run_pool_chunk, chunk))
        except BrokenProcessPool as exc:
            raise WorkerCrashed(str(exc)) from None

    def close(self, *, cancel: bool) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if cancel:
                # Chunks already running would be thrown away: stop their workers now instead of
                # waiting for them (the pool's threads would otherwise hold the exit).
                for process in list(getattr(pool, "_processes", {}).values()):
                    try:
                        process.terminate()
                    except (OSError, AttributeError):
                        pass
            pool.shutdown(wait=not cancel, cancel_futures=cancel)


class _PoolHandle:
    def __init__(self, future: Future[ChunkResult]) -> None:
        self.future = future

    def result(self, timeout: float | None = None) -> ChunkResult:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.future.result(timeout)
        except BrokenProcessPool as exc:
            raise WorkerCrashed(f"a worker process died ({exc}); it may have run out of memory") from None

    def done(self) -> bool:
        return self.future.done()

    def cancel(self) -> bool:
        return self.future.cancel()


class DaskExecutor:
    """Chunks as tasks on a Dask cluster; the job is broadcast to every worker once, each chunk's
    records are scattered to a worker and its task carries their key, and every worker forgets
    the run when it ends (:mod:`checkengine.batch.dask_runs`)."""

    def __init__(self, address: str, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self.workers = 0
        self._client: Any = None
        self._job: Any = None
        self._run: str | None = None  # this run's token on the workers (checkengine.batch.dask_runs)

    @property
    def window(self) -> int:
        return 2 * self.workers + 1

    def connect(self) -> None:
        if self._client is not None:
            return
        # An in-process cluster (``inproc://``) is no network to probe, and its comms belong to its
        # own event loop: asking it from a second loop fails now and then under load.
        identity: dict[str, Any] = {}
        if not self.address.startswith("inproc://"):
            identity = probe_scheduler(self.address, self.connect_timeout)
        import dask.config
        from distributed import Client

        # The client's connection to the scheduler keeps its last 1,000 batches of messages for
        # debugging (distributed.admin.low-level-log-length): every chunk's records, as the
        # tasks that carry them, so the client grew with the run up to 1,000 chunks. It keeps none.
        with dask.config.set({"distributed.admin.low-level-log-length": 0}):
            self._client = Client(  # type: ignore[no-untyped-call]  # distributed: Client.__init__ has no type hints
                self.address, timeout=f"{self.connect_timeout}s", set_as_default=False
            )
        try:
            self._client.wait_for_workers(1, timeout=self.connect_timeout)
        except TimeoutError:
            self.close(cancel=True)
            raise UserError(
                f"the Dask scheduler at {self.address} has no workers (waited "
                f"{self.connect_timeout:g} s); start some with `dask worker {self.address}`"
            ) from None
        self.workers = max(1, int(self._client.scheduler_info().get("n_workers") or
                                  identity.get("n_workers") or 1))

    def start(self, job: Job) -> None:
        import uuid

        self.connect()
        [self._job] = self._client.scatter([job], broadcast=True, hash=False)
        self._run = uuid.uuid4().hex

    def submit(self, chunk: Task) -> Handle:
        from checkengine.batch.dask_runs import ChunkHandle, run_chunk

        # The records travel as data of their own, not inside the task: the scheduler keeps its
        # last 1,000 batches of messages to each worker for debugging (the operator's setting,
        # distributed.admin.low-level-log-length), so records sent inside the tasks stayed in the
        # scheduler's memory after the run. Scattered data is released when its task is done.
        [records] = self._client.scatter([chunk], hash=False)
        return ChunkHandle(self._client.submit(run_chunk, self._run, self._job, records, pure=False))

    def close(self, *, cancel: bool) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            run, self._job, self._run = self._run, None, None
            if run is not None and not cancel:
                # The workers outlive the run: each drops the run's runner (its compiled rulebook
                # and the run's index) now, or their memory grows with every run. The runner's
                # key is the worker's own (it names the worker's plugin registry), so the run is
                # named by its token (checkengine.batch.dask_runs).
                from checkengine.batch.dask_runs import forget_run

                try:
                    client.run(forget_run, run)
                except Exception:  # noqa: BLE001 - a worker gone or busy keeps at most a few runners
                    pass
            try:
                client.close(timeout=self.connect_timeout)
            except (OSError, TimeoutError):
                pass  # the cluster went away while closing: nothing is left to release


def probe_scheduler(address: str, timeout: float) -> dict[str, Any]:
    """Ask the scheduler who it is, within *timeout* seconds; a UserError if it does not answer.

    A plain ``Client(address)`` that fails leaves an object whose finaliser waits and prints a
    traceback at exit; the probe fails cleanly and fast instead.
    """
    import asyncio

    hint = (f"check --scheduler (e.g. tcp://scheduler-host:8786) and that `dask scheduler` runs "
            f"there, or run with --executor local")
    try:
        return asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout + 1))
    except ValueError as exc:
        raise UserError(f"--scheduler {address}: not a Dask scheduler address ({exc}); {hint}") from None
    except (OSError, TimeoutError, asyncio.TimeoutError) as exc:
        raise UserError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({exc or 'timed out'}); {hint}"
        ) from None
    except Exception as exc:  # a server that speaks another protocol sends anything at all
        raise UserError(
            f"{address} did not answer as a Dask scheduler ({type(exc).__name__}); {hint}"
        ) from None


async def _identity(address: str, timeout: float) -> dict[str, Any]:
    import asyncio

    from distributed.comm.core import connect

    comm = await connect(address, timeout=timeout)  # type: ignore[no-untyped-call]  # distributed: comm.connect has no type hints
    try:
        await comm.write({"op": "identity"})
        reply = await asyncio.wait_for(comm.read(), timeout)
    finally:
        await comm.close()
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise OSError("the server there is not a Dask scheduler")
    return reply


class ExecutorType:
    """A kind of executor (``--executor NAME``), registered through ``checkengine_register_executors``.

    ``create`` builds one for a run from the command's options; it raises
    :class:`checkengine.errors.UserError` for options it cannot use (a missing scheduler address).
    A plugin adds Spark or Ray this way: an object with the :class:`Executor` methods whose
    ``submit`` runs :func:`checkengine.batch.worker.run_chunk` on the cluster.
    """

    name: str = ""
    summary: str = ""

    def create(self, *, jobs: int | None, scheduler: str | None, connect_timeout: float) -> Executor:
        raise TypeError("executor types implement create()")


class InlineType(ExecutorType):
    name = "inline"
    summary = "In this process, one chunk after the other (what evaluate uses)."

    def create(self, *, jobs: int | None, scheduler: str | None, connect_timeout: float) -> Executor:
        if scheduler:
            raise UserError("--scheduler is only used with --executor dask")
        return InlineExecutor()


class LocalType(ExecutorType):
    name = "local"
    summary = "A pool of worker processes on this machine (--jobs N; 1 runs inline)."

    def create(self, *, jobs: int | None, scheduler: str | None, connect_timeout: float) -> Executor:
        if scheduler:
            raise UserError("--scheduler is only used with --executor dask")
        count = default_jobs() if jobs is None else jobs
        if count < 1:
            raise UserError(f"--jobs must be at least 1, got {count}")
        return InlineExecutor() if count == 1 else LocalExecutor(count)


class DaskType(ExecutorType):
    name = "dask"
    summary = "Tasks on a Dask cluster (--scheduler ADDRESS)."

    def create(self, *, jobs: int | None, scheduler: str | None, connect_timeout: float) -> Executor:
        if not scheduler:
            raise UserError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler-host:8786)")
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UserError(
                "--executor dask needs the 'distributed' package; install it with "
                "pip install 'checkengine[dask]'"
            ) from None
        return DaskExecutor(scheduler, connect_timeout=connect_timeout)


def make_executor(
    name: ExecutorName,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Executor:
    """The registered executor *name*, made for the options (``local`` with ``jobs=1`` runs inline:
    no pool for one worker)."""
    from checkengine.plugins import default_registry

    types = default_registry().executors
    found = types.get(name)
    if found is None:
        raise UserError(f"unknown executor '{name}'; choose one of: {', '.join(sorted(types))}")
    return found.create(jobs=jobs, scheduler=scheduler, connect_timeout=connect_timeout)
