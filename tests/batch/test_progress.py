"""The progress bar (checkengine/batch/progress.py) is drawn from the caller's thread: with it on
the terminal, the local pool still forks its workers (a refresher thread would send them to the
fork server, to import and compile everything again); Ctrl-C on that terminal keeps what it kept
without the bar."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from types import ModuleType

CHECK = """
import threading
from checkengine.batch.forking import start_method
from checkengine.batch.progress import Progress

with Progress(enabled=True, total=10, label="evaluating") as progress:
    assert threading.active_count() == 1, threading.enumerate()
    assert start_method() == "fork", start_method()
    progress.advance(4)
    progress.advance(6)
print("checked")
"""


def test_the_bar_runs_no_thread_of_its_own() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.splitlines()[-1:]) == (0, ["checked"]), done.stderr
    assert "10/10" in done.stderr  # drawn when it closes, as it stands


def test_a_batch_on_a_terminal_draws_the_bar_and_writes_what_a_quiet_one_writes(tmp_path: Path, book_path: Path,
                                                                                   stream: Path) -> None:
    checkengine = Path(sys.executable).with_name("checkengine")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    quiet = subprocess.run([str(checkengine), "batch", "-r", str(book_path), str(stream), "-j", "2", "-q",
                            "-o", str(tmp_path / "quiet.jsonl")], capture_output=True, env=env, timeout=120)
    leader, follower = pty.openpty()
    try:
        shown = subprocess.run([str(checkengine), "batch", "-r", str(book_path), str(stream), "-j", "2",
                                "-o", str(tmp_path / "shown.jsonl")], stdout=subprocess.DEVNULL, stderr=follower,
                               env=env, timeout=120)
        os.close(follower)
        drawn = b""
        while True:
            try:
                data = os.read(leader, 1 << 16)
            except OSError:  # the terminal closed
                break
            if not data:
                break
            drawn += data
    finally:
        os.close(leader)
    assert shown.returncode == quiet.returncode
    assert b"records/s" in drawn and b"evaluating" in drawn

    def body(name: str) -> list[str]:
        return (tmp_path / name).read_text("utf-8").splitlines()[1:]  # the header carries the time
    assert body("shown.jsonl") == body("quiet.jsonl")


def test_ctrl_c_on_a_terminal_with_the_bar_keeps_whole_chunks(tmp_path: Path, book_path: Path,
                                                              scenario: ModuleType) -> None:
    """Ctrl-C on a terminal (SIGINT to the whole process group) while the bar is drawn and the
    forked workers run: the first records in order, a summary marked interrupted, exit 130, no parts."""
    import json
    import select
    import signal
    import time

    data = scenario.write_jsonl(tmp_path / "month.jsonl", 60_000)
    out = tmp_path / "out.jsonl"
    checkengine = Path(sys.executable).with_name("checkengine")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    leader, follower = pty.openpty()
    child = subprocess.Popen([str(checkengine), "batch", "-r", str(book_path), str(data), "-j", "2", "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    drawn = b""
    try:
        deadline = time.monotonic() + 60
        while b"records/s" not in drawn or not any(tmp_path.glob(".out.jsonl.*.parts")):
            assert time.monotonic() < deadline and child.poll() is None, drawn[-2000:]
            if select.select([leader], [], [], 0.1)[0]:
                drawn += os.read(leader, 1 << 16)
        time.sleep(1.0)
        os.killpg(child.pid, signal.SIGINT)  # as the terminal sends it
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if select.select([leader], [], [], 0.1)[0]:
                try:
                    more = os.read(leader, 1 << 16)
                except OSError:  # every writer closed the terminal
                    break
                drawn += more
            elif child.poll() is not None:
                break
        code = child.wait(timeout=60)
    finally:
        os.close(leader)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert code == 130, drawn[-2000:]
    assert b"interrupted; " in drawn and b"Traceback" not in drawn
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert lines[-1]["type"] == "summary" and lines[-1]["interrupted"] is True
    seqs = [line["seq"] for line in lines[1:-1]]
    assert seqs == list(range(len(seqs))) and 0 < len(seqs) < 60_000
    assert not list(tmp_path.glob(".out.jsonl.*"))
