"""One error contract: every error kind maps to its exit code in one place (``ExitCode``), a user's
mistake never shows a traceback, a dead worker is the environment's failure (not "a bug"), and
``--debug`` or ``CHECKENGINE_DEBUG=1`` show tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from checkengine.cli import main
from checkengine.errors import CheckengineError, EnvironmentFailure, ExitCode, PluginError, UserError

PLUGINS = Path(__file__).parent / "plugins"
CHECKENGINE = Path(sys.executable).with_name("checkengine")


def test_exit_codes_are_the_documented_contract() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [
        ("OK", 0), ("FINDINGS", 1), ("USAGE", 2), ("INTERNAL", 3), ("INTERRUPTED", 130)]
    assert UserError("x").exit_code == ExitCode.USAGE
    assert PluginError("x").exit_code == ExitCode.USAGE
    assert EnvironmentFailure("x").exit_code == ExitCode.INTERNAL
    assert all(issubclass(e, CheckengineError) for e in (UserError, PluginError, EnvironmentFailure))


def test_every_error_class_of_the_package_has_the_one_base() -> None:
    from checkengine.archive.store import ArchiveError
    from checkengine.batch.executors import WorkerCrashed
    from checkengine.findings import CodedError

    assert all(issubclass(e, CheckengineError) for e in (ArchiveError, WorkerCrashed, CodedError))


def _environment(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CHECKENGINE_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(PLUGINS), env.get("PYTHONPATH", "")])
    return env


def _killer_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    info = site / "ce_killer-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ce-killer\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text("[checkengine]\nkiller = kill_worker\n", "utf-8")
    return site


def _records_with_a_killer(tmp_path: Path, scenario: ModuleType) -> Path:
    records: Path = scenario.write_jsonl(tmp_path / "month.jsonl", 40)
    lines = records.read_text("utf-8").splitlines()
    doomed = json.loads(lines[20])
    doomed["id"] = "KILL-ME"
    lines[20] = json.dumps(doomed, ensure_ascii=False)
    records.write_text("\n".join(lines) + "\n", "utf-8")
    return records


def test_a_killed_worker_is_an_environment_failure(tmp_path: Path, scenario: ModuleType) -> None:
    book = scenario.write_rulebook(tmp_path / "book.yaml")
    records = _records_with_a_killer(tmp_path, scenario)
    run = [str(CHECKENGINE), "batch", "-r", str(book), str(records), "-j", "2", "-o", str(tmp_path / "out.jsonl")]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, env=_environment(_killer_site(tmp_path)))
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("checkengine: environment failure: a worker process died"), done.stderr
    assert "bug" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out.jsonl").exists()  # nothing half-written


def test_debug_by_environment_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine.commands import plugins as plugins_command

    def explode() -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(plugins_command.command, "callback", explode)
    assert main(["plugins"]) == ExitCode.INTERNAL
    monkeypatch.setenv("CHECKENGINE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["plugins"])
    monkeypatch.delenv("CHECKENGINE_DEBUG")
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", "plugins"])


def test_internal_error_message_names_both_ways_to_debug(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from checkengine.commands import plugins as plugins_command

    def explode() -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(plugins_command.command, "callback", explode)
    assert main(["plugins"]) == 3
    assert capsys.readouterr().err == (
        "checkengine: internal error (a bug; please report it with the output of --debug or CHECKENGINE_DEBUG=1):\n"
        "RuntimeError: boom\n")


def test_a_user_error_stays_a_message_under_debug(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("checkengine: 1\nid: [unclosed\n", "utf-8")
    assert main(["--debug", "explain", str(bad)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("checkengine: error: ") and "Traceback" not in err
