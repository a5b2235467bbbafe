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


def test_hooks_are_the_three_expected_ones() -> None:
    hooks = {h["id"]: h for h in _hooks()}
    assert sorted(hooks) == ["checkengine-fmt", "checkengine-lint", "checkengine-test"]
    assert hooks["checkengine-fmt"]["entry"] == "checkengine fmt"
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
    for path in ("rulebooks/cs-floor.yaml", "rulebooks/branches/cc-taipei-night.yaml",
                 "rulebooks/sources/seed-sources.yaml", "rulebooks/tests/cs-floor.tests.yaml",
                 "examples/month-2026-11/waivers.yaml", "compliance/floor.waivers.yml", "other/floor.tests.yaml"):
        assert re.search(hook["files"], path), path
    for path in ("README.md", ".github/workflows/rulebooks.yml", ".pre-commit-config.yaml",
                 ".pre-commit-hooks.yaml", "examples/month-2026-11/inspections/FI-2026-11-03-001.yaml",
                 "examples/month-2026-11/leave-requests.yaml", "examples/ci/github-actions.yml"):
        assert not re.search(hook["files"], path), path


def test_lint_passes_on_every_file_the_hook_selects_here() -> None:
    # pre-commit passes the matching tracked files; here every one of them is a rulebook, a sources
    # catalogue, a rulebook test or a waivers file (the example month's has one expired waiver).
    import subprocess

    from checkengine.cli import main

    hook = next(h for h in _hooks() if h["id"] == "checkengine-lint")
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    # (tests/cases holds deliberately broken fixtures, which a project's own config would exclude.)
    selected = [f for f in tracked if re.search(hook["files"], f) and f.endswith((".yaml", ".yml"))
                and not f.startswith("tests/")]
    assert all(f.startswith("rulebooks/") for f in selected if f != "examples/month-2026-11/waivers.yaml")
    assert "examples/month-2026-11/waivers.yaml" in selected
    books = [str(ROOT / f) for f in selected if f != "examples/month-2026-11/waivers.yaml"]
    assert main(["lint", *books]) == 0
    assert main(["lint", str(ROOT / "examples/month-2026-11/waivers.yaml")]) == 1  # the expired waiver


def test_the_ci_example_uses_existing_commands_and_options() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text("utf-8"))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    calls = [shlex.split(line.split("||")[0]) for run in runs
             for line in run.replace("\\\n", " ").splitlines() if line.strip().startswith("checkengine ")]
    assert {c[1] for c in calls} == {"lint", "fmt", "test", "evaluate"}
    assert not any("pip install checkengine" in run for run in runs)  # not on the index: built here
    for call in calls:
        known = _options(call[1])
        assert [a for a in call[2:] if a.startswith("-") and a not in known] == [], call
    assert [c[c.index("--format") + 1] for c in calls if c[1] == "lint"] == ["github", "sarif"]
    lint = next(c for c in calls if c[1] == "lint" and "sarif" in c)
    test = next(c for c in calls if c[1] == "test")
    assert "--coverage" in test and "--min-coverage" in test
    uploads = [step for job in workflow["jobs"].values() for step in job["steps"]
               if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and uploads[0]["with"]["sarif_file"] == lint[lint.index("--output") + 1]
    evaluate = next(c for c in calls if c[1] == "evaluate")
    assert evaluate[evaluate.index("--format") + 1] == "junit"
    for path in ("rulebooks/cs-floor.yaml", "examples/month-2026-11"):
        assert (ROOT / path).exists(), path
