"""Running one hostile case: its folder laid out, the command run with a time and memory bound,
and every promise checked (exit code, a located message, no traceback, nothing lost or half-written).

A case runs in this process (fast: most cases need no process of their own; memory is measured with
tracemalloc) unless it says ``isolate: true``: then it runs in a child process under
``prlimit --as`` and a timeout, for the inputs whose danger is memory or time outside Python's
heap (alias bombs, /dev/zero, decompression bombs, FIFOs, interrupts).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from generate import generate

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
BASE = HERE / "base"
DEFAULT_SECONDS = 30.0
DEFAULT_MEMORY_MB = 200  # in process: Python allocations during the command (tracemalloc peak)
DEFAULT_ISOLATED_MB = 2048  # isolated: the address space of the child (prlimit --as)
ENTRY = "import sys; from checkengine.cli import entry; sys.argv[0] = 'checkengine'; entry()"


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float


def load(case: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((case / "case.yaml").read_text("utf-8"))
    return spec


def all_cases() -> list[Path]:
    return sorted(p.parent for p in CASES.rglob("case.yaml"))


def _set(data: Any, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data[int(part)] if isinstance(data, list) else data.setdefault(part, {})
    if isinstance(data, list):
        data[int(parts[-1])] = value
    else:
        data[parts[-1]] = value


def lay_out(case: Path, spec: dict[str, Any], folder: Path, templates: Callable[[str], Path]) -> None:
    """The case's working folder: the base files, the templates it needs, its own files."""
    for item in BASE.iterdir():
        shutil.copy2(item, folder / item.name)
    for name in spec.get("needs", []):
        shutil.copytree(templates(name), folder, dirs_exist_ok=True, symlinks=True)
    for item in case.iterdir():
        if item.name != "case.yaml":
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, folder / item.name)
    for name, text in (spec.get("files") or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    for file, changes in (spec.get("patch") or {}).items():
        data = yaml.safe_load((folder / file).read_text("utf-8"))
        for dotted, value in changes.items():
            _set(data, dotted, value)
        (folder / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    for item in spec.get("generate", []):
        generate(folder, item)
    for item in spec.get("special", []):
        kind, _, rest = item.partition(":")
        if kind == "fifo":
            os.mkfifo(folder / rest)
        elif kind == "symlink":
            name, _, target = rest.partition("->")
            os.symlink(target, folder / name)
        elif kind == "dir":
            (folder / rest).mkdir(parents=True, exist_ok=True)
        elif kind == "part":  # a part file left by a killed run (a pid that cannot be alive)
            (folder / rest).write_text("half", "utf-8")
        elif kind == "hardlink":  # alias.yaml: another name of record.yaml
            os.link(folder / "record.yaml", folder / "alias.yaml")
        elif kind == "truncate":  # the first half of a file
            source, _, target = rest.partition("->")
            data = (folder / source).read_bytes()
            (folder / target).write_bytes(data[: len(data) // 2])
        elif kind == "sql":  # statements run on an SQLite file (a damaged archive)
            import sqlite3

            file, _, statements = rest.partition(":")
            db = sqlite3.connect(folder / file)
            db.executescript(statements)
            db.close()
        elif kind == "scenario":  # the batch tests' rulebook and a month of records
            sys.path.insert(0, str(HERE.parent / "batch"))
            import scenario

            scenario.write_rulebook(folder / "book.yaml")
            scenario.write_jsonl(folder / "month.jsonl", int(rest))
        else:  # pragma: no cover - a typo in a case
            raise ValueError(f"unknown special {item!r}")


def snapshot(folder: Path) -> dict[str, str]:
    """Every regular file's digest, to check afterwards that no input was changed."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            out[str(path.relative_to(folder))] = digest.hexdigest()
    return out


def run_in_process(args: list[str], folder: Path, env: dict[str, str]) -> Outcome:
    from checkengine.cli import main

    old_cwd, old_env = os.getcwd(), {k: os.environ.get(k) for k in env}
    out, err = io.StringIO(), io.StringIO()
    os.chdir(folder)
    os.environ.update(env)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:  # click's --help and friends
                code = int(exc.code or 0)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        os.chdir(old_cwd)
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Outcome(code, out.getvalue(), err.getvalue(), seconds, peak)


def run_isolated(args: list[str], folder: Path, env: dict[str, str], *, seconds: float, memory_mb: int,
                 interrupt: list[float] | None = None, python: str | None = None) -> Outcome:
    """The command in a child process under ``prlimit --as`` and a timeout; *interrupt* sends
    SIGINT to its process group at those times (seconds after the start)."""
    command = ["prlimit", f"--as={memory_mb * 1024 * 1024}", "--", python or sys.executable, "-c", ENTRY, *args]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=folder, env={**os.environ, **env}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    for at in interrupt or []:
        time.sleep(max(0.0, at - (time.perf_counter() - start)))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
    try:
        out, err = child.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        out, err = child.communicate()
        return Outcome(-9, out.decode("utf-8", "replace"), err.decode("utf-8", "replace") + "\n[timed out]",
                       time.perf_counter() - start, 0.0)
    elapsed = time.perf_counter() - start
    with contextlib.suppress(ProcessLookupError):  # the worker pool of an interrupted batch
        os.killpg(child.pid, signal.SIGKILL)
    return Outcome(child.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                   elapsed, _children_peak_mb())


def _children_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_case(case: Path, folder: Path, templates: Callable[[str], Path], *, force_isolated: bool = False,
             python: str | None = None) -> tuple[dict[str, Any], Outcome, dict[str, str]]:
    spec = load(case)
    lay_out(case, spec, folder, templates)
    before = snapshot(folder)
    args = [str(a) for a in spec["args"]]
    env = {k: str(v) for k, v in (spec.get("env") or {}).items()}
    seconds = float(spec.get("seconds", DEFAULT_SECONDS))
    if spec.get("isolate") or force_isolated:
        outcome = run_isolated(args, folder, env, seconds=seconds,
                               memory_mb=int(spec.get("memory_mb", DEFAULT_ISOLATED_MB)),
                               interrupt=spec.get("interrupt"), python=python)
    else:
        outcome = run_in_process(args, folder, env)
    return spec, outcome, before
