"""The progress bar (checkengine/batch/progress.py) is drawn from the caller's thread: with it on
the terminal, the local pool still forks its workers (a refresher thread would send them to the
fork server, to import and compile everything again)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

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
