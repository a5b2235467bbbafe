"""The same batch on a Dask cluster (a LocalCluster started here) gives the same result."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkengine.batch.executors import DaskExecutor, InlineExecutor, probe_scheduler
from checkengine.batch.job import EngineSpec
from checkengine.errors import UserError
from checkengine.rulebook.load import load_rulebook

from test_batch_run import as_result, jsonl_batch  # noqa: E402  (same folder, on sys.path)

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    # In-process workers keep the test light; the tasks still go through the scheduler and the
    # job and chunks are still serialised.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.slow
def test_dask_equals_local(cluster: Any, book_path: Path, stream: Path) -> None:
    spec = EngineSpec(load_rulebook(book_path))
    local, _ = jsonl_batch(spec, [stream], InlineExecutor(), 17)
    remote, tally = jsonl_batch(spec, [stream], DaskExecutor(cluster.scheduler_address), 17)
    assert as_result(remote) == as_result(local)
    assert tally.records == 300 and tally.groups > 5


@pytest.mark.slow
def test_the_workers_forget_a_run_when_it_ends(cluster: Any, book_path: Path, stream: Path) -> None:
    """A Dask worker lives on after a run: it must not keep the run's compiled rulebook."""
    from checkengine.batch import worker

    spec = EngineSpec(load_rulebook(book_path), lang="en")
    jsonl_batch(spec, [stream], DaskExecutor(cluster.scheduler_address), 17)
    # The cluster's worker runs in this process: the run's job (its key ends with the writer's
    # encoder) is gone from the cache; the parent's own runner without encoder stays.
    assert [key for key in worker._RUNNERS if key.startswith(f"evaluate:{spec.key}:")] == [
        f"evaluate:{spec.key}:"]
    assert worker.forget("no such job") is False


def test_unreachable_scheduler_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(UserError) as caught:
        probe_scheduler("tcp://127.0.0.1:9", 1.5)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1.5 s (Timed out trying to connect to "
        "tcp://127.0.0.1:9 after 1.5 s); check --scheduler (e.g. tcp://scheduler-host:8786) and that "
        "`dask scheduler` runs there, or run with --executor local"
    )


def test_scheduler_address_without_port() -> None:
    with pytest.raises(UserError) as caught:
        probe_scheduler("scheduler-host", 1.0)
    assert str(caught.value) == (
        "--scheduler scheduler-host: not a Dask scheduler address (missing port number in address "
        "'scheduler-host'); check --scheduler (e.g. tcp://scheduler-host:8786) and that `dask scheduler` "
        "runs there, or run with --executor local"
    )
