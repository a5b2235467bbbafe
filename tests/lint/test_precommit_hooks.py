""".pre-commit-hooks.yaml and the example CI workflow name commands that exist, with real options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from checkengine.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]


def _hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(data, list)
    return data


def _options(name: str) -> set[str]:
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert command is not None, name
    return {opt for p in command.params for opt in getattr(p, "opts", [])}


def test_hooks_are_the_two_expected_ones() -> None:
    hooks = {h["id"]: h for h in _hooks()}
    assert sorted(hooks) == ["checkengine-lint", "checkengine-test"]
    assert hooks["checkengine-lint"]["entry"] == "checkengine lint"
    assert hooks["checkengine-test"]["entry"] == "checkengine test"
    assert hooks["checkengine-test"]["pass_filenames"] is False


@pytest.mark.parametrize("hook", _hooks(), ids=lambda h: h["id"])
def test_each_hook_is_well_formed(hook: dict[str, Any]) -> None:
    assert set(hook) >= {"id", "name", "entry", "language", "files"}
    program, command, *rest = shlex.split(hook["entry"]) + list(hook.get("args", []))
    assert program == "checkengine"
    assert command in COMMANDS
    known = _options(command)
    assert all(arg in known for arg in rest if arg.startswith("-"))
    assert re.search(hook["files"], "rulebooks/cs-floor.yaml")
    assert not re.search(hook["files"], "README.md")


def test_the_ci_example_uses_existing_commands_and_options() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text("utf-8"))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    calls = [shlex.split(line.split("||")[0]) for run in runs
             for line in run.replace("\\\n", " ").splitlines() if line.strip().startswith("checkengine ")]
    assert {c[1] for c in calls} == {"lint", "test", "evaluate"}
    for call in calls:
        known = _options(call[1])
        assert [a for a in call[2:] if a.startswith("-") and a not in known] == [], call
    lint = next(c for c in calls if c[1] == "lint")
    assert lint[lint.index("--format") + 1] == "sarif"
    test = next(c for c in calls if c[1] == "test")
    assert "--coverage" in test and "--min-coverage" in test
    uploads = [step for job in workflow["jobs"].values() for step in job["steps"]
               if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and uploads[0]["with"]["sarif_file"] == lint[lint.index("--output") + 1]
    evaluate = next(c for c in calls if c[1] == "evaluate")
    assert evaluate[evaluate.index("--format") + 1] == "junit"
    for path in ("rulebooks/cs-floor.yaml", "examples/month-2026-11"):
        assert (ROOT / path).exists(), path
