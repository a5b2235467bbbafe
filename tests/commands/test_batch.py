"""``checkengine batch``: output files, bad input, a full or read-only disk, Dask, Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import scenario  # tests/batch, on sys.path by tests/conftest.py

from checkengine.cli import main

CHECKENGINE = Path(sys.executable).with_name("checkengine")


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_jsonl_file(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", out)
    assert (code, stdout, err) == (1, "", "")  # failures; no progress bar when not on a terminal
    lines = lines_of(out)
    assert lines[0]["type"] == "header" and lines[0]["order"] == "input"
    assert [d["seq"] for d in lines if d["type"] == "record"] == list(range(120))
    assert lines[-1]["type"] == "summary" and lines[-1]["interrupted"] is False
    assert lines[-1]["records"] == 120 and lines[-1]["errors"] == 0 and lines[-1]["groups"] > 0


def test_malformed_line_in_the_middle(tmp_path: Path, book: Path, month: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    rows = month.read_text("utf-8").splitlines()
    rows[59] = '{"kind": "monitoring", "id": "MO-x",, }'
    month.write_text("\n".join(rows) + "\n", "utf-8")
    code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "2", "-f", "text", "--chunk-size", "16")
    assert code == 2 and err == f"checkengine: 1 unusable record, the first at {month}:60:37 (listed in the report)\n"
    assert f"\n{month}:60:37: error: invalid JSON: Expecting property name enclosed in double quotes\n" in stdout
    assert "\n119 records, " in stdout and " 1 unusable: " in stdout


def test_formats_agree(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "batch", "-r", book, month, "-j", "1", "-f", "json", "-o", tmp_path / "a.json")
    cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", tmp_path / "a.jsonl")
    document = json.loads((tmp_path / "a.json").read_text("utf-8"))
    lines = lines_of(tmp_path / "a.jsonl")
    assert document["records"] == [{k: v for k, v in d.items() if k not in ("type", "seq")}
                                   for d in lines if d["type"] == "record"]
    assert document["summary"] == lines[-1]["summary"]


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "0"], "--jobs must be at least 1, got 0"),
    (["--chunk-size", "0"], "--chunk-size must be at least 1, got 0"),
    (["--lang", "fr"], "the rulebook 'scenario' has no 'fr' text; --lang must be one of: en, zh-Hant, zh-Hans, ko, es"),
    (["--executor", "dask"], "--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler-host:8786)"),
    (["--scheduler", "tcp://x:1"], "--scheduler is only used with --executor dask"),
])
def test_usage_mistakes(book: Path, month: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                        message: str) -> None:
    code, stdout, err = cli(capsys, "batch", "-r", book, month, *args)
    assert (code, stdout, err) == (2, "", f"checkengine: error: {message}\n")


def test_unreachable_dask_scheduler(book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    code, stdout, err = cli(capsys, "batch", "-r", book, month, "--executor", "dask",
                            "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1")
    assert time.monotonic() - started < 6
    assert (code, stdout) == (2, "")
    assert err == (
        "checkengine: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s (Timed out "
        "trying to connect to tcp://127.0.0.1:9 after 1 s); check --scheduler (e.g. tcp://scheduler-host:8786) "
        "and that `dask scheduler` runs there, or run with --executor local\n"
    )


class FullDisk:
    """A stream that fails like a full disk once *room* characters are written."""

    def __init__(self, stream: Any, room: int) -> None:
        self.stream = stream
        self.room = room

    def write(self, text: str) -> int:
        if len(text) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(text)
        return int(self.stream.write(text))

    def flush(self) -> None:
        self.stream.flush()


def test_disk_full_leaves_nothing(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine.batch import output

    real = output.open_output

    @contextlib.contextmanager
    def tiny(path: str | None) -> Iterator[Any]:
        with real(path) as stream:
            yield FullDisk(stream, 20_000)

    monkeypatch.setattr(output, "open_output", tiny)
    out = tmp_path / "results" / "out.jsonl"
    out.parent.mkdir()
    code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", out)
    assert (code, stdout) == (2, "")
    assert err == (f"checkengine: error: {out}: cannot write the output: no space left on the device (the disk is full); free some space or "
                   "write elsewhere (-o); no partial output was left\n")
    assert list(out.parent.iterdir()) == []


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A real tiny file system (needs root and mount); the test is skipped elsewhere."""
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_real_full_disk(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "small", "size=64k") as folder:
        out = folder / "out.jsonl"
        code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", out)
        assert (code, stdout) == (2, "")
        assert err == (f"checkengine: error: {out}: cannot write the output: no space left on the device (the disk is full); free some space "
                       "or write elsewhere (-o); no partial output was left\n")
        assert list(folder.iterdir()) == []


def test_read_only_folder(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "ro", "size=1m,ro") as folder:
        out = folder / "out.jsonl"
        code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", out)
        assert (code, stdout) == (2, "")
        assert err == (f"checkengine: error: {out}: cannot write the output: the folder is on a read-only file "
                       "system; write elsewhere (-o); no partial output was left\n")


@pytest.mark.slow
def test_ctrl_c_leaves_valid_output(tmp_path: Path, book: Path) -> None:
    big = scenario.write_jsonl(tmp_path / "big.jsonl", 40_000)
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "CI": "true"}
    proc = subprocess.Popen([str(CHECKENGINE), "batch", "-r", str(book), str(big), "-j", "2", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    # Wait until records are being written (the temporary file next to the output grows).
    while time.monotonic() < deadline:
        parts = list(tmp_path.glob(".out.jsonl.*.part"))
        if parts and parts[0].stat().st_size > 200_000:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the batch wrote nothing within 60 s")
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    lines = lines_of(out)  # every line parses
    body = [d for d in lines if d["type"] in ("record", "error")]
    assert [d["seq"] for d in body] == list(range(len(body)))
    assert 0 < len(body) < 40_000
    assert lines[-1]["type"] == "summary" and lines[-1]["interrupted"] is True
    assert lines[-1]["records"] == len(body)
    assert stderr == (f"checkengine: interrupted; {out} holds the first {len(body)} input records and ends "
                      "with a summary marked interrupted (aggregates were not evaluated)\n")
    assert not list(tmp_path.glob(".out.jsonl.*.part"))


@pytest.mark.slow
def test_dask_cluster(tmp_path: Path, book: Path, month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", tmp_path / "local.jsonl")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        code, stdout, err = cli(capsys, "batch", "-r", book, month, "--executor", "dask",
                                "--scheduler", cluster.scheduler_address, "-o", tmp_path / "dask.jsonl")
    assert (code, stdout, err) == (1, "", "")
    strip = lambda rows: [r for r in rows if r["type"] != "header"]  # noqa: E731  (generated_at differs)
    assert strip(lines_of(tmp_path / "dask.jsonl")) == strip(lines_of(tmp_path / "local.jsonl"))


def test_output_to_a_fifo_is_written_not_replaced(tmp_path: Path, book: Path, month: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """-o /dev/null or a named pipe: written to, never replaced by a renamed temporary file."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text("utf-8")), daemon=True)
    reader.start()
    code, stdout, err = cli(capsys, "batch", "-r", book, month, "-j", "1", "-o", fifo)
    reader.join(timeout=30)
    assert (code, stdout, err) == (1, "", "")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    lines = received[0].splitlines()
    assert json.loads(lines[0])["type"] == "header" and json.loads(lines[-1])["type"] == "summary"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
