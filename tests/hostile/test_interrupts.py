"""Interrupts with real signals: Ctrl-C (once, twice) during ``batch`` on a Dask cluster, and SIGKILL.

The process-pool interrupts are case folders (cases/interrupts/); a Dask cluster needs a
scheduler that lives as long as the test, so it is started here (a LocalCluster of worker
processes). The documented result: the output holds the first N records in input order and ends
with a summary marked interrupted, exit 130; a second Ctrl-C stops within a second; never a
traceback; a part file left by a killed run is removed by the next run that writes the output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "batch"))

import scenario  # noqa: E402

ENTRY = "import sys; from checkengine.cli import entry; sys.argv[0] = 'checkengine'; entry()"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as running:
        yield running


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupts")
    scenario.write_rulebook(folder / "book.yaml")
    scenario.write_jsonl(folder / "month.jsonl", 40000)
    return folder


def _start(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", ENTRY, *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_output(folder: Path, child: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until the batch is under way (its part file has records in it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        parts = list(folder.glob(".out.jsonl.*.part"))
        if parts and parts[0].stat().st_size > 200_000:
            return
        assert child.poll() is None, child.communicate()
        time.sleep(0.1)
    raise AssertionError("the batch wrote nothing within a minute")


def _interrupt(child: subprocess.Popen[bytes], times: int) -> tuple[int, str, float]:
    child.send_signal(signal.SIGINT)
    sent = time.monotonic()
    if times > 1:
        time.sleep(0.05)
        child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    return child.returncode, err.decode("utf-8", "replace"), time.monotonic() - sent


def _check_interrupted_output(path: Path) -> None:
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert lines[0]["type"] == "header" and lines[-1]["type"] == "summary"
    assert lines[-1]["interrupted"] is True
    seqs = [line["seq"] for line in lines[1:-1]]
    assert seqs == list(range(len(seqs))) and seqs  # the first N records, in input order


@pytest.mark.parametrize("times", [1, 2])
def test_ctrl_c_during_a_dask_batch(cluster: Any, month: Path, times: int) -> None:
    out = month / "out.jsonl"
    out.unlink(missing_ok=True)
    child = _start(month, "batch", "-r", "book.yaml", "month.jsonl", "--executor", "dask", "--scheduler",
                   cluster.scheduler_address, "-q", "-o", "out.jsonl", "--chunk-size", "50")
    _wait_for_output(month, child)
    code, err, took = _interrupt(child, times)
    assert "Traceback" not in err and "WorkerCrashed" not in err, err
    assert code in (130, -signal.SIGINT), err
    assert took < (10 if times == 1 else 2.5), f"stopped after {took:.1f} s"
    if times == 1:
        assert "interrupted; out.jsonl holds the first" in err
        _check_interrupted_output(out)
    else:
        assert "interrupted" in err
    assert not list(month.glob(".out.jsonl.*.part"))


def test_a_part_file_left_by_sigkill_is_removed_by_the_next_run(month: Path) -> None:
    out = month / "out.jsonl"
    out.unlink(missing_ok=True)
    child = _start(month, "batch", "-r", "book.yaml", "month.jsonl", "-j", "1", "-q", "-o", "out.jsonl",
                   "--chunk-size", "50")
    _wait_for_output(month, child)
    os.killpg(child.pid, signal.SIGKILL)
    child.communicate()
    left = list(month.glob(".out.jsonl.*.part"))
    assert len(left) == 1 and not out.exists()  # killed: nothing took the output's name
    small = month / "small.jsonl"
    small.write_text("".join(month.joinpath("month.jsonl").read_text("utf-8").splitlines(True)[:10]), "utf-8")
    done = subprocess.run([sys.executable, "-c", ENTRY, "batch", "-r", "book.yaml", "small.jsonl", "-j", "1",
                           "-q", "-o", "out.jsonl"], cwd=month, capture_output=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert not left[0].exists() and out.exists()
    assert not list(month.glob(".out.jsonl.*.part"))
